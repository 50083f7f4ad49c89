"""Submitting many acts at once, each exactly once: the pipelined submitter.

`submit_many` gives every act the guarantees of `submit_once` (see the package docstring)
with many transactions in flight (`notary.chain.pipeline`):

  1. One sweep of the journal first, as for any submission.
  2. Acts with an entry from an interrupted earlier run are finished one by one by
     `submit_once` (resumed, re-broadcast or found stale), before any new nonce is used.
  3. The others go in windows of `window` acts. Each act's lock is held until its outcome.
     The gas of the whole window is estimated in one batch: an act the contract would
     refuse (already recorded, expired, unauthorised…) is not sent, and `recorded()` says
     whether it is on chain already ("already-recorded") or why it fails (its error).
  4. Each transaction is signed with the next nonce and journalled (state "signed") before
     the window is broadcast in one batch. A refused one is cleared from the journal and
     its nonce filled, so that the rest of the window is not stuck behind it; a lost answer
     keeps the entries (the wait below finds out what the node has).
  5. The receipts of the window are polled in one batch. An unmined transaction is looked
     at as a single send's is (re-broadcast if the node dropped it, replaced with higher
     fees if underpriced, journalled first). A reverted one is cleared and `recorded()`
     asked (another machine may have recorded the act first).
  6. Each mined act is taken to the confirmation depth and recorded (`submit_once`'s
     `_finalise`: the same re-broadcast on a reorg).

A crash at any point leaves each act either not journalled (nothing sent) or journalled
with its signed bytes: running the same submission again finishes it (step 2), never a
second transaction for one act. Outcomes come back in the order of the items: an
`Outcome`, or the `NotaryError` that act ended with (the others go on).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from notary.errors import ChainError, NotaryError, TransactionFailedError, TransactionRefusedError
from notary.journal.entry import RECORDED, JournalEntry, JournalError, JournalKey
from notary.journal.once import OnChain, Outcome, _finalise, _state_named, state_of, submit_once
from notary.journal.store import Journal
from notary.journal.sweep import Note, sweep

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from notary.chain.connect import Chain
    from notary.chain.pipeline import Pipeline, Signed
    from notary.chain.tx import Replacing

#: Acts in flight at once: enough to keep a node busy, few enough that a refusal costs little.
WINDOW = 64


@dataclass(frozen=True)
class Item:
    """One act to submit: its journal key, its contract call, how to find it on chain, and the
    signed payload's deadline."""

    key: JournalKey
    call: Any
    recorded: Callable[[], OnChain | None]
    deadline: int | None


@dataclass
class Submitted:
    """What `submit_many` did: each item's outcome or error, in order, and the sweep's notes."""

    outcomes: list[Outcome | NotaryError]
    notes: tuple[Note, ...] = ()

    @property
    def failed(self) -> list[tuple[int, NotaryError]]:
        return [(i, o) for i, o in enumerate(self.outcomes) if isinstance(o, NotaryError)]


@dataclass
class _Flight:
    """One act of a window after signing."""

    index: int
    item: Item
    signed: Signed
    entry: JournalEntry
    waiter: Replacing | None = None
    result: Any = None
    done: bool = False


def submit_many(
    chain: Chain,
    journal: Journal,
    sender: LocalAccount,
    items: Sequence[Item],
    *,
    timeout: float,
    confirmations: int = 0,
    window: int = WINDOW,
    progress: Callable[[int, int], None] | None = None,
) -> Submitted:
    """Get every act of `items` on chain exactly once, many transactions in flight (see the module
    docstring); `progress(done, total)` is called as outcomes come in."""
    from notary.chain import tx

    keys = [item.key for item in items]
    if len(set(keys)) != len(keys):
        raise ValueError("the same act is listed twice")
    notes = tuple(sweep(chain, journal, confirmations))
    outcomes: list[Outcome | NotaryError | None] = [None] * len(items)
    count = 0

    def finished(index: int, outcome: Outcome | NotaryError) -> None:
        nonlocal count
        outcomes[index] = outcome
        count += 1
        if progress is not None:
            progress(count, len(items))

    def one_by_one(index: int, item: Item) -> None:
        try:
            finished(
                index,
                submit_once(
                    chain,
                    journal,
                    item.key,
                    recorded=item.recorded,
                    send=lambda on_signed, t: tx.send(chain, item.call, sender, t, on_signed),
                    deadline=item.deadline,
                    timeout=timeout,
                    confirmations=confirmations,
                    swept=True,
                ),
            )
        except NotaryError as exc:
            finished(index, exc)

    fresh: list[int] = []
    for index, item in enumerate(items):
        try:
            kept = journal.load(item.key) is not None
        except JournalError as exc:
            finished(index, exc)
            continue
        if kept or chain.is_in_process:  # 2. (and the embedded chain, which mines each send at once)
            one_by_one(index, item)
        else:
            fresh.append(index)
    if fresh:
        from notary.chain.pipeline import Pipeline

        pipe = Pipeline(chain, sender)
        for start in range(0, len(fresh), window):
            _window(chain, journal, pipe, [(i, items[i]) for i in fresh[start : start + window]], finished,
                    timeout=timeout, confirmations=confirmations)  # fmt: skip
    assert all(o is not None for o in outcomes)
    return Submitted([o for o in outcomes if o is not None], notes)


def _window(
    chain: Chain,
    journal: Journal,
    pipe: Pipeline,
    batch: list[tuple[int, Item]],
    finished: Callable[[int, Outcome | NotaryError], None],
    *,
    timeout: float,
    confirmations: int,
) -> None:
    from notary.chain.tx import Replacing

    with contextlib.ExitStack() as locks:
        held: list[tuple[int, Item]] = []
        for index, item in batch:
            try:
                locks.enter_context(journal.locked(item.key))
                held.append((index, item))
            except JournalError as exc:
                finished(index, exc)
        if not held:
            return
        # 3. estimate: what the contract would refuse is not sent
        try:
            gases = pipe.estimate([item.call for _, item in held])
            fees = pipe.fees()
        except ChainError as exc:
            for index, _ in held:
                finished(index, exc)
            return
        flights: list[_Flight] = []
        for (index, item), gas in zip(held, gases, strict=True):
            if isinstance(gas, NotaryError):
                finished(index, _refused_or_recorded(chain, journal, item, gas))
                continue
            # 4. sign and journal before broadcast
            signed = pipe.sign(item.call, gas, fees)
            entry = JournalEntry(item.key, journal.chain_id, signed.hash, signed.raw, item.deadline, int(time.time()))
            flights.append(_Flight(index, item, signed, entry))
        if not flights:
            return
        journal.save_all([f.entry for f in flights])  # durable, before any of them is broadcast
        answers = pipe.broadcast([f.signed for f in flights])
        live: list[_Flight] = []
        for flight, answer in zip(flights, answers, strict=True):
            if isinstance(answer, TransactionRefusedError):
                journal.clear(flight.item.key)
                finished(flight.index, answer)
                with contextlib.suppress(NotaryError):  # the window's later nonces are not stuck behind it
                    pipe.fill(flight.signed.nonce, fees)
                continue
            flight.waiter = Replacing(chain, pipe.sender, flight.signed.tx, flight.signed.raw, flight.signed.hash,
                                      _persister(journal, flight))  # fmt: skip
            live.append(flight)
        # 5. and 6.
        _await(chain, journal, pipe, live, finished, timeout=timeout, confirmations=confirmations)


def _await(
    chain: Chain,
    journal: Journal,
    pipe: Pipeline,
    flights: list[_Flight],
    finished: Callable[[int, Outcome | NotaryError], None],
    *,
    timeout: float,
    confirmations: int,
) -> None:
    from notary.chain import tx

    end = time.monotonic() + timeout
    look = time.monotonic() + tx.REPLACE_AFTER
    delay = tx.FIRST_POLL_SECONDS
    waiting = list(flights)
    while waiting:
        try:
            asked = [(f, h) for f in waiting for h in reversed(f.waiter.hashes)]  # type: ignore[union-attr]
            answers = pipe.receipts([h for _, h in asked])
        except ChainError:
            answers = [None] * len(asked)  # a fault while polling: look again
        for (flight, _), answer in zip(asked, answers, strict=True):
            if answer is not None and not flight.done:
                flight.result, flight.done = answer, True
        landed = [f for f in waiting if f.done]
        if confirmations == 0:  # recorded at once: one write for all of them
            mined = [f for f in landed if not isinstance(f.result, NotaryError)]
            _record_all(journal, mined, finished)
            landed = [f for f in landed if isinstance(f.result, NotaryError)]
        for flight in landed:
            _land(chain, journal, flight, finished, timeout=timeout, confirmations=confirmations)
        waiting = [f for f in waiting if not f.done]
        now = time.monotonic()
        if waiting and now >= end:
            for flight in waiting:
                error = tx.TransactionTimeoutError(
                    f"transaction {flight.waiter.hashes[-1]} was not mined within {timeout:.0f} s; "  # type: ignore[union-attr]
                    f"the act is {state_of(journal, flight.item.key)}",
                    hint="it is kept in the journal: run the same submission again to finish it",
                )
                finished(flight.index, error)
            return
        if waiting and now >= look:
            look = now + tx.REPLACE_AFTER
            for flight in waiting:
                try:
                    with _state_named(chain, journal, flight.item.key):
                        flight.waiter.look()  # type: ignore[union-attr]
                except NotaryError as exc:
                    if isinstance(exc, TransactionRefusedError):
                        journal.clear(flight.item.key)
                    flight.done, flight.result = True, exc
                    finished(flight.index, exc)
            waiting = [f for f in waiting if not f.done]
        if waiting:
            time.sleep(delay)
            delay = min(delay * 2, tx.POLL_SECONDS)


def _land(
    chain: Chain,
    journal: Journal,
    flight: _Flight,
    finished: Callable[[int, Outcome | NotaryError], None],
    *,
    timeout: float,
    confirmations: int,
) -> None:
    """A mined (or reverted) act of the window: take it to the depth, or find out why it failed."""
    result, item = flight.result, flight.item
    if isinstance(result, NotaryError):
        journal.clear(item.key)  # reverted: nothing pending
        finished(flight.index, _refused_or_recorded(chain, journal, item, result))
        return
    try:
        with _state_named(chain, journal, item.key):
            entry = flight.entry
            r = _finalise(chain, journal, entry, result, confirmations, timeout)
    except (TransactionFailedError, TransactionRefusedError) as exc:
        journal.clear(item.key)
        finished(flight.index, exc)
        return
    except NotaryError as exc:
        finished(flight.index, exc)
        return
    replaced = tuple(h for h in flight.waiter.hashes if h != r.transaction) if flight.waiter else ()
    finished(flight.index, Outcome("sent", r.transaction, r.block_number, r.gas_used, (), replaced))


def _record_all(
    journal: Journal, flights: list[_Flight], finished: Callable[[int, Outcome | NotaryError], None]
) -> None:
    """Mined acts at depth 0: recorded, written in one go (not durable: the signed entries are, and a
    sweep after a power loss learns the rest again from the chain)."""
    entries = []
    for flight in flights:
        entry = flight.entry
        entries.append(entry.at(RECORDED, flight.result))
    journal.save_all(entries, durable=False)
    for flight, entry in zip(flights, entries, strict=True):
        r = flight.result
        replaced = tuple(h for h in entry.hashes if h != r.transaction)
        finished(flight.index, Outcome("sent", r.transaction, r.block_number, r.gas_used, (), replaced))


def _refused_or_recorded(chain: Chain, journal: Journal, item: Item, error: NotaryError) -> Outcome | NotaryError:
    """An act the contract refuses (or reverted) may be refused because it is on chain already."""
    try:
        with _state_named(chain, journal, item.key):
            found = item.recorded()
    except NotaryError as exc:
        return exc
    if found is not None:
        return Outcome("already-recorded", found.transaction, found.block_number)
    return error


def _persister(journal: Journal, flight: _Flight) -> Callable[[bytes, str], None]:
    """The journal hook of a fee replacement: the new version is written before its broadcast."""

    def persist(raw: bytes, tx_hash: str) -> None:
        flight.entry = flight.entry.replaced_by(tx_hash, raw)
        journal.save(flight.entry)

    return persist
