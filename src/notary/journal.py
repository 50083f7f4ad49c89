"""The submission journal: signed transactions kept on disk until final, so nothing is sent twice
and nothing acknowledged is lost.

Each act the CLI relays has a key: (ledger address, record or batch id, party, intent).
Right before broadcast, the signed raw transaction and its hash are written to
`<data_dir>/journal/<chain id>/<key>.json` (temporary file, fsync, rename: a crash
leaves the old state or the new one, never half a file). The entry then moves through
states, each written the same way:

  signed    journalled before broadcast; not known to have reached the node;
  sent      the node has it (pending);
  mined     in a block, with fewer than the configured confirmations on top;
  recorded  final at the configured depth: what the command reports as recorded. The
            entry is still kept for `REORG_WATCH` more blocks, so that a reorg deeper
            than the depth is noticed and repaired, then removed.

Running the same command again after Ctrl-C, a crash or a lost connection goes through
`submit_once`:

  1. An entry exists:
     1a. its transaction is mined: report it (recorded and still there: go to 2);
     1b. the node knows it (pending): wait for it;
     1c. the node lost it (restart, reorg), the act is not on chain and the payload has
         not expired: broadcast the same bytes again (same nonce, same hash: not a second
         transaction);
     1d. otherwise (nonce used by another transaction, act already recorded, expired, or
         reverted): the entry is stale; drop it and go on.
  2. The act is already on chain (sent by this or another machine): report it, send nothing.
  3. Otherwise sign and send, journalling the transaction before broadcast.
  Then wait until the transaction is `confirmations` blocks deep, re-broadcasting it if a
  reorg drops it meanwhile.

Every `submit_once` (and `notary pending`) first sweeps the other entries (`Journal.sweep`):
entries the node lost are re-broadcast, a reorg that dropped an acknowledged act is
reported and repaired, entries past the watch are removed, and temporary files left by a
killed writer (never broadcast: the rename precedes the broadcast) are deleted.

A lock file per key stops two commands from submitting the same act at once. Entries are
JSON, media type `application/vnd.notary.journal-entry+json`, major version 2 (version 1
entries, without a state, are read as "signed").
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from notary.errors import (
    ChainError,
    ChainUnreachableError,
    NotaryError,
    TransactionFailedError,
    TransactionRefusedError,
)

if TYPE_CHECKING:
    from notary.chain.connect import Chain
    from notary.chain.gateway import LedgerGateway
    from notary.chain.tx import OnSigned, TxResult
    from notary.models import Intent

MEDIA_TYPE = "application/vnd.notary.journal-entry+json"
MAJOR_VERSION = 2
SIGNED, SENT, MINED, RECORDED = "signed", "sent", "mined", "recorded"
STATES = (SIGNED, SENT, MINED, RECORDED)
#: Blocks past the confirmation depth during which a recorded act is still watched for reorgs.
REORG_WATCH = 64
#: A temporary file older than this is an orphan even if its writer's pid is in use again.
ORPHAN_SECONDS = 600
_FIELDS_V1 = {
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
_FIELDS = _FIELDS_V1 | {"state", "blockNumber", "blockHash"}
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
    state: str = SIGNED
    block_number: int | None = None
    block_hash: str | None = None

    def at(self, state: str, result: TxResult | None = None) -> JournalEntry:
        """This entry in `state`, in `result`'s block (None: not in a block)."""
        number = None if result is None else result.block_number
        return replace(self, state=state, block_number=number, block_hash=None if result is None else result.block_hash)

    def describe(self) -> str:
        """The act's state in words, for messages."""
        if self.state == RECORDED:
            return f"recorded as {self.transaction} in block {self.block_number}"
        if self.state == MINED:
            return f"sent as {self.transaction} and pending: mined in block {self.block_number}, not yet final"
        if self.state == SENT:
            return f"sent as {self.transaction} and pending"
        return f"signed as {self.transaction} and kept in the journal; perhaps sent, perhaps not"

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
            "state": self.state,
            "blockNumber": self.block_number,
            "blockHash": self.block_hash,
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
        version = body.get("version")
        if (version, set(body)) not in ((1, _FIELDS_V1), (MAJOR_VERSION, _FIELDS)):
            raise _corrupt(where, f"version {version!r} or its fields are not understood")
        if body.get("state", SIGNED) not in STATES:
            raise _corrupt(where, f"state {body['state']!r} is not one of {', '.join(STATES)}")
        try:
            block = body.get("blockNumber")
            return cls(
                key=JournalKey(str(body["ledger"]), _hex(body["record"]), str(body["party"]), str(body["intent"])),
                chain_id=int(body["chainId"]),
                transaction=str(body["transaction"]),
                raw_transaction=_hex(body["rawTransaction"]),
                deadline=None if body["deadline"] is None else int(body["deadline"]),
                created_at=int(body["createdAt"]),
                state=str(body.get("state", SIGNED)),
                block_number=None if block is None else int(block),
                block_hash=None if body.get("blockHash") is None else "0x" + _hex(body["blockHash"]).hex(),
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
        """Every entry of this chain: acts not yet final, and recorded ones still watched."""
        if not self.folder.is_dir():
            return []
        return [JournalEntry.from_json(p.read_text(), p) for p in sorted(self.folder.glob("*.json"))]

    def remove_orphans(self) -> list[Path]:
        """Delete temporary files whose writer died between write and rename (their
        transaction was never broadcast: the broadcast follows the rename)."""
        removed: list[Path] = []
        if not self.folder.is_dir():
            return removed
        for tmp in self.folder.glob(".*.tmp"):
            try:
                pid = int(tmp.name.rsplit(".", 2)[-2])
                old = time.time() - tmp.stat().st_mtime > ORPHAN_SECONDS
            except (ValueError, IndexError, OSError):
                pid, old = 0, True
            if pid != os.getpid() and (old or not _alive(pid)):
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
                    removed.append(tmp)
        return removed

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


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --------------------------------------------------------------------- sweeping


@dataclass(frozen=True)
class Note:
    """Something a sweep did to another act's entry, to tell the user.

    `what`: "final" (now recorded), "reorged" (a reorg dropped it; re-broadcast),
    "rebroadcast" (the node had lost it), "lost" (dropped and cannot be re-sent: run its
    command again), "reverted", "expired" or "orphan" (a temporary file removed).
    """

    key: JournalKey | None
    transaction: str | None
    what: str
    text: str


def sweep(chain: Chain, journal: Journal, confirmations: int, skip: JournalKey | None = None) -> list[Note]:
    """Bring every entry but `skip` up to date with the chain (see the module docstring). A node
    fault stops the sweep quietly: the command goes on, and the next sweep resumes."""
    notes = [Note(None, None, "orphan", f"removed {p.name}: never broadcast") for p in journal.remove_orphans()]
    entries: list[JournalEntry] = []
    for path in sorted(journal.folder.glob("*.json")) if journal.folder.is_dir() else []:
        with contextlib.suppress(JournalError, OSError):
            entries.append(JournalEntry.from_json(path.read_text(), path))
    entries.sort(key=_sender_nonce)  # a sender's nonces in order, for re-broadcasts
    try:
        head = chain.block_number()
        # If the newest recorded entry is still in its block, so is every older one.
        newest = max((e for e in entries if e.state == RECORDED), key=lambda e: e.block_number or 0, default=None)
        settled = (newest.block_number or 0) if newest is not None and _unmoved(chain, newest) else -1
        for entry in entries:
            if entry.key == skip:
                continue
            if entry.state == RECORDED and (entry.block_number or 0) <= settled:
                if head - (entry.block_number or 0) >= confirmations + REORG_WATCH:
                    _locked(journal, entry.key, journal.clear)
                continue
            note = _locked(journal, entry.key, lambda k: _sweep_one(chain, journal, k, confirmations, head))
            notes += [note] if note is not None else []
    except ChainError:
        pass
    return notes


def _sender_nonce(entry: JournalEntry) -> tuple[str, int]:
    from notary.chain import tx

    try:
        return tx.raw_sender_and_nonce(entry.raw_transaction)
    except Exception:  # an undecodable raw transaction sorts first; its check reports it
        return ("", -1)


def _locked(journal: Journal, key: JournalKey, work: Callable[[JournalKey], Note | None]) -> Note | None:
    try:
        with journal.locked(key):
            return work(key)
    except JournalError:  # another command holds it: that command finishes it
        return None


def _sweep_one(chain: Chain, journal: Journal, key: JournalKey, confirmations: int, head: int) -> Note | None:
    from notary.chain import tx

    entry = journal.load(key)
    if entry is None:
        return None
    h = entry.transaction
    try:
        result = tx.mined(chain, h)
    except TransactionFailedError:
        journal.clear(key)
        return Note(key, h, "reverted", f"{_act(key)}: transaction {h} reverted; the act was not recorded by it")
    if result is not None:
        deep = head - result.block_number
        if entry.state == RECORDED and deep >= confirmations + REORG_WATCH:
            journal.clear(key)
        else:
            state = RECORDED if entry.state == RECORDED or deep >= confirmations else MINED
            if (state, result.block_hash) != (entry.state, entry.block_hash):
                journal.save(entry.at(state, result))
            if state == RECORDED and entry.state != RECORDED:
                return Note(key, h, "final", f"{_act(key)} is now recorded ({h}, block {result.block_number})")
        return None
    if tx.where(chain, h) == "pending":
        if entry.state != SENT:
            journal.save(entry.at(SENT))
        return None
    if entry.state == SIGNED:
        return None  # perhaps never sent: the act's own command decides (it checks the chain first)
    was = f"in block {entry.block_number}" if entry.block_number is not None else "sent"
    expired = entry.deadline is not None and chain.latest_timestamp() >= entry.deadline
    if expired or tx.nonce_taken(chain, entry.raw_transaction):
        journal.clear(key)
        why = "its payload expired" if expired else "its nonce went to another transaction"
        return Note(
            key, h, "lost", f"{_act(key)} ({h}, {was}) is no longer on chain and cannot be re-sent ({why}): "
            "run its command again"
        )  # fmt: skip
    try:
        tx.broadcast(chain, entry.raw_transaction, h)
    except TransactionRefusedError:
        return None  # left as it is: the act's own command reports it
    journal.save(entry.at(SENT))
    if entry.state == RECORDED:
        return Note(
            key, h, "reorged", f"a reorg dropped {_act(key)}, acknowledged as recorded {was}; "
            f"the same transaction {h} was re-broadcast"
        )  # fmt: skip
    what = "reorged" if entry.block_number is not None else "rebroadcast"
    cause = "a reorg dropped it" if what == "reorged" else "the node had lost it"
    return Note(key, h, what, f"{_act(key)}: {cause} ({was}); the same transaction {h} was re-broadcast")


def _act(key: JournalKey) -> str:
    what = "notarisation" if key.intent == "notarisation" else key.intent
    return f"{key.party}'s {what} of 0x{key.record.hex()[:16]}…"


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
    journalled transaction was finished: "mined", "pending" or "rebroadcast". `notes` say
    what the sweep of other entries did.
    """

    how: str
    transaction: str | None
    block_number: int | None
    gas_used: int | None = None
    notes: tuple[Note, ...] = ()

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


def state_of(journal: Journal, key: JournalKey) -> str:
    """The state of act `key` in words, as far as this machine's journal knows."""
    try:
        entry = journal.load(key)
    except JournalError:
        return f"unknown (its journal entry {journal.path(key)} is unreadable)"
    return "not sent" if entry is None else entry.describe()


def submit_once(
    chain: Chain,
    journal: Journal,
    key: JournalKey,
    *,
    recorded: Callable[[], OnChain | None],
    send: Send,
    deadline: int | None,
    timeout: float,
    confirmations: int = 0,
) -> Outcome:
    """Get the act `key` on chain exactly once, `confirmations` blocks deep; see the module docstring.

    `recorded()` says whether the act is on chain already; `send(on_signed, timeout)`
    signs and sends it with exactly one `notary.chain.tx.send`, passing both on (e.g.
    `ledger.submit(gw, relayer, signed, on_signed=on_signed, timeout=timeout)`), so that
    its transaction is journalled before broadcast; `deadline` is the signed payload's,
    after which it cannot be recorded. A node fault after signing raises a `ChainError`
    that says what state the act is in; its entry is kept.
    """
    from notary.chain import tx

    notes = tuple(sweep(chain, journal, confirmations, skip=key))
    with journal.locked(key):
        # 1.
        entry = journal.load(key)
        if entry is not None and entry.state == RECORDED and _still_there(chain, entry):
            entry = None  # acknowledged before and still on chain: step 2 reports it
        if entry is not None:
            known = entry

            def may_rebroadcast() -> bool:
                # 1d: no point sending what is on chain already or would revert as expired.
                expired = known.deadline is not None and chain.latest_timestamp() >= known.deadline
                return not expired and recorded() is None

            try:
                with _state_named(chain, journal, key):
                    resumed = tx.resume(chain, entry.raw_transaction, entry.transaction, timeout, may_rebroadcast)
                    if resumed is not None:  # 1a-1c
                        r = _finalise(chain, journal, entry, resumed.result, confirmations, timeout)
                        return Outcome(resumed.how, r.transaction, r.block_number, r.gas_used, notes)
            except (TransactionFailedError, TransactionRefusedError):
                pass  # 1d: reverted or refused; nothing recorded, nothing pending
            journal.clear(key)
        # 2.
        with _state_named(chain, journal, key):
            found = recorded()
        if found is not None:
            return Outcome("already-recorded", found.transaction, found.block_number, notes=notes)
        # 3.
        signed: list[JournalEntry] = []

        def persist(raw: bytes, tx_hash: str) -> None:
            if signed:
                raise JournalError("internal error: more than one transaction signed for one act; nothing sent")
            signed.append(JournalEntry(key, journal.chain_id, tx_hash, raw, deadline, int(time.time())))
            journal.save(signed[0])

        try:
            with _state_named(chain, journal, key):
                result = _call(send, persist, timeout)
                r = _finalise(chain, journal, signed[0], result, confirmations, timeout)
        except (TransactionFailedError, TransactionRefusedError):
            journal.clear(key)  # reverted or refused: nothing pending
            raise
        return Outcome("sent", r.transaction, r.block_number, r.gas_used, notes)


def _unmoved(chain: Chain, entry: JournalEntry) -> bool:
    """Whether an entry's transaction is still in the very block it was recorded in."""
    from notary.chain import tx

    try:
        now = tx.mined(chain, entry.transaction)
    except TransactionFailedError:
        return False
    return now is not None and now.block_hash == entry.block_hash


def _still_there(chain: Chain, entry: JournalEntry) -> bool:
    from notary.chain import tx

    try:
        now = tx.mined(chain, entry.transaction)
    except TransactionFailedError:
        return False
    return now is not None


def _finalise(
    chain: Chain, journal: Journal, entry: JournalEntry, result: TxResult, confirmations: int, timeout: float
) -> TxResult:
    """Record `entry` as mined in `result`'s block, wait for the depth, then record it as final.

    A reorg that drops it meanwhile re-broadcasts the same bytes (if its nonce is still free)."""
    from notary.chain import tx

    if confirmations > 0:
        entry = entry.at(MINED, result)
        journal.save(entry)

        def moved(now: TxResult | None) -> None:
            nonlocal entry
            if now is not None:
                entry = entry.at(MINED, now)
            elif tx.nonce_taken(chain, entry.raw_transaction):
                raise TransactionFailedError(
                    f"a reorg dropped transaction {entry.transaction} and its nonce went to another transaction"
                )
            else:
                tx.broadcast(chain, entry.raw_transaction, entry.transaction)
                entry = entry.at(SENT)
            journal.save(entry)

        result = tx.await_depth(chain, entry.transaction, confirmations, timeout, moved)
    journal.save(entry.at(RECORDED, result))
    return result


def _call(send: Send, on_signed: OnSigned, timeout: float) -> TxResult:
    """Run `send`, handing it the journal's hook (called before broadcast) and the timeout."""
    return send(on_signed, timeout)


@contextlib.contextmanager
def _state_named(chain: Chain, journal: Journal, key: JournalKey) -> Iterator[None]:
    """Turn a node fault into an error of the same kind that says what state the act is in."""
    try:
        yield
    except (TransactionFailedError, TransactionRefusedError, JournalError):
        raise  # definitive outcomes (and the lock), with their own words
    except ChainError as exc:  # unreachable, answer lost, not mined or not final in time
        raise type(exc)(f"{exc.message}; the act is {state_of(journal, key)}", hint=_AGAIN) from exc
    except NotaryError:
        raise
    except OSError as exc:  # a connection error from outside the fault-tolerant provider
        raise ChainUnreachableError(
            f"lost the connection to {chain.url} ({type(exc).__name__}); the act is {state_of(journal, key)}",
            hint=_AGAIN,
        ) from exc


_AGAIN = (
    "run the same command again once the node answers: it finishes the act without sending a duplicate "
    "(`notary pending` lists the acts kept in the journal)"
)
