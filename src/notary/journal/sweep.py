"""Sweeping: bring every kept entry up to date with the chain (final, re-broadcast, reorged, lost)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from notary.errors import ChainError, TransactionFailedError, TransactionRefusedError
from notary.journal.entry import MINED, RECORDED, REORG_WATCH, SENT, SIGNED, JournalEntry, JournalError, JournalKey
from notary.journal.store import Journal

if TYPE_CHECKING:
    from notary.chain.connect import Chain


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
        settled = (newest.block_number or 0) if newest is not None and unmoved(chain, newest) else -1
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
        result = tx.mined_any(chain, entry.hashes)
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
    if any(tx.where(chain, one) == "pending" for one in entry.hashes):
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


def unmoved(chain: Chain, entry: JournalEntry) -> bool:
    """Whether an entry's transaction is still in the very block it was recorded in."""
    from notary.chain import tx

    try:
        now = tx.mined_any(chain, entry.hashes)
    except TransactionFailedError:
        return False
    return now is not None and now.block_hash == entry.block_hash
