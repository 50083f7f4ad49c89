"""Verify that a digest is notarised by a complete, valid record (protocol v2 rules).

The algorithm, in numbered steps (each labelled in the code):

1. List every record of the digest on the ledger. None: the document is not notarised.
2. For each record, re-check every act that still counts on chain against the registry as
   known now, and off chain against the signer's stored window: an act whose key was not
   authorised at its time (declared compromised before it, or outside its window) is void.
3. Derive the record's state once those acts are void (`notary.lifecycle`, the contract's
   own rules): a forged withdrawal, cancellation or annulment does not count, and neither
   does a forged signature; if an amendment superseding the record executed only through a
   void act, the record is not superseded.
4. Only an EXECUTED or IN_FORCE state passes, with a quorum of valid signatures.
5. Where ratification is required, count valid ratifications of bound parties.
6. The verdict passes when at least one record passes 2–5; every failure is a reason.

Verification fails closed: a record that cannot be read is a failure, not a pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from notary import lifecycle
from notary.chain.gateway import LedgerGateway
from notary.codes import party_code
from notary.models import Attestation, Intent, Record, Status

PASSING = (Status.EXECUTED, Status.IN_FORCE)


@dataclass(frozen=True)
class RecordVerdict:
    record: Record
    ok: bool
    reasons: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    #: The state the record's valid acts give (differs from `record.status` while a void is pending).
    effective_status: Status | None = None


@dataclass(frozen=True)
class Verdict:
    digest: bytes
    records: tuple[RecordVerdict, ...]
    reasons: tuple[str, ...] = field(default=())

    @property
    def notarised(self) -> bool:
        return bool(self.records)

    @property
    def ok(self) -> bool:
        return any(r.ok for r in self.records)


def _offline_window_ok(gw: LedgerGateway, a: Attestation) -> bool:
    return gw.signer_key(party_code(a.party), a.signer).authorised_at(a.time)


def _with_health(gw: LedgerGateway, record: Record) -> Record:
    """The record with each standing act's health also checked off chain against the key window."""
    acts = []
    for a in record.attestations:
        if a.valid and not a.voided and not _offline_window_ok(gw, a):
            a = replace(a, valid=False)
        acts.append(a)
    return replace(record, attestations=tuple(acts))


def _amendment_holds(gw: LedgerGateway, record: Record) -> bool:
    """Whether the amendment superseding `record` is executed through valid acts only."""
    amendment = _with_health(gw, gw.record(record.superseded_by))
    state = lifecycle.effective(amendment)
    return state.executed and state.status not in (Status.OPEN, Status.VOID, Status.CANCELLED)


def verify_record(gw: LedgerGateway, record: Record) -> RecordVerdict:
    reasons: list[str] = []
    warnings: list[str] = []
    # Step 2: health of each act that still counts on chain.
    record = _with_health(gw, record)
    void = lifecycle.standing_invalid(record)
    for a in void:
        reasons.append(
            f"{a.party}'s {a.intent.label} by key {a.signer} is void: the key was not authorised at the "
            f"time it signed (declared compromised or outside its window); `notary void` makes the chain agree"
        )
    # Step 3: the state the valid acts give.
    state = lifecycle.effective(record, void)
    if state.superseded and not _amendment_holds(gw, record):
        warnings.append(f"the amendment 0x{record.superseded_by.hex()} superseding it executed through a void act")
        state = replace(state, superseded=False)
        state = replace(state, status=lifecycle.derive(state))
    status = state.status
    if void and status in PASSING:
        # The forged acts were the problem, not the record: it stands once they are void.
        reasons.clear()
        warnings.append(
            f"{len(void)} act(s) signed with keys not authorised at the time do not count; "
            f"on chain the record reads {record.status.label} until someone runs `notary void`"
        )
    # Step 4: lifecycle state and signature quorum.
    if status not in PASSING:
        reasons.append(f"record is {status.label}, not executed or in force")
    valid_signers = {a.party for a in record.attestations if a.intent == Intent.SIGNATURE and a.valid and not a.voided}
    signed = len(valid_signers & set(record.parties))
    if signed < record.quorum:
        missing = [p for p in record.parties if p not in valid_signers]
        reasons.append(f"{signed} of {record.quorum} required valid signatures; waiting for {', '.join(missing)}")
    # Step 5: ratification quorum (bound parties only).
    if record.ratification_required:
        ratified = lifecycle.popcount(state.ratified & state.bound)
        if ratified < record.quorum:
            warnings.append(f"{ratified} of {record.quorum} ratifications: signed but not yet in force")
    if state.superseded:
        warnings.append(f"superseded by record 0x{record.superseded_by.hex()}")
    return RecordVerdict(record, not reasons, tuple(reasons), tuple(warnings), status)


def verify_digest(gw: LedgerGateway, digest: bytes) -> Verdict:
    # Step 1: every record of the digest.
    ids = gw.records_of_digest(digest)
    if not ids:
        return Verdict(digest, (), ("the document is not notarised on this ledger",))
    # Steps 2-5 per record; step 6 in Verdict.ok.
    verdicts = tuple(verify_record(gw, gw.record(i)) for i in ids)
    return Verdict(digest, verdicts, tuple(r for v in verdicts for r in v.reasons))
