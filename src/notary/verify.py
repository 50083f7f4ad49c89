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
7. A document the ledger does not name may still be notarised through what its holders
   published (`notary.published`):
   a. a member of a batch: the batch is anchored on this ledger, its signer's key was
      authorised when it anchored (as known now), and the ledger's `verifyInclusion`
      accepts the document's Merkle proof. The anchoring party is the only one bound;
      `in_force` is never met by a batch;
   b. a text or annex of a multi-text instrument: the instrument digest is verified by
      steps 1-6 under the same policy, and the text's verdict is the instrument's.
8. The verdict is VERIFIED when at least one record, batch or instrument passes and none
   disputes it; every failure is a reason.

Verification fails closed: a record that cannot be read is a failure, not a pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from notary import lifecycle
from notary.codes import bytes32_to_text, party_code
from notary.models import Attestation, Record, SignerKey, Status

if TYPE_CHECKING:
    from notary.published import Membership, PublishedStore, TextOf


class LedgerReads(Protocol):
    """The ledger reads the verdict rules make: `LedgerGateway` (the node) answers them, and so does
    `notary.api.indexed_ledger.IndexedLedger` (a current event index), with the same answers."""

    def records_of_digest(self, digest: bytes) -> list[bytes]: ...
    def record(self, record_id: bytes, with_attestations: bool = True) -> Record: ...
    def signer_key(self, code: bytes, key: str) -> SignerKey: ...
    def batch(self, anchor_id: bytes) -> dict[str, Any]: ...
    def verify_inclusion(self, anchor_id: bytes, digest: bytes, proof: list[bytes]) -> bool: ...


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
class BatchVerdict:
    """A document found in a published batch (step 7a)."""

    membership: Membership
    ok: bool
    reasons: tuple[str, ...]
    #: The anchor as the ledger holds it: signer and time (None: not anchored on this ledger).
    signer: str | None = None
    time: int | None = None
    included: bool = False


@dataclass(frozen=True)
class TextVerdict:
    """A document found as a text or annex of a published instrument (step 7b)."""

    text: TextOf
    instrument: Verdict

    @property
    def ok(self) -> bool:
        return self.instrument.ok


@dataclass(frozen=True)
class Verdict:
    digest: bytes
    records: tuple[RecordVerdict, ...]
    reasons: tuple[str, ...] = field(default=())
    policy: Policy = field(default_factory=Policy)
    #: Record ids (0x…) whose signatories undid what another passing record says.
    disputed_by: tuple[str, ...] = ()
    batches: tuple[BatchVerdict, ...] = ()
    texts: tuple[TextVerdict, ...] = ()

    @property
    def notarised(self) -> bool:
        anchored = any(b.signer is not None for b in self.batches)
        return bool(self.records) or anchored or any(t.instrument.notarised for t in self.texts)

    @property
    def disputed(self) -> bool:
        return bool(self.disputed_by) or any(t.instrument.disputed for t in self.texts)

    @property
    def ok(self) -> bool:
        passing = any(r.ok for r in self.records) or any(b.ok for b in self.batches)
        return (passing or any(t.ok for t in self.texts)) and not self.disputed

    @property
    def state(self) -> str:
        """verified | disputed | not-verified | not-notarised."""
        if not self.notarised:
            return "not-notarised"
        if self.disputed:
            return "disputed"
        return "verified" if self.ok else "not-verified"


def _offline_window_ok(gw: LedgerReads, a: Attestation) -> bool:
    return gw.signer_key(party_code(a.party), a.signer).authorised_at(a.time)


def _with_health(gw: LedgerReads, record: Record) -> Record:
    """The record with each standing act's health also checked off chain against the key window."""
    acts = []
    for a in record.attestations:
        if a.valid and not a.voided and not _offline_window_ok(gw, a):
            a = replace(a, valid=False)
        acts.append(a)
    return replace(record, attestations=tuple(acts))


def _amendment_holds(gw: LedgerReads, record: Record) -> bool:
    """Whether the amendment superseding `record` is executed through valid acts only."""
    amendment = _with_health(gw, gw.record(record.superseded_by))
    state = lifecycle.effective(amendment)
    return state.executed and state.status not in (Status.OPEN, Status.VOID, Status.CANCELLED)


def _parties(record: Record, mask: int) -> tuple[str, ...]:
    return tuple(p for i, p in enumerate(record.parties) if mask >> i & 1)


def _still_to_sign(record: Record, status: Status, unsigned: tuple[str, ...]) -> str:
    """Who the record waits for, or, if nobody can sign it any more, what can be done instead."""
    who = ", ".join(unsigned) or "nobody"
    if status is Status.OPEN:
        return f"waiting for {who}"
    if status is Status.CANCELLED:
        return (
            f"{who} can no longer sign: {record.submitter} cancelled it (it may notarise a corrected text, "
            "or another party may notarise this document)"
        )
    if status is Status.VOID:
        return f"{who} cannot sign a void record ({record.submitter} may notarise the document again with a valid key)"
    return f"{who} can no longer sign a {status.label} record"


def verify_record(gw: LedgerReads, record: Record, policy: Policy | None = None) -> RecordVerdict:
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
            f"{signed} of {record.quorum} required valid signatures; {_still_to_sign(record, status, unsigned)}"
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


def verify_batch_member(gw: LedgerReads, m: Membership, digest: bytes, policy: Policy) -> BatchVerdict:
    """Step 7a: one published batch holding the document."""
    from notary.errors import ContractRevertError

    aid = bytes.fromhex(m.batch.anchor_id[2:])
    try:
        on_chain = gw.batch(aid)
    except ContractRevertError as exc:
        if exc.solidity_name != "NotaryUnknownAnchor":
            raise
        return BatchVerdict(m, False, (f"batch {m.batch.anchor_id} is not anchored on this ledger (any more)",))
    reasons: list[str] = []
    signer, time = str(on_chain["signer"]), int(on_chain["time"])
    key_ok = on_chain["valid"] and gw.signer_key(party_code(m.batch.party), signer).authorised_at(time)
    if not key_ok:
        reasons.append(
            f"{m.batch.party}'s key {signer} was not authorised when it anchored the batch "
            "(declared compromised since, or outside its window)"
        )
    included = gw.verify_inclusion(aid, digest, list(m.proof))
    if not included:
        reasons.append(f"the ledger does not accept the document's Merkle proof in batch {m.batch.anchor_id}")
    if policy.in_force:
        reasons.append("the policy asks for a record in force (ratified); a batch anchor is not ratified")
    if policy.submitter and m.batch.party != policy.submitter:
        reasons.append(f"the policy asks for a record notarised by {policy.submitter}, not {m.batch.party}")
    missing = [p for p in policy.signed_by if p != m.batch.party]
    if missing:
        reasons.append(f"the policy asks for {', '.join(missing)} to be bound; a batch binds only {m.batch.party}")
    return BatchVerdict(m, not reasons, tuple(reasons), signer, time, included)


def _published(
    gw: LedgerReads, digest: bytes, policy: Policy, published: PublishedStore
) -> tuple[tuple[BatchVerdict, ...], tuple[TextVerdict, ...]]:
    """Step 7: the batches and instruments the document's holders published it in."""
    batches = tuple(verify_batch_member(gw, m, digest, policy) for m in published.memberships(digest))
    texts = tuple(
        TextVerdict(t, verify_digest(gw, bytes.fromhex(t.instrument.digest), policy))
        for t in published.texts_of(digest)
    )
    return batches, texts


def _published_reasons(batches: tuple[BatchVerdict, ...], texts: tuple[TextVerdict, ...]) -> list[str]:
    out = [r for b in batches for r in b.reasons]
    for t in texts:
        where = f"as {t.text.role} {t.text.name!r} of instrument {t.text.instrument.digest[:16]}…"
        out += [f"{where}: {r}" for r in t.instrument.reasons]
    return out


def verify_digest(
    gw: LedgerReads, digest: bytes, policy: Policy | None = None, published: PublishedStore | None = None
) -> Verdict:
    """The verdict on `digest` (the module's steps); `published` adds batch members and instrument texts."""
    policy = policy or Policy()
    batches, texts = _published(gw, digest, policy, published) if published is not None else ((), ())
    # Step 1: every record of the digest.
    ids = gw.records_of_digest(digest)
    if not ids:
        if batches or texts:
            return Verdict(digest, (), tuple(_published_reasons(batches, texts)), policy, (), batches, texts)
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
    reasons += _published_reasons(batches, texts)
    # Step 8 in Verdict.ok.
    return Verdict(digest, verdicts, tuple(reasons), policy, disputed_by, batches, texts)
