"""Verify a document against a receipt: offline with no chain access, or online against a node.

Offline, in numbered steps (each labelled in the code):

0. Deployment: the receipt's chain id, ledger and registry are a pinned deployment
   (`notary.trust`: the configured manifest or the trust store). Anyone can deploy copies
   of the contracts and write receipts for them; an unpinned deployment is a reason.
1. Integrity: every section hashes to its seal (a changed byte is caught even where no
   signature covers it).
2. Document: the file's digest is the receipt's document, or one of its texts; every
   text's Merkle path leads to the instrument digest; the texts agree with the metadata.
3. Metadata: when included, it hashes to the metadataHash the submitter signed.
4. Each signed act: its EIP-712 payload is the act the receipt says, over the record's
   terms (or the batch's fields); the signature recovers to the signer under the
   contract's strict rules (an EIP-1271 contract signer cannot be checked offline: a
   warning); the payload had not expired when recorded; the signer's key entry, as read at
   the act's block, authorised it at the act's time (the contract checked exactly that).
   An act whose key is known, when the receipt was written, not to have been authorised at
   its time (declared compromised since) does not count, voided on chain yet or not; an act
   the ledger voided never counts.
5. Record: its id binds digest and submitter, its terms are the receipt's claims; its
   state is the contract's (`notary.lifecycle`) over the acts that count: a quorum of
   signatures executes it; annulment and ratification quorums count bound parties only;
   a cancellation, annulment or withdrawal by an unauthorised key changes nothing. The
   state on chain when the receipt was written must be what its acts give there; only an
   executed or in-force state passes.
6. Batch: the anchor id binds root and party, and the Merkle path leads from the
   document's leaf to the signed root (as OpenZeppelin's MerkleProof, whatever its length;
   how many documents the batch holds is information only, never a reason).
7. State proofs (`notary.receipts.state`, steps 7a-7d), when the receipt carries them: each
   named block's header hashes to its hash, and the registry's key entries (at each act's
   block and when written), each act's time (its block's), the record's stored terms hash,
   state and act history (or the batch's stored signer and time) read through the proofs
   against the header's state root are the receipt's claims. What remains trusted is then
   only that the proved block hashes are canonical. Without state proofs (`stateProofs`
   null or absent), it is that the named blocks are in the chain and hold these acts, with
   the times and key entries stated: the verdict says which (`state_proofs`).

Online, additionally (step 8, `verify_online`): the ledger's `registry()` is the receipt's
registry and both contracts' code is the pinned code; each act's event is in the block the
receipt names, that block is canonical, its time is the act's time, the event carries
exactly this signed payload; then what changed since: new state (superseded, annulled,
terminated), new acts, voids, keys declared compromised, reorganisations.

Verification fails closed: anything that cannot be checked is a reason, not a pass.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from notary import eip712, lifecycle, merkle
from notary.codes import kind_code, text_to_bytes32
from notary.codes import party_code as _party_code
from notary.hashing import metadata_hash
from notary.models import (
    Act,
    Attestation,
    BatchAnchor,
    Intent,
    Notarisation,
    Record,
    Status,
    Terms,
    anchor_id,
    record_id,
)
from notary.receipts import Evidence, Receipt, RecordPart, sealed_digests
from notary.receipts.state import check as check_state_proofs
from notary.trust import RECEIPT, Anchors, Pin

PASSING = (Status.EXECUTED, Status.IN_FORCE)
#: A party code's bytes32, remembered: a receipt names its few parties many times (invalid codes still raise).
party_code = functools.lru_cache(maxsize=1024)(_party_code)
_INTENTS = {i.name: i for i in Intent}


def _intent(label: str) -> Intent:
    """`Intent[label.upper()]` (a KeyError for "anchor"), without the enum's lookup machinery."""
    return _INTENTS[label.upper()]


#: What a verdict says of the receipt's state proofs (`ReceiptVerdict.state_proofs`).
PROVED, UNPROVED, REFUTED = "verified", "absent", "invalid"


@dataclass
class ReceiptVerdict:
    """What verification found; `ok` only if there is no reason to reject."""

    mode: str
    matched: str = ""
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    trust: str = ""
    deployment: Pin | None = None  # the pinned deployment trusted (step 0), if any
    state_proofs: str = UNPROVED  # PROVED, UNPROVED (none in the receipt) or REFUTED (step 7)
    #: The numbered steps as run: (number, what was checked, "ok" | "failed" | "warning").
    steps: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.reasons

    def to_json(self) -> dict[str, object]:
        return {
            "verified": self.ok,
            "mode": self.mode,
            "matched": self.matched,
            "reasons": list(self.reasons),
            "warnings": list(self.warnings),
            "changes": list(self.changes),
            "trustAssumption": self.trust,
            "stateProofs": self.state_proofs,
            "deployment": self.deployment.to_json() if self.deployment is not None else None,
            "steps": [{"step": n, "check": what, "outcome": outcome} for n, what, outcome in self.steps],
        }


class step:  # noqa: N801 - used as a function: `with step(v, "1", "…"):`
    """Record step `number` as failed if it added a reason, a warning if it added one, else ok (not at
    all if it raised)."""

    __slots__ = ("v", "number", "what", "reasons", "warnings")

    def __init__(self, v: ReceiptVerdict, number: str, what: str) -> None:
        self.v, self.number, self.what = v, number, what

    def __enter__(self) -> None:
        self.reasons, self.warnings = len(self.v.reasons), len(self.v.warnings)

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is None:
            v = self.v
            failed, warned = len(v.reasons) > self.reasons, len(v.warnings) > self.warnings
            v.steps.append((self.number, self.what, "failed" if failed else "warning" if warned else "ok"))


def _describe(e: Evidence) -> str:
    return f"{e.party}'s {e.intent}"


def _check_deployment(r: Receipt, trusted: Anchors, v: ReceiptVerdict) -> None:
    # Step 0.
    pin, reason = trusted.check(r.chain.chain_id, r.chain.ledger, r.chain.registry)
    if pin is None:
        v.reasons.append(reason)
        return
    v.deployment = pin
    if pin.source == RECEIPT:
        v.warnings.append(
            "the receipt's own deployment was trusted (--trust-receipt-deployment): a receipt of a forged copy of "
            "the contracts verifies too; pin the deployment with `notary trust add` instead"
        )


def _check_seal(r: Receipt, v: ReceiptVerdict) -> None:
    # Step 1.
    actual = sealed_digests(r)
    for name, sealed in r.seal:
        if actual[name] != sealed:
            v.reasons.append(
                f"the {name} section does not match its seal: the receipt was altered after it was written"
            )


def _check_document(r: Receipt, digest: bytes, v: ReceiptVerdict) -> None:
    # Step 2.
    doc = r.document
    for i, t in enumerate(doc.texts):
        if not merkle.verify(t.digest, t.proof, doc.digest):
            v.reasons.append(f"text {i + 1} ({t.name}): its Merkle path does not lead to the instrument digest")
    if doc.texts and doc.hash_algorithm != "merkle-sha256":
        v.reasons.append(f"the document lists texts but its hash algorithm is {doc.hash_algorithm}, not merkle-sha256")
    if len({t.digest for t in doc.texts}) != len(doc.texts):
        v.reasons.append("the same text digest is listed twice")
    if r.metadata is not None and doc.texts:
        listed = [{"name": t.name, "role": t.role, "sha256": t.digest.hex()} for t in doc.texts]
        if r.metadata.get("texts") != listed:
            v.reasons.append("the texts listed differ from the texts in the signed metadata (names, roles or order)")
    if digest == doc.digest:
        v.matched = "the notarised document" if not doc.texts else "the whole instrument (its digest)"
        return
    for i, t in enumerate(doc.texts):
        if digest == t.digest:
            v.matched = f"part {i + 1} of {len(doc.texts)} of the instrument: {t.name} ({t.role})"
            return
    where = "nor one of its texts" if doc.texts else ""
    v.reasons.append(
        f"the file's SHA-256 {digest.hex()} is not the receipt's document ({doc.digest.hex()}) {where}".rstrip()
    )


def _check_metadata(r: Receipt, expected: bytes, v: ReceiptVerdict) -> None:
    # Step 3.
    if r.metadata is None:
        if r.document.texts:
            v.warnings.append("the metadata is not included: the texts' names and roles are not bound by a signature")
        else:
            v.warnings.append(f"the metadata (e.g. title) is not included; only its hash {expected.hex()} is signed")
        return
    if metadata_hash(r.metadata) != expected:
        v.reasons.append(f"the metadata does not hash to the signed metadataHash {expected.hex()}")


def _differences(got: Notarisation | Act | BatchAnchor, want: Notarisation | Act | BatchAnchor) -> list[str]:
    if type(got) is not type(want):
        return ["primaryType"]
    a, b = eip712.message(got), eip712.message(want)
    return [k for k in b if a.get(k) != b[k]] or ["primaryType"]


def _check_evidence(r: Receipt, e: Evidence, expected: Notarisation | Act | BatchAnchor, v: ReceiptVerdict) -> bool:
    # Step 4; returns whether the act is genuine as recorded (whether it counts is decided by the caller).
    what = _describe(e)
    if e.payload != expected:
        differ = ", ".join(_differences(e.payload, expected))
        v.reasons.append(f"{what}: the signed payload differs from the receipt's claims in {differ}")
        return False
    ok = True
    if e.contract_signer:
        v.warnings.append(
            f"{what} is by contract signer {e.signer} (EIP-1271): its signature cannot be checked offline; "
            "the chain accepted it, and online verification re-checks the act"
        )
    else:
        try:
            recovered = eip712.recover_signer(e.payload, r.chain.domain, e.signature)
        except Exception as exc:  # malformed signature: the strict rules or the curve refuse it
            v.reasons.append(f"{what}: the signature is invalid ({exc})")
            return False
        if recovered != e.signer:
            v.reasons.append(
                f"{what}: the signature recovers to {recovered}, not to the signer {e.signer}: it is not over "
                "this act and these terms on this ledger"
            )
            ok = False
    if e.time > e.payload.deadline:
        v.reasons.append(f"{what}: recorded at {e.time}, after the signed deadline {e.payload.deadline}")
        ok = False
    k = e.signer_key
    if not k.authorised_at(e.time):
        v.reasons.append(
            f"{what}: key {e.signer} was not authorised for {e.party} at {e.time}, as the registry held it then "
            f"(window [{k.valid_from}, {k.valid_until}), revoked from {k.revoked_at or 'never'}, added at "
            f"{k.added_at}): the ledger would have refused it"
        )
        return False
    return ok


def _claimed_terms(r: Receipt, c: RecordPart) -> Terms:
    return Terms(
        digest=r.document.digest,
        hash_algorithm=text_to_bytes32(r.document.hash_algorithm),
        kind=kind_code(c.kind),
        submitter=party_code(c.submitter),
        parties=tuple(party_code(p) for p in c.parties),
        quorum=c.quorum,
        supersedes=c.supersedes,
        metadata_hash=c.metadata_hash,
        ratification_required=c.ratification_required,
    )


def _attestation(e: Evidence, valid: bool) -> Attestation:
    intent = _intent(e.intent)
    return Attestation(e.party, intent, e.signer, e.time, valid, e.reason, voided=e.voided is not None)


_EXECUTED_STATES = (Status.EXECUTED, Status.IN_FORCE, Status.SUPERSEDED, Status.ANNULLED, Status.TERMINATED)


def _on_chain(c: RecordPart, standing: list[Evidence], void: bool) -> Record:
    """The record as the ledger holds it, rebuilt from the acts that stand there (not voided):
    party sets, execution and the status `_derive` gives (supersession is the receipt's word)."""
    masks = [0, 0, 0, 0]
    slot = {Intent.SIGNATURE: 0, Intent.WITHDRAWAL: 1, Intent.ANNULMENT: 2, Intent.RATIFICATION: 3}
    cancelled = False
    for e in standing:
        intent = _intent(e.intent)
        if intent == Intent.CANCELLATION:
            cancelled = True
        else:
            masks[slot[intent]] |= 1 << c.parties.index(e.party)
    status = Status.VOID if void else Status.CANCELLED if cancelled else Status.OPEN
    # An amendment also needs its target's consent: the receipt's state says whether it had it.
    plain = c.supersedes == bytes(32)
    executed = lifecycle.popcount(masks[0]) >= c.quorum if plain else c.status in _EXECUTED_STATES
    # What `lifecycle.State.of` reads of the record built below, before `derive` gives its status.
    held = lifecycle.State(
        status=status,
        signed=masks[0],
        withdrawn=masks[1],
        annulled=masks[2],
        ratified=masks[3],
        quorum=c.quorum,
        party_count=len(c.parties),
        ratification_required=c.ratification_required,
        executed=executed,
        superseded=c.superseded_by != bytes(32),
    )
    return Record(
        record_id=c.record_id, digest=c.terms.digest, hash_algorithm="", kind=c.kind, submitter=c.submitter,
        parties=c.parties, quorum=c.quorum, supersedes=c.supersedes, superseded_by=c.superseded_by,
        metadata_hash=c.metadata_hash, ratification_required=c.ratification_required, status=lifecycle.derive(held),
        created_at=0, updated_at=0, signatures=0, ratifications=0, annulments=0, withdrawals=0, terms=c.terms,
        masks=(masks[0], masks[1], masks[2], masks[3]), executed=executed,
    )  # fmt: skip


def payload_of(terms: Terms, party: bytes, intent: Intent, reason: str, deadline: int) -> Notarisation | Act:
    """The payload an act's signature is over (`ledger.payload_of_act`, kept here so that offline
    verification needs no chain client): the submitter's signature act is its notarisation."""
    if intent == Intent.SIGNATURE and party == terms.submitter:
        return Notarisation.of(terms, deadline)
    return Act(terms=terms, party=party, intent=intent, reason=reason, deadline=deadline)


def _check_record(r: Receipt, v: ReceiptVerdict) -> None:
    c = r.record
    assert c is not None
    # Step 3 for a record.
    _check_metadata(r, c.metadata_hash, v)
    # Step 5: identity and terms.
    submitter = party_code(c.submitter)
    if record_id(r.document.digest, submitter) != c.record_id or c.terms.record_id != c.record_id:
        v.reasons.append("the record id does not bind the document digest and the submitter")
    claimed = _claimed_terms(r, c)
    if claimed != c.terms:
        want, got = eip712.terms_message(claimed), eip712.terms_message(c.terms)
        differ = [k for k in want if want[k] != got[k]]
        v.reasons.append(f"the signed terms differ from the receipt's claims in {', '.join(differ)}")
    # Step 4 for every act; the first is the notarisation itself.
    standing: list[Evidence] = []  # genuine, not voided on chain: counts there
    unauthorised: list[Evidence] = []  # of those, keys known since not to have been authorised then
    void = broken = False
    for i, e in enumerate(c.attestations):
        if i == 0 and (e.intent != "signature" or e.party != c.submitter):
            v.reasons.append("the first act is not the submitter's notarisation")
        if e.intent == "anchor" or e.party not in c.parties:
            what = "a batch anchor, not an act on a record" if e.intent == "anchor" else f"by {e.party}, not a party"
            v.reasons.append(f"act {i + 1} is {what}")
            broken = True
            continue
        if i and (e.block_number, e.log_index) <= (c.attestations[i - 1].block_number, c.attestations[i - 1].log_index):
            v.reasons.append(f"{_describe(e)}: the acts are not in chain order")
        expected = payload_of(c.terms, party_code(e.party), _intent(e.intent), e.reason, e.payload.deadline)
        if not _check_evidence(r, e, expected, v):
            broken = True
            continue
        if e.voided is not None:
            void = void or (i == 0)
            _check_void(c, e, v)
            continue
        standing.append(e)
        k = e.signer_key_observed
        if not k.authorised_at(e.time):
            unauthorised.append(e)
            v.warnings.append(
                f"{_describe(e)} does not count: key {e.signer} is known (when the receipt was written) not to "
                f"have been authorised for {e.party} at {e.time} (window [{k.valid_from}, {k.valid_until}), "
                f"revoked from {k.revoked_at or 'never'}); the ledger voids it when anyone asks (`notary void`)"
            )
    # Step 5: the state the ledger holds, then the state the valid acts give.
    chain = _on_chain(c, standing, void)
    if chain.status is not c.status and not broken:
        v.reasons.append(
            f"the record was {c.status.label} when this receipt was written, but its acts give {chain.status.label}"
        )
    state = lifecycle.effective(chain, [_attestation(e, False) for e in unauthorised])
    status = state.status
    if status in PASSING and status is not chain.status:
        v.warnings.append(f"on chain the record reads {chain.status.label} until those acts are voided")
    _state_reasons(c, state, v)


def _check_void(c: RecordPart, e: Evidence, v: ReceiptVerdict) -> None:
    """A voided act: its key was not authorised at its time, or it fell with its party's voided signature."""
    assert e.voided is not None
    if e.voided.time < e.time or (e.voided.block_number, e.voided.log_index) < (e.block_number, e.log_index):
        v.reasons.append(f"{_describe(e)}: voided before it was recorded")
    if e.signer_key_observed.authorised_at(e.time):
        fell_with = any(
            x.party == e.party and x.intent == "signature" and x.voided is not None
            and x.voided.transaction == e.voided.transaction
            for x in c.attestations
        )  # fmt: skip
        if e.intent == "signature" or not fell_with:
            v.reasons.append(f"{_describe(e)} is marked voided, but its key was authorised at its time")


def _state_reasons(c: RecordPart, state: lifecycle.State, v: ReceiptVerdict) -> None:
    status = state.status
    signed = [p for i, p in enumerate(c.parties) if state.signed >> i & 1]
    bound = lifecycle.popcount(state.bound)
    if status is Status.OPEN:
        if len(signed) < c.quorum:
            missing = ", ".join(p for p in c.parties if p not in signed)
            v.reasons.append(f"pending: {len(signed)} of {c.quorum} required valid signatures (waiting for {missing})")
        else:
            v.reasons.append("pending: the amendment has not executed (its target's bound parties must all sign it)")
    elif status is Status.TERMINATED:
        v.reasons.append(f"terminated: withdrawals leave {bound} bound parties, fewer than the quorum {c.quorum}")
    elif status is Status.ANNULLED:
        v.reasons.append("annulled: a quorum of bound parties signed its annulment")
    elif status is Status.CANCELLED:
        v.reasons.append("cancelled by its submitter")
    elif status is Status.VOID:
        v.reasons.append("void: the submitter's notarisation was signed by a key not authorised at its time")
    elif status is Status.SUPERSEDED:
        v.reasons.append(f"the record was superseded by record 0x{c.superseded_by.hex()} when this receipt was written")
    if c.ratification_required and status is Status.EXECUTED:
        ratified = lifecycle.popcount(state.ratified & state.bound)
        v.warnings.append(f"{ratified} of {c.quorum} ratifications (of bound parties): signed, not in force")


def _check_batch(r: Receipt, v: ReceiptVerdict) -> None:
    b = r.batch
    assert b is not None
    # Step 3 for a batch.
    _check_metadata(r, b.metadata_hash, v)
    # Step 6.
    if anchor_id(b.root, party_code(b.party)) != b.anchor_id:
        v.reasons.append("the anchor id does not bind the root and the anchoring party")
    expected = BatchAnchor(
        b.root, party_code(b.party), text_to_bytes32(b.hash_algorithm), b.metadata_hash, b.anchor.payload.deadline
    )
    if b.anchor.party != b.party or b.anchor.intent != "anchor":
        v.reasons.append("the anchor's evidence is not the anchoring party's")
    if _check_evidence(r, b.anchor, expected, v):
        k = b.anchor.signer_key_observed
        if not k.authorised_at(b.anchor.time):
            v.reasons.append(
                f"{b.party}'s anchor: key {b.anchor.signer} is known (when the receipt was written) not to have been "
                f"authorised at {b.anchor.time} (revoked from {k.revoked_at or 'never'}): the batch is not valid"
            )
    if r.document.hash_algorithm != b.hash_algorithm:
        v.reasons.append(f"the document is hashed with {r.document.hash_algorithm}, the batch with {b.hash_algorithm}")
    if not merkle.verify(r.document.digest, b.proof, b.root):
        v.reasons.append("the Merkle path does not lead from the document to the anchored root")


def documents_of(metadata: dict[str, object] | None) -> int | None:
    """How many documents the batch's metadata says it holds (information only; signed through its hash)."""
    n = (metadata or {}).get("documents")
    return n if isinstance(n, int) and not isinstance(n, bool) and n > 0 else None


_CONFIRM = "confirm online with `notary verify FILE --receipt R` (without --offline)"


def _trust(r: Receipt, v: ReceiptVerdict) -> str:
    # Step 7.
    if r.proofs is not None:
        reasons, proved = check_state_proofs(r, v.deployment)
        v.reasons.extend(reasons)
        v.state_proofs = REFUTED if reasons else PROVED
        if not reasons:
            blocks = ", ".join(f"{b.number} ({b.hash[:10]}…)" for b in r.proofs.blocks if b.number in proved)
            return (
                f"offline, this trusts only that block(s) {blocks} are in the canonical history of chain "
                f"{r.chain.chain_id}: the receipt's state proofs tie every key entry, act time and the "
                f"{r.subject}'s stored state to those blocks' state roots; {_CONFIRM}, or check the block hashes "
                "against any node or explorer you trust"
            )
    acts = r.record.attestations if r.record is not None else (r.batch.anchor,) if r.batch is not None else ()
    blocks = ", ".join(sorted({f"{e.block_number} ({e.block_hash[:10]}…)" for e in acts}))
    carries = "its state proofs do not hold" if r.proofs is not None else "this receipt carries no state proofs"
    return (
        f"{carries}: offline, this assumes that block(s) {blocks} are in the canonical history of chain "
        f"{r.chain.chain_id} and hold these transactions of ledger {r.chain.ledger}, with the times and key "
        f"entries stated; {_CONFIRM}"
    )


def verify_offline(r: Receipt, digest: bytes, trusted: Anchors) -> ReceiptVerdict:
    """Steps 0-7: everything the receipt proves by itself, with no chain access, if its deployment is
    one of the `trusted` pins (none trusts nothing)."""
    v = ReceiptVerdict("offline")
    with step(v, "0", "the deployment is pinned (trust store or manifest)"):
        _check_deployment(r, trusted, v)
    with step(v, "1", "every section matches its seal"):
        _check_seal(r, v)
    with step(v, "2", "the file is the receipt's document (or one of its texts)"):
        _check_document(r, digest, v)
    if r.record is not None:
        with step(v, "3-5", "metadata, every signed act (EIP-712 signature, key window) and the record's state"):
            _check_record(r, v)
    elif r.batch is not None:
        if v.matched:
            n = documents_of(r.metadata)
            of = f" of {n}" if n is not None else ""
            v.matched = f"a document of the batch{of} anchored by {r.batch.party}"
        with step(v, "3-6", "metadata, the signed anchor and the Merkle path to its root"):
            _check_batch(r, v)
    else:  # pragma: no cover - the parser requires one
        v.reasons.append("the receipt holds neither a record nor a batch")
    with step(v, "7", "state proofs against the named blocks' headers (what remains trusted)"):
        v.trust = _trust(r, v)
    if v.state_proofs == UNPROVED:
        v.steps[-1] = (*v.steps[-1][:2], "not proved")
    return v
