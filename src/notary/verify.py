"""Verify a digest: who is bound by this exact document now (protocol v2 rules).

The verdict rules, in numbered steps (each labelled in the code):

1. List every record of the digest on the ledger. None: the document is not notarised.
2. For each record, re-check every act that still counts on chain against the registry as
   known now, and off chain against the signer's stored window: an act whose key was not
   authorised at its time (declared compromised before it, or outside its window) is void.
   A void act is a warning, never a failure by itself.
3. Derive the record's state once those acts are void (`notary.lifecycle`, the contract's
   own rules); if an amendment superseding the record executed only through a void act,
   the record is not superseded.
4. Say who is bound now (a valid signature, not withdrawn), who was named but never
   validly signed, who withdrew, and the annulment and ratification votes of bound parties.
   A record vouches only for its bound parties.
5. A record passes when its state is EXECUTED or IN_FORCE with a quorum of valid
   signatures, and it meets the verifier's policy: `in_force` (IN_FORCE only), `submitter`
   (notarised by that party), `signed_by` (every party listed is bound by it).
6. Across the records of the digest: a record ANNULLED or TERMINATED by its signatories
   while another passes makes the verdict DISPUTED, naming both; never a plain "verified".
7. The verdict is VERIFIED when at least one record passes and none disputes it; every
   failure is a reason.

Verification fails closed: a record that cannot be read is a failure, not a pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from notary import lifecycle
from notary.chain.gateway import LedgerGateway
from notary.codes import bytes32_to_text, party_code
from notary.models import Attestation, Record, Status

PASSING = (Status.EXECUTED, Status.IN_FORCE)
#: States in which a record's own signatories undid it: they dispute any other record of the digest.
DISPUTING = (Status.ANNULLED, Status.TERMINATED)


@dataclass(frozen=True)
class Policy:
    """What the verifier requires beyond an executed record with a valid quorum."""

    signed_by: tuple[str, ...] = ()
    in_force: bool = False
    submitter: str | None = None

    @classmethod
    def of(cls, signed_by: str | None = None, in_force: bool = False, submitter: str | None = None) -> Policy:
        """A policy from user text (`FRA,SGP`); party codes are checked and normalised."""
        parties = tuple(bytes32_to_text(party_code(p)) for p in (signed_by or "").split(",") if p.strip())
        who = bytes32_to_text(party_code(submitter)) if submitter else None
        return cls(parties, in_force, who)

    def describe(self) -> dict[str, object]:
        return {"signedBy": list(self.signed_by), "inForce": self.in_force, "submitter": self.submitter}


@dataclass(frozen=True)
class RecordVerdict:
    record: Record
    ok: bool
    reasons: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    #: The state the record's valid acts give (differs from `record.status` while a void is pending).
    effective_status: Status | None = None
    #: Parties bound by the record now: a valid signature, not withdrawn.
    bound: tuple[str, ...] = ()
    #: Parties the record names that never validly signed it.
    unsigned: tuple[str, ...] = ()
    #: Parties that signed and then withdrew.
    withdrawn: tuple[str, ...] = ()
    #: Bound parties that signed an annulment / a ratification.
    annulled_by: tuple[str, ...] = ()
    ratified_by: tuple[str, ...] = ()
    #: Acts whose key was not authorised at their time (voided on chain or not yet).
    void_acts: tuple[Attestation, ...] = ()


@dataclass(frozen=True)
class Verdict:
    digest: bytes
    records: tuple[RecordVerdict, ...]
    reasons: tuple[str, ...] = field(default=())
    policy: Policy = field(default_factory=Policy)
    #: Record ids (0x…) whose signatories undid what another passing record says.
    disputed_by: tuple[str, ...] = ()

    @property
    def notarised(self) -> bool:
        return bool(self.records)

    @property
    def disputed(self) -> bool:
        return bool(self.disputed_by)

    @property
    def ok(self) -> bool:
        return any(r.ok for r in self.records) and not self.disputed

    @property
    def state(self) -> str:
        """verified | disputed | not-verified | not-notarised."""
        if not self.notarised:
            return "not-notarised"
        if self.disputed:
            return "disputed"
        return "verified" if self.ok else "not-verified"


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


def _parties(record: Record, mask: int) -> tuple[str, ...]:
    return tuple(p for i, p in enumerate(record.parties) if mask >> i & 1)


def verify_record(gw: LedgerGateway, record: Record, policy: Policy | None = None) -> RecordVerdict:
    policy = policy or Policy()
    reasons: list[str] = []
    warnings: list[str] = []
    # Step 2: health of each act that still counts on chain; void acts are warnings.
    record = _with_health(gw, record)
    pending = lifecycle.standing_invalid(record)
    void_acts = tuple(a for a in record.attestations if not a.valid)
    for a in void_acts:
        how = "voided on chain" if a.voided else "void (the chain still counts it until `notary void`)"
        warnings.append(
            f"{a.party}'s {a.intent.label} by key {a.signer} is {how}: the key was not authorised when it signed"
        )
    # Step 3: the state the valid acts give.
    state = lifecycle.effective(record, pending)
    if state.superseded and not _amendment_holds(gw, record):
        warnings.append(f"the amendment 0x{record.superseded_by.hex()} superseding it executed through a void act")
        state = replace(state, superseded=False)
        state = replace(state, status=lifecycle.derive(state))
    status = state.status
    if pending and status != record.status:
        warnings.append(
            f"on chain the record still reads {record.status.label}; by its valid acts it is {status.label}"
        )
    # Step 4: who is bound now.
    bound = _parties(record, state.bound)
    unsigned = tuple(p for p in record.parties if p not in _parties(record, state.signed))
    withdrawn = _parties(record, state.withdrawn & state.signed)
    annulled_by = _parties(record, state.annulled & state.bound)
    ratified_by = _parties(record, state.ratified & state.bound)
    # Step 5: the record's own test, then the policy.
    if status not in PASSING:
        reasons.append(f"record is {status.label}, not executed or in force")
    signed = lifecycle.popcount(state.signed)
    if signed < record.quorum:
        reasons.append(
            f"{signed} of {record.quorum} required valid signatures; waiting for {', '.join(unsigned) or 'nobody'}"
        )
    if record.ratification_required and status is not Status.IN_FORCE:
        waiting = [p for p in bound if p not in ratified_by]
        warnings.append(
            f"{len(ratified_by)} of {record.quorum} ratifications: signed, awaiting ratification by "
            f"{', '.join(waiting) or 'nobody bound'}"
        )
    if annulled_by and status is not Status.ANNULLED:
        warnings.append(f"annulment signed by {', '.join(annulled_by)} ({len(annulled_by)} of {record.quorum})")
    if policy.in_force and status is not Status.IN_FORCE:
        reasons.append("the policy asks for a record in force (ratified), and this one is not")
    if policy.submitter and record.submitter != policy.submitter:
        reasons.append(f"the policy asks for a record notarised by {policy.submitter}, not {record.submitter}")
    missing = [p for p in policy.signed_by if p not in bound]
    if missing:
        reasons.append(f"the policy asks for {', '.join(missing)} to be bound, and this record does not bind them")
    if state.superseded:
        warnings.append(f"superseded by record 0x{record.superseded_by.hex()}")
    return RecordVerdict(
        record, not reasons, tuple(reasons), tuple(warnings), status,
        bound, unsigned, withdrawn, annulled_by, ratified_by, void_acts,
    )  # fmt: skip


def verify_digest(gw: LedgerGateway, digest: bytes, policy: Policy | None = None) -> Verdict:
    policy = policy or Policy()
    # Step 1: every record of the digest.
    ids = gw.records_of_digest(digest)
    if not ids:
        return Verdict(digest, (), ("the document is not notarised on this ledger",), policy)
    # Steps 2-5 per record.
    verdicts = tuple(verify_record(gw, gw.record(i), policy) for i in ids)
    reasons = [r for v in verdicts for r in v.reasons]
    # Step 6: records whose own signatories undid the document dispute a passing one.
    passing = [v for v in verdicts if v.ok]
    disputing = [v for v in verdicts if v.effective_status in DISPUTING]
    disputed_by: tuple[str, ...] = ()
    if passing and disputing:
        disputed_by = tuple(v.record.record_id_hex for v in disputing)
        for v in disputing:
            who = ", ".join(v.bound + v.withdrawn) or v.record.submitter
            reasons.insert(
                0,
                f"disputed: record {v.record.record_id_hex[:18]}… of this document was "
                f"{v.effective_status.label if v.effective_status else '?'} by its signatories ({who}), while "
                f"record {passing[0].record.record_id_hex[:18]}… by {passing[0].record.submitter} reads "
                f"{passing[0].effective_status.label if passing[0].effective_status else '?'}",
            )
    # Step 7 in Verdict.ok.
    return Verdict(digest, verdicts, tuple(reasons), policy, disputed_by)

