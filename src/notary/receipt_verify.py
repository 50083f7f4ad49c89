"""Verify a document against a receipt: offline with no chain access, or online against a node.

Offline, in numbered steps (each labelled in the code):

1. Integrity: every section hashes to its seal (a changed byte is caught even where no
   signature covers it).
2. Document: the file's digest is the receipt's document, or one of its texts; every
   text's Merkle path leads to the instrument digest; the texts agree with the metadata.
3. Metadata: when included, it hashes to the metadataHash the submitter signed.
4. Each signed act: its EIP-712 payload matches the record (or batch) it claims to be
   about; the signature recovers to the signer under the contract's strict rules (an
   EIP-1271 contract signer cannot be checked offline: a warning); the payload had not
   expired when recorded; the signer's key entry, as read at the act's block, authorised
   it at the act's time.
5. Record: its id binds digest and submitter; the quorum of required parties signed
   with valid acts; no cancellation, annulment quorum or withdrawals below quorum; its
   state when the receipt was written was executed or in force.
6. Batch: the anchor id binds root and party, and the Merkle path leads from the
   document's leaf to the signed root, no longer than the tree is deep.
7. What remains trusted: that the named blocks are in the chain and hold these acts.

Online, additionally (step 8, `verify_online`): each transaction is in the block the
receipt names, that block is canonical, its time is the act's time, the transaction
carries exactly this signed payload; then what changed since: new state (superseded,
annulled, terminated), new acts, keys declared compromised, reorganisations.

Verification fails closed: anything that cannot be checked is a reason, not a pass.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import rfc8785

from notary import eip712, merkle
from notary.codes import kind_code, party_code, text_to_bytes32
from notary.hashing import metadata_hash
from notary.models import Act, BatchAnchor, Intent, Notarisation, Status, anchor_id, record_id
from notary.receipts import Evidence, Receipt, sections

PASSING = (Status.EXECUTED, Status.IN_FORCE)


@dataclass
class ReceiptVerdict:
    """What verification found; `ok` only if there is no reason to reject."""

    mode: str
    matched: str = ""
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    trust: str = ""

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
        }


def _describe(e: Evidence) -> str:
    return f"{e.party}'s {e.intent}"


def _check_seal(r: Receipt, v: ReceiptVerdict) -> None:
    # Step 1.
    body = sections(r)
    for name, sealed in r.seal:
        actual = "0x" + hashlib.sha256(rfc8785.dumps(body[name])).hexdigest()
        if actual != sealed:
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


def _check_evidence(r: Receipt, e: Evidence, expected: Notarisation | Act | BatchAnchor, v: ReceiptVerdict) -> bool:
    # Step 4; returns whether the act counts.
    what = _describe(e)
    if e.payload != expected:
        got, want = eip712.message(e.payload), eip712.message(expected)
        differ = [k for k in want if got.get(k) != want[k]] or ["primaryType"]
        v.reasons.append(f"{what}: the signed payload differs from the receipt's claims in {', '.join(differ)}")
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
            v.reasons.append(f"{what}: the signature recovers to {recovered}, not to the signer {e.signer}")
            ok = False
    if e.time > e.payload.deadline:
        v.reasons.append(f"{what}: recorded at {e.time}, after the signed deadline {e.payload.deadline}")
        ok = False
    for k, when in ((e.signer_key, "as the registry held it then"), (e.signer_key_observed, "as known when written")):
        if not k.authorised_at(e.time):
            v.reasons.append(
                f"{what}: key {e.signer} was not authorised for {e.party} at {e.time}, {when} (window "
                f"[{k.valid_from}, {k.valid_until}), revoked from {k.revoked_at or 'never'}, added at {k.added_at})"
            )
            return False
    return ok


def _check_record(r: Receipt, v: ReceiptVerdict) -> None:
    c = r.record
    assert c is not None
    # Step 3 for a record.
    _check_metadata(r, c.metadata_hash, v)
    # Step 5: identity.
    submitter = party_code(c.submitter)
    if record_id(r.document.digest, submitter) != c.record_id:
        v.reasons.append("the record id does not bind the document digest and the submitter")
    notarisation = Notarisation(
        digest=r.document.digest,
        hash_algorithm=text_to_bytes32(r.document.hash_algorithm),
        kind=kind_code(c.kind),
        party=submitter,
        parties=tuple(party_code(p) for p in c.parties),
        quorum=c.quorum,
        supersedes=c.supersedes,
        metadata_hash=c.metadata_hash,
        ratification_required=c.ratification_required,
        deadline=c.attestations[0].payload.deadline,
    )
    # Step 4 for every act; the first is the notarisation itself.
    valid: dict[str, set[str]] = {}
    for i, e in enumerate(c.attestations):
        if i == 0:
            if e.intent != "signature" or e.party != c.submitter:
                v.reasons.append("the first act is not the submitter's notarisation")
            expected: Notarisation | Act = notarisation
        else:
            if e.intent == "anchor":
                v.reasons.append(f"act {i + 1} is a batch anchor, not an act on a record")
                continue
            intent = Intent[e.intent.upper()]
            expected = Act(c.record_id, party_code(e.party), intent, e.reason, e.payload.deadline)
        if i and (e.block_number, e.log_index) <= (c.attestations[i - 1].block_number, c.attestations[i - 1].log_index):
            v.reasons.append(f"{_describe(e)}: the acts are not in chain order")
        if _check_evidence(r, e, expected, v) and e.party in c.parties:
            valid.setdefault(e.intent, set()).add(e.party)
    # Step 5: the quorum and the lifecycle.
    signed = valid.get("signature", set())
    bound = signed - valid.get("withdrawal", set())
    if len(signed) < c.quorum:
        missing = ", ".join(p for p in c.parties if p not in signed)
        v.reasons.append(f"pending: {len(signed)} of {c.quorum} required valid signatures (waiting for {missing})")
    elif len(bound) < c.quorum:
        v.reasons.append(f"terminated: withdrawals leave {len(bound)} bound parties, fewer than the quorum {c.quorum}")
    if valid.get("cancellation"):
        v.reasons.append("cancelled by its submitter")
    if len(valid.get("annulment", set())) >= c.quorum:
        v.reasons.append("annulled: a quorum of parties signed its annulment")
    if c.status not in PASSING and not any(x.startswith(("pending", "terminated")) for x in v.reasons):
        why = f" by record 0x{c.superseded_by.hex()}" if c.status is Status.SUPERSEDED else ""
        v.reasons.append(f"the record was {c.status.label}{why} when this receipt was written")
    if c.ratification_required and len(valid.get("ratification", set())) < c.quorum:
        v.warnings.append(f"{len(valid.get('ratification', set()))} of {c.quorum} ratifications: signed, not in force")


def _check_batch(r: Receipt, v: ReceiptVerdict) -> None:
    b = r.batch
    assert b is not None
    # Step 3 for a batch.
    _check_metadata(r, b.metadata_hash, v)
    # Step 6.
    if anchor_id(b.root, party_code(b.party)) != b.anchor_id:
        v.reasons.append("the anchor id does not bind the root and the anchoring party")
    expected = BatchAnchor(
        b.root,
        party_code(b.party),
        b.count,
        text_to_bytes32(b.hash_algorithm),
        b.metadata_hash,
        b.anchor.payload.deadline,
    )
    if b.anchor.party != b.party or b.anchor.intent != "anchor":
        v.reasons.append("the anchor's evidence is not the anchoring party's")
    _check_evidence(r, b.anchor, expected, v)
    if r.document.hash_algorithm != b.hash_algorithm:
        v.reasons.append(f"the document is hashed with {r.document.hash_algorithm}, the batch with {b.hash_algorithm}")
    depth = max(0, (b.count - 1).bit_length())  # ceil(log2(count))
    if len(b.proof) > depth:
        v.reasons.append(f"the Merkle path has {len(b.proof)} steps; a batch of {b.count} is only {depth} deep")
    elif not merkle.verify(r.document.digest, b.proof, b.root):
        v.reasons.append("the Merkle path does not lead from the document to the anchored root")


def _trust(r: Receipt) -> str:
    acts = r.record.attestations if r.record is not None else (r.batch.anchor,) if r.batch is not None else ()
    blocks = ", ".join(sorted({f"{e.block_number} ({e.block_hash[:10]}…)" for e in acts}))
    return (
        f"offline, this assumes that block(s) {blocks} are in the canonical history of chain {r.chain.chain_id} and "
        f"hold these transactions of ledger {r.chain.ledger}, with the times and key entries stated; "
        "confirm online with `notary verify FILE --receipt R` (without --offline)"
    )


def verify_offline(r: Receipt, digest: bytes) -> ReceiptVerdict:
    """Steps 1-7: everything the receipt proves by itself, with no chain access."""
    v = ReceiptVerdict("offline")
    _check_seal(r, v)
    _check_document(r, digest, v)
    if r.record is not None:
        _check_record(r, v)
    elif r.batch is not None:
        if v.matched:
            v.matched = f"a document of the batch of {r.batch.count} anchored by {r.batch.party}"
        _check_batch(r, v)
    else:  # pragma: no cover - the parser requires one
        v.reasons.append("the receipt holds neither a record nor a batch")
    v.trust = _trust(r)
    return v
