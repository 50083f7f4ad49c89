"""The background indexer of `notary serve`: `notary index --follow` in a daemon thread.

`IndexService` is built by `create_app` and touches nothing until the app starts: then
it opens (and migrates) the index database, and a thread runs `Indexer.follow` until
the app stops. Reads ask `current(head)`: the index answers only when its checkpoint is
within `max_lag` blocks of the head (by default the confirmation depth: the index holds
final blocks only); otherwise the gateway answers, as it does with the index off.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from notary.api.settings import ApiSettings, IndexSettings
from notary.chain.gateway import LedgerGateway
from notary.chain.head import Head
from notary.index import Indexer, IndexReader, IndexReport, IndexState

if TYPE_CHECKING:
    from notary.published import PublishedStore

log = logging.getLogger("notary.api.index")

DEV_CHAIN_IDS = frozenset({31337})
PRODUCTION_CONFIRMATIONS = 12
_RESTART_PAUSE = 5.0  # poll intervals to wait after an unexpected failure before following again


def confirmations_for(gw: LedgerGateway, configured: int | None) -> int:
    """The confirmation depth: as configured, else 0 on development chains and 12 elsewhere."""
    if configured is not None:
        return configured
    dev = gw.chain.is_in_process or gw.chain.chain_id in DEV_CHAIN_IDS
    return 0 if dev else PRODUCTION_CONFIRMATIONS


@dataclass(frozen=True)
class Serving:
    """The reader, if the index may answer (None: read the chain); `at_head`: its checkpoint is the
    head block itself, and `key` names what its answers depend on (head hash, published stamp)."""

    reader: IndexReader | None
    at_head: bool = False
    key: tuple[object, ...] = ()


@dataclass
class IndexService:
    """One index database, followed in a background thread while the app runs."""

    gateway: LedgerGateway
    url: str
    settings: IndexSettings
    confirmations: int
    reader: IndexReader | None = None  # set once started
    last_error: str | None = None
    last_report: IndexReport | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _published: PublishedStore | None = None
    hash_check_interval: float = 1.0
    _checked: tuple[int, str] | None = None  # the checkpoint last found on the canonical chain
    _checked_at: float = 0.0

    @classmethod
    def from_settings(cls, settings: ApiSettings, gw: LedgerGateway) -> IndexService | None:
        if not settings.index.enabled:
            return None
        from notary.index import default_url

        url = settings.index.url or default_url(settings.base.resolved_data_dir, gw.chain.chain_id)
        return cls(gw, url, settings.index, confirmations_for(gw, settings.index.confirmations))

    @property
    def max_lag(self) -> int:
        return self.confirmations if self.settings.max_lag is None else self.settings.max_lag

    def published(self) -> PublishedStore:
        """The documents published to this service (batches, instrument manifests), in the index database."""
        from notary.index import open_index
        from notary.published import PublishedStore

        if self._published is None:
            self._published = PublishedStore(open_index(self.url))
        return self._published

    def open(self) -> Indexer:
        """Open and migrate the database (start-up refuses an unusable one); the reader serves from now."""
        from notary.chain.events import EventReader
        from notary.index import open_index

        engine = open_index(self.url)
        indexer = Indexer(
            EventReader(self.gateway.chain, self.gateway.deployment),
            engine,
            range_size=self.settings.range_size,
            confirmations=self.confirmations,
        )
        indexer.state()  # refuses a database that follows another ledger
        self.reader = IndexReader(engine)
        return indexer

    def start(self) -> None:
        if not self.settings.follow:  # another process follows the chain into this database: only read it
            from notary.index import open_index

            self.reader = IndexReader(open_index(self.url))
            return
        indexer = self.open()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(indexer,), name="notary-indexer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        """The background indexer runs (or, in a worker that only reads, the database is open)."""
        if not self.settings.follow:
            return self.reader is not None
        return self._thread is not None and self._thread.is_alive()

    def _run(self, indexer: Indexer) -> None:
        while not self._stop.is_set():
            try:
                indexer.follow(
                    self._stop, self.settings.poll_interval, on_report=self._report, on_error=self._chain_error
                )
            except Exception as exc:  # a database failure: report it, keep the API up, try again later
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("the background indexer failed (%s); retrying", type(exc).__name__)
                self._stop.wait(self.settings.poll_interval * _RESTART_PAUSE)

    def _report(self, report: IndexReport) -> None:
        self.last_report, self.last_error = report, None

    def _chain_error(self, exc: Exception) -> None:
        self.last_error = f"{type(exc).__name__}: {exc}"
        log.warning("the background indexer cannot read the chain (%s); retrying", type(exc).__name__)

    # ------------------------------------------------------------------ for readers

    def lag(self, head: int) -> int | None:
        """Blocks between the head and the checkpoint; None before the database is open."""
        if self.reader is None:
            return None
        state = self.reader.state()
        last = state.last_block if state is not None else self.gateway.deployment.start_block - 1
        return max(0, head - last)

    def current_at(self, head: Head) -> IndexReader | None:
        """`current(head.number)`, knowing the head's hash: an index whose checkpoint is the head
        itself is compared with it directly (no node call)."""
        return self.serving(head).reader

    def serving(self, head: Head) -> Serving:
        """Whether the index may answer for `head` (as `current_at`), read in one query with a stamp
        of the published documents: an answer of an index at the head itself depends on nothing
        else, so it may be reused while the head's hash and the stamp stay the same."""
        if self.reader is None:
            return Serving(None)
        state, stamp = self.reader.snapshot()
        if state is not None and state.last_block == head.number and state.last_block >= self._start:
            at_head = state.last_block_hash == head.hash
            return Serving(self.reader if at_head else None, at_head, (head.hash, *stamp))
        return Serving(self._current(state, head.number))

    def current(self, head: int) -> IndexReader | None:
        """The reader, when the index may answer for `head`; else None (read the chain).

        Current means: the checkpoint is within `max_lag` blocks of the head, and the block it
        names is still the chain's block at that height (a reorganisation of the same height
        leaves the lag at 0 but the index on an orphaned branch until it rolls back). The hash
        comparison costs one node call, remembered for `hash_check_interval` seconds (by
        default 1 s: the longest a same-height reorganisation can go unseen)."""
        if self.reader is None:
            return None
        return self._current(self.reader.state(), head)

    @property
    def _start(self) -> int:
        return self.gateway.deployment.start_block

    def _current(self, state: IndexState | None, head: int) -> IndexReader | None:
        if self.reader is None or state is None or state.last_block < head - self.max_lag:
            return None
        if state.last_block < self._start:
            return self.reader  # nothing indexed yet, nothing to be orphaned
        key = (state.last_block, state.last_block_hash)
        now = time.monotonic()
        if self._checked != key or now - self._checked_at >= self.hash_check_interval:
            if self.gateway.block_hash(state.last_block) != state.last_block_hash:
                log.warning("the index's checkpoint block %d is no longer the chain's: reading the chain", key[0])
                self._checked = None
                return None
            self._checked, self._checked_at = key, now
        return self.reader
