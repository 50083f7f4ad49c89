"""Verify that a digest is notarised by a complete, valid record.

The algorithm, in numbered steps (each labelled in the code):

1. List every record of the digest on the ledger. None: the document is not notarised.
2. For each record, read its lifecycle state; only EXECUTED or IN_FORCE can pass.
3. Re-check every signature act against the registry as known now (a key declared
   compromised from a time before it signed no longer counts), and off chain against
   the signer's stored window.
4. Count the distinct required parties with a valid signature act; the quorum must be met.
5. Where ratification is required, count valid ratifications the same way.
6. The verdict passes when at least one record passes 2–5; every failure is a reason.

Verification fails closed: a record that cannot be read is a failure, not a pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


def verify_record(gw: LedgerGateway, record: Record) -> RecordVerdict:
    reasons: list[str] = []
    warnings: list[str] = []
    # Step 2: lifecycle state.
    if record.status not in PASSING:
        reasons.append(f"record is {record.status.label}, not executed or in force")
    # Step 3: health of each act.
    healthy: dict[Intent, set[str]] = {Intent.SIGNATURE: set(), Intent.RATIFICATION: set()}
    for a in record.attestations:
        if a.intent not in healthy:
            continue
        window_ok = _offline_window_ok(gw, a)
        if not a.valid or not window_ok:
            reasons.append(
                f"{a.party}'s {a.intent.label} by key {a.signer} is invalid: the key was not "
                f"authorised at the time it signed (declared compromised or outside its window)"
            )
            continue
        if a.party in record.parties:
            healthy[a.intent].add(a.party)
    # Step 4: signature quorum.
    signed = len(healthy[Intent.SIGNATURE])
    if signed < record.quorum:
        missing = [p for p in record.parties if p not in healthy[Intent.SIGNATURE]]
        reasons.append(f"{signed} of {record.quorum} required valid signatures; waiting for {', '.join(missing)}")
    # Step 5: ratification quorum.
    if record.ratification_required:
        ratified = len(healthy[Intent.RATIFICATION])
        if ratified < record.quorum:
            warnings.append(f"{ratified} of {record.quorum} ratifications: signed but not yet in force")
    if record.superseded_by != bytes(32):
        warnings.append(f"superseded by record 0x{record.superseded_by.hex()}")
    return RecordVerdict(record, not reasons, tuple(reasons), tuple(warnings))


def verify_digest(gw: LedgerGateway, digest: bytes) -> Verdict:
    # Step 1: every record of the digest.
    ids = gw.records_of_digest(digest)
    if not ids:
        return Verdict(digest, (), ("the document is not notarised on this ledger",))
    # Steps 2-5 per record; step 6 in Verdict.ok.
    verdicts = tuple(verify_record(gw, gw.record(i)) for i in ids)
    return Verdict(digest, verdicts, tuple(r for v in verdicts for r in v.reasons))
