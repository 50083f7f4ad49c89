"""The submission journal: signed transactions kept on disk until mined, so nothing is sent twice.

Each act the CLI relays has a key: (ledger address, record or batch id, party, intent).
Right before broadcast, the signed raw transaction and its hash are written to
`<data_dir>/journal/<chain id>/<key>.json` (temporary file, fsync, rename: a crash
leaves the old state or the new one, never half a file); the entry is removed once the
receipt is in. Running the same command again after Ctrl-C, a crash or a lost
connection goes through `submit_once`:

  1. An entry exists:
     1a. its transaction is mined: report it;
     1b. the node knows it (pending): wait for it;
     1c. the node lost it, the act is not on chain and the payload has not expired:
         broadcast the same bytes again (same nonce, same hash: not a second transaction);
     1d. otherwise (nonce used by another transaction, act already recorded, expired, or
         reverted): the entry is stale; drop it and go on.
  2. The act is already on chain (sent by this or another machine): report it, send nothing.
  3. Otherwise sign and send, journalling the transaction before broadcast.

A lock file per key stops two commands from submitting the same act at once. Entries are
JSON, media type `application/vnd.notary.journal-entry+json`, major version 1.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from notary.errors import ChainUnreachableError, NotaryError, TransactionFailedError

if TYPE_CHECKING:
    from notary.chain.connect import Chain
    from notary.chain.gateway import LedgerGateway
    from notary.chain.tx import OnSigned, TxResult
    from notary.models import Intent

MEDIA_TYPE = "application/vnd.notary.journal-entry+json"
MAJOR_VERSION = 1
_FIELDS = {
    "mediaType",
    "version",
    "chainId",
    "ledger",
    "record",
    "party",
    "intent",
    "transaction",
    "rawTransaction",
    "deadline",
    "createdAt",
}
_HEX = re.compile(r"^0x[0-9a-f]*$")

#: Signs and sends an act with one `notary.chain.tx.send`, passing on its two arguments:
#: `on_signed` (journals the transaction before broadcast) and `timeout` (for the receipt).
Send = Callable[["OnSigned", float], "TxResult"]


class JournalError(NotaryError, RuntimeError):
    """A journal entry is unreadable, or another command is submitting the same act."""

    code = "journal"


@dataclass(frozen=True)
class JournalKey:
    """What one submission is about: an act of `party` with `intent` on `record` of `ledger`.

    `intent` is an `Intent` label, "notarisation" for the record's creation, or "anchor".
    """

    ledger: str
    record: bytes
    party: str
    intent: str

    @property
    def filename(self) -> str:
        return f"{self.ledger.lower()}.{self.record.hex()}.{self.party}.{self.intent}.json"


@dataclass(frozen=True)
class JournalEntry:
    """A signed transaction for `key`, written before broadcast."""

    key: JournalKey
    chain_id: int
    transaction: str
    raw_transaction: bytes
    deadline: int | None
    created_at: int

    def to_json(self) -> str:
        body = {
            "mediaType": MEDIA_TYPE,
            "version": MAJOR_VERSION,
            "chainId": self.chain_id,
            "ledger": self.key.ledger,
            "record": "0x" + self.key.record.hex(),
            "party": self.key.party,
            "intent": self.key.intent,
            "transaction": self.transaction,
            "rawTransaction": "0x" + self.raw_transaction.hex(),
            "deadline": self.deadline,
            "createdAt": self.created_at,
        }
        return json.dumps(body, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, where: Path) -> JournalEntry:
        try:
            body = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _corrupt(where, f"not JSON ({exc})") from None
        if not isinstance(body, dict) or body.get("mediaType") != MEDIA_TYPE:
            raise _corrupt(where, f"mediaType is not {MEDIA_TYPE}")
        if body.get("version") != MAJOR_VERSION or set(body) != _FIELDS:
            raise _corrupt(where, f"version {body.get('version')!r} or its fields are not understood")
        try:
            return cls(
                key=JournalKey(str(body["ledger"]), _hex(body["record"]), str(body["party"]), str(body["intent"])),
                chain_id=int(body["chainId"]),
                transaction=str(body["transaction"]),
                raw_transaction=_hex(body["rawTransaction"]),
                deadline=None if body["deadline"] is None else int(body["deadline"]),
                created_at=int(body["createdAt"]),
            )
        except (TypeError, ValueError) as exc:
            raise _corrupt(where, str(exc)) from None


def _hex(value: Any) -> bytes:
    if not isinstance(value, str) or not _HEX.match(value):
        raise ValueError(f"{value!r} is not lower-case 0x-hex")
    return bytes.fromhex(value[2:])


def _corrupt(path: Path, why: str) -> JournalError:
    return JournalError(
        f"journal entry {path} is unreadable: {why}",
        hint="check the transaction it names on the chain, then delete the file and run the command again",
    )


class Journal:
    """The journal folder of one chain: `<data_dir>/journal/<chain id>/`."""

    def __init__(self, data_dir: Path, chain_id: int) -> None:
        self.chain_id = chain_id
        self.folder = data_dir / "journal" / str(chain_id)

    def path(self, key: JournalKey) -> Path:
        return self.folder / key.filename

    def load(self, key: JournalKey) -> JournalEntry | None:
        path = self.path(key)
        try:
            return JournalEntry.from_json(path.read_text(), path)
        except FileNotFoundError:
            return None

    def save(self, entry: JournalEntry) -> None:
        """Write atomically and durably: temporary file, fsync, rename, fsync the folder."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.path(entry.key)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w") as f:
                f.write(entry.to_json())
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        _fsync_dir(self.folder)

    def clear(self, key: JournalKey) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(key).unlink()
            _fsync_dir(self.folder)

    def entries(self) -> list[JournalEntry]:
        """Every pending entry of this chain (what an interrupted command left behind)."""
        if not self.folder.is_dir():
            return []
        return [JournalEntry.from_json(p.read_text(), p) for p in sorted(self.folder.glob("*.json"))]

    @contextlib.contextmanager
    def locked(self, key: JournalKey) -> Iterator[None]:
        """Hold the key's lock file; a second command on the same act fails instead of waiting."""
        try:
            import fcntl
        except ImportError:  # not POSIX: no cross-process lock
            yield
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.path(key).with_suffix(".lock")
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise JournalError(
                    f"another notary command is submitting this act right now (lock {path})",
                    hint="wait for it to finish, then run the command again to see the result",
                ) from None
            try:  # the holder before us may have removed the file: lock the current one
                if os.stat(path).st_ino == os.fstat(fd).st_ino:
                    break
            except FileNotFoundError:
                pass
            os.close(fd)
        try:
            yield
        finally:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            os.close(fd)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --------------------------------------------------------------------- submitting once


@dataclass(frozen=True)
class OnChain:
    """Where an act already recorded on chain was recorded (None where unknown)."""

    transaction: str | None
    block_number: int | None


@dataclass(frozen=True)
class Outcome:
    """How `submit_once` ended.

    `how` is "sent" (a new transaction), "already-recorded" (nothing sent), or how a
    journalled transaction was finished: "mined", "pending" or "rebroadcast".
    """

    how: str
    transaction: str | None
    block_number: int | None
    gas_used: int | None = None

    @property
    def already_recorded(self) -> bool:
        return self.how == "already-recorded"

    @property
    def resumed(self) -> str | None:
        return self.how if self.how in ("mined", "pending", "rebroadcast") else None


def recorded_act(gw: LedgerGateway, record: bytes, party: str, intent: Intent) -> OnChain | None:
    """Where `party`'s act `intent` on `record` was recorded, if it was (a `recorded` for `submit_once`)."""
    from notary.errors import NotaryUnknownRecordError

    try:
        acts = gw.attestations(record)
    except NotaryUnknownRecordError:
        return None
    for a in acts:
        if a.party == party and a.intent is intent and not a.voided:
            return OnChain(a.transaction, a.block_number)
    return None


def submit_once(
    chain: Chain,
    journal: Journal,
    key: JournalKey,
    *,
    recorded: Callable[[], OnChain | None],
    send: Send,
    deadline: int | None,
    timeout: float,
) -> Outcome:
    """Get the act `key` on chain exactly once; see the module docstring for the steps.

    `recorded()` says whether the act is on chain already; `send(on_signed, timeout)`
    signs and sends it with exactly one `notary.chain.tx.send`, passing both on (e.g.
    `ledger.submit(gw, relayer, signed, on_signed=on_signed, timeout=timeout)`), so that
    its transaction is journalled before broadcast; `deadline` is the signed payload's,
    after which it cannot be recorded.
    """
    from notary.chain import tx

    with journal.locked(key):
        # 1.
        entry = journal.load(key)
        if entry is not None:

            def may_rebroadcast() -> bool:
                # 1d: no point sending what is on chain already or would revert as expired.
                expired = entry.deadline is not None and chain.latest_timestamp() >= entry.deadline
                return not expired and recorded() is None

            try:
                with _connection_kept(chain, journal, key):
                    resumed = tx.resume(chain, entry.raw_transaction, entry.transaction, timeout, may_rebroadcast)
            except TransactionFailedError:
                resumed = None  # 1d: reverted or refused; nothing recorded, nothing pending
            journal.clear(key)
            if resumed is not None:  # 1a-1c
                r = resumed.result
                return Outcome(resumed.how, r.transaction, r.block_number, r.gas_used)
        # 2.
        found = recorded()
        if found is not None:
            return Outcome("already-recorded", found.transaction, found.block_number)
        # 3.
        signed: list[str] = []

        def persist(raw: bytes, tx_hash: str) -> None:
            if signed:
                raise JournalError("internal error: more than one transaction signed for one act; nothing sent")
            journal.save(JournalEntry(key, journal.chain_id, tx_hash, raw, deadline, int(time.time())))
            signed.append(tx_hash)

        try:
            with _connection_kept(chain, journal, key):
                result = _call(send, persist, timeout)
        except TransactionFailedError:
            journal.clear(key)  # reverted or refused: nothing pending
            raise
        journal.clear(key)
        return Outcome("sent", result.transaction, result.block_number, result.gas_used)


def _call(send: Send, on_signed: OnSigned, timeout: float) -> TxResult:
    """Run `send`, handing it the journal's hook (called before broadcast) and the timeout."""
    return send(on_signed, timeout)


@contextlib.contextmanager
def _connection_kept(chain: Chain, journal: Journal, key: JournalKey) -> Iterator[None]:
    """Turn a lost connection into an error that says the transaction is safe in the journal."""
    try:
        yield
    except NotaryError:  # TransactionTimeoutError is an OSError too, with its own advice
        raise
    except OSError as exc:  # requests' ConnectionError and timeouts are OSErrors
        kept = journal.path(key).exists()
        raise ChainUnreachableError(
            f"lost the connection to {chain.url} ({type(exc).__name__})"
            + (f"; the signed transaction is kept in {journal.path(key)}" if kept else "; nothing was sent"),
            hint="run the same command again once the node is reachable: it resumes without sending a duplicate",
        ) from exc
