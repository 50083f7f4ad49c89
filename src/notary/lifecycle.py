"""The v2 lifecycle rules of `NotaryLedger`, in pure Python: how a record's state follows from its acts.

Mirrors `_derive`, `_settle` and `voidAct` of `contracts/NotaryLedger.sol` exactly; the
contract tests and the lifecycle state machine pin the two together. Used off chain to say
what a record's state *is* once every act whose key was not authorised at its time is void,
whether or not someone has sent the `voidAct` transaction yet (the contract applies the void
only when asked; the verdict must not wait for it).

Party sets are bit masks: bit i is `terms.parties[i]`. A party is *bound* once it signed and
until it withdraws; annulment and ratification quorums count bound parties only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from notary.models import Attestation, Intent, Record, Status


def popcount(mask: int) -> int:
    return bin(mask).count("1")


@dataclass(frozen=True)
class State:
    """`INotaryLedger.RecordState` without the time."""

    status: Status
    signed: int
    withdrawn: int
    annulled: int
    ratified: int
    quorum: int
    party_count: int
    ratification_required: bool
    executed: bool
    superseded: bool

    @property
    def bound(self) -> int:
        return self.signed & ~self.withdrawn

    @classmethod
    def of(cls, record: Record) -> State:
        signed, withdrawn, annulled, ratified = record.masks
        return cls(
            status=record.status,
            signed=signed,
            withdrawn=withdrawn,
            annulled=annulled,
            ratified=ratified,
            quorum=record.quorum,
            party_count=len(record.parties),
            ratification_required=record.ratification_required,
            executed=record.executed,
            superseded=record.superseded_by != bytes(32),
        )


def derive(s: State) -> Status:
    """The status the acts give (`_derive`)."""
    if s.status in (Status.CANCELLED, Status.VOID):
        return s.status
    if not s.executed:
        return Status.OPEN
    if popcount(s.bound) < s.quorum:
        return Status.TERMINATED
    if popcount(s.annulled & s.bound) >= s.quorum:
        return Status.ANNULLED
    if s.superseded:
        return Status.SUPERSEDED
    if s.ratification_required and popcount(s.ratified & s.bound) >= s.quorum:
        return Status.IN_FORCE
    return Status.EXECUTED


def consented(old: State, amendment: State) -> bool:
    """Every party bound by the old record signed the amendment (same bit positions)."""
    mask = (1 << old.party_count) - 1
    return (old.bound & ~amendment.signed & mask) == 0


def void(s: State, bit: int, intent: Intent, is_submitter: bool) -> State:
    """The state after voiding one act (`voidAct`), before re-settling execution.

    A voided signature takes the party's later acts with it; the submitter's voids the record.
    """
    if intent == Intent.SIGNATURE:
        s = replace(
            s,
            signed=s.signed & ~bit,
            withdrawn=s.withdrawn & ~bit,
            annulled=s.annulled & ~bit,
            ratified=s.ratified & ~bit,
        )
        if is_submitter:
            # A void record never was: it supersedes nothing, and nothing supersedes it.
            s = replace(s, executed=False, superseded=False, status=Status.VOID)
        return s
    if intent == Intent.CANCELLATION:
        return replace(s, status=Status.OPEN)
    if intent == Intent.RATIFICATION:
        return replace(s, ratified=s.ratified & ~bit)
    if intent == Intent.ANNULMENT:
        return replace(s, annulled=s.annulled & ~bit)
    return replace(s, withdrawn=s.withdrawn & ~bit)


def settle_plain(s: State) -> State:
    """Execution of a record that supersedes nothing: a quorum of signatures on file."""
    if s.status in (Status.CANCELLED, Status.VOID):
        return s
    return replace(s, executed=popcount(s.signed) >= s.quorum)


def standing_invalid(record: Record) -> list[Attestation]:
    """Acts that still count on chain although their key was not authorised at their time."""
    return [a for a in record.attestations if not a.voided and not a.valid]


def effective(record: Record, acts_to_void: Iterable[Attestation] | None = None) -> State:
    """The record's state once every standing invalid act is void (what `voidAct` would make it).

    An amendment's execution also needs its target's consent; that cross-record part is left
    to the caller (`verify` checks the amendment and its target together).
    """
    s = State.of(record)
    pending = standing_invalid(record) if acts_to_void is None else list(acts_to_void)
    if not pending:
        return s
    for a in pending:
        if s.status == Status.VOID:
            break
        bit = 1 << record.parties.index(a.party)
        s = void(s, bit, a.intent, a.party == record.submitter)
    if record.supersedes == bytes(32):
        s = settle_plain(s)
    elif s.executed and popcount(s.signed) < s.quorum:
        s = replace(s, executed=False)
    return replace(s, status=derive(s))
