"""Submitting one act exactly once (`submit_once`), finishing what an earlier attempt left."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from notary.errors import (
    ChainError,
    ChainUnreachableError,
    NotaryError,
    TransactionFailedError,
    TransactionRefusedError,
)
from notary.journal.entry import MINED, RECORDED, SENT, JournalEntry, JournalError, JournalKey, Send
from notary.journal.store import Journal
from notary.journal.sweep import Note, sweep

if TYPE_CHECKING:
    from notary.chain.connect import Chain
    from notary.chain.gateway import LedgerGateway
    from notary.chain.tx import OnSigned, TxResult
    from notary.models import Intent


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
    #: Transactions of this act replaced for their fees (same nonce; not mined).
    replaced: tuple[str, ...] = ()

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
    swept: bool = False,
) -> Outcome:
    """Get the act `key` on chain exactly once, `confirmations` blocks deep; see the module docstring.

    `recorded()` says whether the act is on chain already; `send(on_signed, timeout)`
    signs and sends it with exactly one `notary.chain.tx.send`, passing both on (e.g.
    `ledger.submit(gw, relayer, signed, on_signed=on_signed, timeout=timeout)`), so that
    its transaction is journalled before broadcast; `deadline` is the signed payload's,
    after which it cannot be recorded. A node fault after signing raises a `ChainError`
    that says what state the act is in; its entry is kept. `swept`: the caller swept the
    journal already (`submit_many`).
    """
    from notary.chain import tx

    notes = () if swept else tuple(sweep(chain, journal, confirmations, skip=key))
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
                    resumed = tx.resume(
                        chain,
                        entry.raw_transaction,
                        entry.transaction,
                        timeout,
                        may_rebroadcast,
                        replaced=entry.hashes[1:],
                    )
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
            if not signed:
                signed.append(JournalEntry(key, journal.chain_id, tx_hash, raw, deadline, int(time.time())))
            elif tx.raw_sender_and_nonce(raw) == tx.raw_sender_and_nonce(signed[0].raw_transaction):
                signed[0] = signed[0].replaced_by(tx_hash, raw)  # higher fees, same nonce: one of them is mined
            else:
                raise JournalError("internal error: a second transaction signed for one act; nothing sent")
            journal.save(signed[0])

        try:
            with _state_named(chain, journal, key):
                result = _call(send, persist, timeout)
                r = _finalise(chain, journal, signed[0], result, confirmations, timeout)
        except (TransactionFailedError, TransactionRefusedError):
            journal.clear(key)  # reverted or refused: nothing pending
            raise
        return Outcome("sent", r.transaction, r.block_number, r.gas_used, notes, _replaced(signed[0], r))


def _still_there(chain: Chain, entry: JournalEntry) -> bool:
    from notary.chain import tx

    try:
        now = tx.mined_any(chain, entry.hashes)
    except TransactionFailedError:
        return False
    return now is not None


def _replaced(entry: JournalEntry, result: TxResult) -> tuple[str, ...]:
    return tuple(h for h in entry.hashes if h != result.transaction)


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
