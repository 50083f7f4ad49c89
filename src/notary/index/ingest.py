"""The indexer: follow both contracts' events into the index database.

One pass (`run_once`), in numbered steps:

1. Open the state row (creating it on first use); refuse a database that follows
   another chain or other contracts.
2. Read the head; blocks up to `head - confirmations` are final.
3. Reorganisation check: the stored hash of the checkpoint block must still be the
   chain's. If not, walk the stored block hashes down to the newest block the chain
   still has, delete every event above it, rebuild the views they touched, and move
   the checkpoint back there.
4. For each bounded range after the checkpoint (at most `range_size` blocks):
   read the range's end block, its first block, the logs, the block before each
   revocation (its time tells a compromise), then the end block again;
   a changed end hash means the chain moved under the read (retry from step 3), and a
   first block whose parent is not the checkpoint means a reorganisation (step 3).
5. In ONE transaction per range: re-read the checkpoint under a row lock (another
   indexer may have advanced it: then skip), read the records the range's events name
   (one query per 500), insert the events (one bulk insert), update the views (rows read
   once, changed in memory, written back in bulk: `views.apply`), store the block hashes
   and move the checkpoint. A crash loses at most the range in
   flight, which the next pass reads again: no gap, no duplicate.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, select, update

from notary.chain.events import BlockRef, ChainLog, EventReader, ReorgDuringRead, ranges
from notary.eip712 import Domain
from notary.errors import ChainError
from notary.index import schema as s
from notary.index import views
from notary.index.db import IndexDatabaseError, bulk_insert
from notary.index.normalise import RECORD_EVENTS, Event, RecordInfo, normalise, record_info, terms_from_json

DEFAULT_RANGE = 1000
_READ_RETRIES = 5
_LOOKUP_CHUNK = 500


@dataclass(frozen=True)
class IndexState:
    chain_id: int
    registry: str
    ledger: str
    start_block: int
    last_block: int
    last_block_hash: str


@dataclass(frozen=True)
class IndexReport:
    """What one pass did."""

    head: int
    final: int
    last_block: int
    ranges: int
    events: int
    reorgs: int
    rolled_back: int
    seconds: float

    def to_json(self) -> dict[str, object]:
        return dict(self.__dict__)


class Indexer:
    """Follows one deployment's events into one database."""

    def __init__(
        self,
        reader: EventReader,
        engine: Engine,
        *,
        range_size: int = DEFAULT_RANGE,
        confirmations: int = 0,
    ) -> None:
        if range_size < 1:
            raise ValueError("range_size must be at least 1")
        if confirmations < 0:
            raise ValueError("confirmations must not be negative")
        self.reader = reader
        self.engine = engine
        self.range_size = range_size
        self.confirmations = confirmations
        dep = reader.deployment
        self.domain = Domain(reader.chain.chain_id, dep.ledger.address)
        self._expected = (reader.chain.chain_id, dep.registry.address.lower(), dep.ledger.address.lower())

    # ------------------------------------------------------------------ state

    def state(self) -> IndexState:
        """Step 1: the state row, created on first use; another ledger's database is refused."""
        with self.engine.begin() as conn:
            row = conn.execute(select(s.index_state).where(s.index_state.c.id == 1)).mappings().first()
            if row is None:
                chain_id, registry, ledger = self._expected
                start = self.reader.start_block
                values = dict(
                    id=1, chain_id=chain_id, registry=registry, ledger=ledger, start_block=start, last_block=start - 1
                )
                conn.execute(s.index_state.insert().values(**values, last_block_hash=""))
                row = conn.execute(select(s.index_state)).mappings().one()
        state = IndexState(**{k: v for k, v in row.items() if k != "id"})
        if (state.chain_id, state.registry, state.ledger) != self._expected:
            raise IndexDatabaseError(
                f"the index database follows ledger {state.ledger} on chain {state.chain_id}, "
                f"not {self._expected[2]} on chain {self._expected[0]}",
                hint="give each ledger its own database (NOTARY_INDEX_URL or --db)",
            )
        return state

    # ------------------------------------------------------------------ one pass

    def run_once(self, max_ranges: int | None = None) -> IndexReport:
        """Index every final block not indexed yet (at most `max_ranges` ranges)."""
        started = time.monotonic()
        state = self.state()  # step 1
        head = self.reader.head()  # step 2
        final = head - self.confirmations
        done = reorgs = rolled_back = count = 0
        attempts = 0
        while True:
            n = self._reorg_check(state, head)  # step 3
            if n is not None:
                reorgs, rolled_back = reorgs + 1, rolled_back + n
                state = self.state()
            if max_ranges is not None and done >= max_ranges:
                break
            todo = next(iter(ranges(state.last_block + 1, final, self.range_size)), None)
            if todo is None:
                break
            try:
                logs = self._read_range(state, *todo)  # step 4
            except ReorgDuringRead:
                attempts += 1
                if attempts > _READ_RETRIES:
                    raise
                continue
            if logs is None:  # the first block does not follow the checkpoint: step 3 again
                continue
            events, to_hash, to_time, parents = logs
            committed = self._commit(state, todo, events, to_hash, to_time, parents)  # step 5
            state = self.state()
            if committed:
                done, count = done + 1, count + committed[0]
        return IndexReport(head, final, state.last_block, done, count, reorgs, rolled_back, time.monotonic() - started)

    def _read_range(self, state: IndexState, a: int, b: int) -> tuple[list, str, int, list[BlockRef]] | None:
        end = self.reader.block(b)
        first = end if a == b else self.reader.block(a)
        if state.last_block_hash and first.parent_hash != state.last_block_hash:
            return None
        logs = self.reader.logs(a, b)
        parents = [self.reader.block(n) for n in _revocation_parents(logs, a)]
        if self.reader.block(b).hash != end.hash:
            raise ReorgDuringRead(f"block {b} changed while blocks {a}..{b} were read")
        return logs, end.hash, end.timestamp, parents

    def _commit(
        self,
        state: IndexState,
        span: tuple[int, int],
        logs: list,
        to_hash: str,
        to_time: int,
        parents: list[BlockRef],
    ) -> tuple[int] | None:
        a, b = span
        with self.engine.begin() as conn:
            locked = conn.execute(
                select(s.index_state.c.last_block).where(s.index_state.c.id == 1).with_for_update()
            ).scalar_one()
            if locked != state.last_block:  # another indexer got there first
                return None
            cache = _known_records(conn, logs)
            infos: dict[str, RecordInfo] = {}
            inserted: list[Event] = []
            blocks: dict[int, tuple[str, int]] = {p.number: (p.hash, p.timestamp) for p in parents}
            blocks[b] = (to_hash, to_time)
            for log in logs:
                ev = normalise(log, self.domain, cache.get, self.reader.is_contract)
                if ev.event == "RecordNotarised":
                    cache[ev.record] = infos[f"{ev.block_number}:{ev.log_index}"] = record_info(ev)
                inserted.append(ev)
                blocks[ev.block_number] = (ev.block_hash, ev.time)
            views.apply(conn, inserted, infos)
            if inserted:
                self._insert_events(conn, inserted)
            bulk_insert(
                conn, s.blocks, [{"number": n, "hash": h, "timestamp": t} for n, (h, t) in sorted(blocks.items())]
            )
            conn.execute(
                update(s.index_state).where(s.index_state.c.id == 1).values(last_block=b, last_block_hash=to_hash)
            )
        return (len(inserted),)

    def _insert_events(self, conn: Connection, inserted: list[Event]) -> None:
        """Insert a range's events (a seam the crash test interrupts)."""
        bulk_insert(conn, s.events, [ev.as_dict() for ev in inserted])

    # ------------------------------------------------------------------ reorganisations

    def _reorg_check(self, state: IndexState, head: int) -> int | None:
        """Step 3: None if the checkpoint is still on the chain, else the number of events rolled back."""
        if not state.last_block_hash:
            return None
        if state.last_block <= head and self.reader.block(state.last_block).hash == state.last_block_hash:
            return None
        ancestor, ancestor_hash = state.start_block - 1, ""
        with self.engine.connect() as conn:
            stored = conn.execute(select(s.blocks.c.number, s.blocks.c.hash).order_by(s.blocks.c.number.desc())).all()
        for number, block_hash in stored:
            if number < state.start_block:
                break
            if number <= head and self.reader.block(number).hash == block_hash:
                ancestor, ancestor_hash = number, block_hash
                break
        return self.rollback_to(ancestor, ancestor_hash)

    def rollback_to(self, block: int, block_hash: str) -> int:
        """Delete everything above `block`, rebuild the views it touched; returns the events removed."""
        with self.engine.begin() as conn:
            conn.execute(select(s.index_state.c.id).where(s.index_state.c.id == 1).with_for_update()).all()
            gone = [
                Event(**dict(r))
                for r in conn.execute(select(s.events).where(s.events.c.block_number > block)).mappings()
            ]
            conn.execute(delete(s.events).where(s.events.c.block_number > block))
            conn.execute(delete(s.blocks).where(s.blocks.c.number > block))
            views.rebuild(conn, *views.touched(gone))
            conn.execute(
                update(s.index_state)
                .where(s.index_state.c.id == 1)
                .values(last_block=block, last_block_hash=block_hash)
            )
        return len(gone)

    # ------------------------------------------------------------------ following

    def follow(
        self,
        stop: threading.Event | None = None,
        poll_interval: float = 2.0,
        on_report: Callable[[IndexReport], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        """Run passes until `stop` is set; chain errors are reported and retried after a pause."""
        stop = stop or threading.Event()
        while not stop.is_set():
            try:
                report = self.run_once()
            except ChainError as exc:
                if on_error is None:
                    raise
                on_error(exc)
            else:
                if on_report is not None:
                    on_report(report)
            stop.wait(poll_interval)


def _revocation_parents(logs: list[ChainLog], first: int) -> list[int]:
    """The blocks before the range's SignerRevoked events (inside the range): whether a revocation
    declares a compromise is judged by its parent block's time (`registry.revocation_is_compromise`),
    so the index stores those blocks too and the API answers a party's keys without the node."""
    return sorted({log.block_number - 1 for log in logs if log.event == "SignerRevoked" and log.block_number > first})


def _known_records(conn: Connection, logs: list[ChainLog]) -> dict[str, RecordInfo | None]:
    """The digest, kind and exact terms (latest notarisation) of every indexed record the range's
    ledger events name, read in a few queries; RecordNotarised events of the range update it."""
    ids = {
        "0x" + bytes(log.args["recordId"]).hex()
        for log in logs
        if log.contract == "ledger" and log.event in RECORD_EVENTS and "recordId" in log.args
    }
    found: dict[str, RecordInfo | None] = {}
    r = s.records.c
    ordered = sorted(ids)
    for i in range(0, len(ordered), _LOOKUP_CHUNK):
        query = select(r.record_id, r.digest, r.kind, r.terms).where(r.record_id.in_(ordered[i : i + _LOOKUP_CHUNK]))
        for rid, digest, kind, terms in conn.execute(query):
            found[rid] = RecordInfo(digest, kind, terms_from_json(terms))
    return found
