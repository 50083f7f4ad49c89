"""Step 8 of receipt verification: confirm a receipt against a node and report what changed since.

8a. The node serves the receipt's chain; the deployment is pinned (step 0); the ledger's code is
    at the receipt's address and its `registry()` is the receipt's registry; both contracts'
    code hashes are the pinned ones (a trust store pin; a manifest pins addresses only).
    Code that is not this version's compiled contract (immutables masked) is a warning.
8b. Each act's transaction is mined, successful, in the block the receipt names; that block
    is canonical (same hash) and its time is the act's time: otherwise it was reorganised.
8c. The event at the receipt's position (ActRecorded, or BatchAnchored) carries exactly the
    receipt's signed payload, signer and signature, and a record's terms are those of its
    RecordNotarised event; an act the receipt says was voided has its ActVoided event.
8c'. The blocks the receipt's state proofs name (step 7) are canonical: the one thing those proofs
    leave trusted, now confirmed by the node.
8d. What changed since: acts voided, keys declared compromised as of a time before they
    signed (the act no longer counts), the record's state as its valid acts give it now
    (`notary.verify`, the contract's rules: superseded, annulled, terminated, or executed
    since a pending receipt), acts recorded after the receipt; for a batch, the anchor is
    stored as signed, still valid, and the ledger's own MerkleProof accepts the path.

The gateway is built from the receipt's addresses once they are pinned (`notary.trust`).
"""

from __future__ import annotations

from typing import Any

from notary import eip712
from notary.chain import code
from notary.chain.connect import Chain
from notary.chain.gateway import LedgerGateway
from notary.codes import bytes32_to_text, party_code
from notary.deployment import DeployedContract, Deployment
from notary.models import Intent, Terms
from notary.receipts import Evidence, Receipt
from notary.receipts.build import anchor_payload_of
from notary.receipts.verify import PASSING, PROVED, ReceiptVerdict, payload_of, step, verify_offline
from notary.trust import Anchors, judge


def gateway_for(chain: Chain, r: Receipt) -> LedgerGateway:
    first = min(e.block_number for e in _acts(r))
    deployment = Deployment(
        chain_id=r.chain.chain_id,
        registry=DeployedContract(r.chain.registry, 0, "", ""),
        ledger=DeployedContract(r.chain.ledger, first, "", ""),
        depositary="",
    )
    return LedgerGateway(chain, deployment)


def _acts(r: Receipt) -> tuple[Evidence, ...]:
    if r.record is not None:
        return r.record.attestations
    assert r.batch is not None
    return (r.batch.anchor,)


def _at(logs: list[dict[str, Any]], transaction: str, log_index: int) -> dict[str, Any] | None:
    return next((x for x in logs if (x["transaction"], x["logIndex"]) == (transaction, log_index)), None)


def _terms_of(log: dict[str, Any]) -> Terms:
    return Terms(
        bytes(log["digest"]), bytes(log["hashAlgorithm"]), bytes(log["kind"]), bytes(log["party"]),
        tuple(bytes(p) for p in log["parties"]), int(log["quorum"]), bytes(log["supersedes"]),
        bytes(log["metadataHash"]), bool(log["ratificationRequired"]),
    )  # fmt: skip


def _located(gw: LedgerGateway, e: Evidence, v: ReceiptVerdict) -> bool:
    # 8b.
    what = f"{e.party}'s {e.intent} (transaction {e.transaction})"
    found = gw.transaction_location(e.transaction)
    if found is None:
        v.reasons.append(f"reorganised: {what} is no longer on chain")
        return False
    number, block_hash = found
    if (number, block_hash) != (e.block_number, e.block_hash):
        v.reasons.append(f"reorganised: {what} is now in block {number} ({block_hash}), not {e.block_number}")
        return False
    if gw.block_hash(e.block_number) != e.block_hash:
        v.reasons.append(f"reorganised: block {e.block_number} is no longer {e.block_hash}")
        return False
    if gw.block_time(e.block_number) != e.time:
        v.reasons.append(f"{what}: block {e.block_number}'s time is not the receipt's {e.time}")
    return True


def _key_changes(gw: LedgerGateway, e: Evidence, v: ReceiptVerdict) -> None:
    # 8d: a key declared compromised since (whether the act still matters is the state's to say).
    now = gw.signer_key(party_code(e.party), e.signer)
    if e.signer_key_observed.authorised_at(e.time) and not now.authorised_at(e.time):
        v.changes.append(
            f"{e.party}'s key {e.signer} was declared compromised (revoked from {now.revoked_at}) "
            f"since the receipt: its {e.intent} at {e.time} no longer counts"
        )


def _confirm_record(gw: LedgerGateway, r: Receipt, v: ReceiptVerdict) -> bool:
    c = r.record
    assert c is not None
    if not all([_located(gw, e, v) for e in c.attestations]):
        return False
    # 8c: the events as the receipt has them.
    acts, voids = gw.act_logs(c.record_id), gw.void_logs(c.record_id)
    notarised = [x for x in gw.notarised_logs(c.record_id) if x["transaction"] == c.attestations[0].transaction]
    if (
        not notarised
        or _terms_of(notarised[-1]) != c.terms
        or bytes(notarised[-1]["termsHash"]) != eip712.terms_hash(c.terms)
    ):
        v.reasons.append("the record's RecordNotarised event does not carry the receipt's terms")
        return False
    ok = True
    for e in c.attestations:
        log = _at(acts, e.transaction, e.log_index)
        what = f"{e.party}'s {e.intent} (transaction {e.transaction})"
        if log is None:
            v.reasons.append(f"{what}: no ActRecorded event of this record at log {e.log_index}")
            ok = False
            continue
        intent, party = Intent(int(log["intent"])), bytes(log["party"])
        payload = payload_of(c.terms, party, intent, str(log["reason"]), int(log["deadline"]))
        seen = (bytes32_to_text(party), intent.label, log["signer"], str(log["reason"]), int(log["time"]))
        if (payload, bytes(log["signature"])) != (e.payload, e.signature) or seen != (
            e.party, e.intent, e.signer, e.reason, e.time
        ):  # fmt: skip
            v.reasons.append(f"{what} carries another signed payload than the receipt's")
            ok = False
        if e.voided is not None:
            found = _at(voids, e.voided.transaction, e.voided.log_index)
            if found is None or (found["blockNumber"], found["blockHash"], int(found["time"])) != (
                e.voided.block_number, e.voided.block_hash, e.voided.time
            ):  # fmt: skip
                v.reasons.append(f"{what}: the receipt says it was voided, but the chain has no such ActVoided event")
                ok = False
        _key_changes(gw, e, v)
    return ok


def _record_changes(gw: LedgerGateway, r: Receipt, v: ReceiptVerdict) -> None:
    from notary.verify import verify_record

    c = r.record
    assert c is not None
    notarised = gw.notarised_logs(c.record_id)
    latest = notarised[-1]
    if latest["transaction"] != c.attestations[0].transaction:
        v.changes.append(f"the record was voided and notarised again in block {latest['blockNumber']}")
        v.reasons.append("the receipt's notarisation of the record is void: it was notarised again since")
        return
    now = verify_record(gw, gw.record(c.record_id))
    status = now.effective_status or now.record.status
    if now.record.status is not c.status:
        v.changes.append(f"the record was {c.status.label} and is now {now.record.status.label}")
    if now.record.superseded_by != bytes(32) and now.record.superseded_by != c.superseded_by:
        v.changes.append(f"superseded by record 0x{now.record.superseded_by.hex()}")
    if status not in PASSING:
        v.reasons.append(f"the record is now {status.label}")
    elif now.record.status is not c.status and c.status not in PASSING:
        v.changes.append(f"the record is now {status.label}: write a fresh receipt with `notary receipt`")
    if status is not now.record.status and now.record.status is not c.status:
        v.warnings.append(f"on chain the record reads {now.record.status.label}; its valid acts give {status.label}")
    known = {(e.transaction, e.log_index) for e in c.attestations}
    start = (int(latest["blockNumber"]), int(latest["logIndex"]))
    for log in gw.act_logs(c.record_id):
        if (int(log["blockNumber"]), int(log["logIndex"])) > start and (
            log["transaction"],
            log["logIndex"],
        ) not in known:
            v.changes.append(
                f"{bytes32_to_text(log['party'])} recorded a {Intent(log['intent']).label} in block "
                f"{log['blockNumber']} after this receipt"
            )
    voided = {(x.voided.transaction, x.voided.log_index) for x in c.attestations if x.voided is not None}
    for log in gw.void_logs(c.record_id):
        if (int(log["blockNumber"]), int(log["logIndex"])) > start and (
            log["transaction"],
            log["logIndex"],
        ) not in voided:
            v.changes.append(
                f"{bytes32_to_text(log['party'])}'s {Intent(log['intent']).label} was voided in block "
                f"{log['blockNumber']} after this receipt: it no longer counts"
            )


def _confirm_batch(gw: LedgerGateway, r: Receipt, v: ReceiptVerdict) -> None:
    b = r.batch
    assert b is not None
    e = b.anchor
    if not _located(gw, e, v):
        return
    log = gw.anchor_log(b.anchor_id)
    if log is None or (log["transaction"], log["logIndex"]) != (e.transaction, e.log_index):
        where = "none" if log is None else f"transaction {log['transaction']}"
        v.reasons.append(f"the batch's BatchAnchored event on chain is not the receipt's ({where})")
        return
    if (anchor_payload_of(log), log["signer"], bytes(log["signature"])) != (e.payload, e.signer, e.signature):
        v.reasons.append("the batch anchored on chain carries another signed payload than the receipt's")
        return
    _key_changes(gw, e, v)
    stored = gw.batch(b.anchor_id)
    if (stored["root"], stored["signer"], stored["time"]) != (b.root, e.signer, e.time):
        v.reasons.append("the batch stored on chain differs from the receipt's anchor")
    if not stored["valid"]:
        v.reasons.append(f"the batch is no longer valid: {b.party}'s key was not authorised when it anchored")
    if not gw.verify_inclusion(b.anchor_id, r.document.digest, list(b.proof)):
        v.reasons.append("the ledger's MerkleProof rejects the document's path")


def verify_online(chain: Chain, r: Receipt, digest: bytes, trusted: Anchors) -> ReceiptVerdict:
    """Offline steps 0-7, then step 8 against the node behind `chain`."""
    v = verify_offline(r, digest, trusted)
    v.mode = "online"
    with step(v, "8", "online: pinned code, the acts in canonical blocks, and what changed since"):
        _online_checks(chain, r, v)
    return v


def _online_checks(chain: Chain, r: Receipt, v: ReceiptVerdict) -> None:
    # 8a.
    if chain.chain_id != r.chain.chain_id:
        v.reasons.append(f"the node serves chain {chain.chain_id}, the receipt is for chain {r.chain.chain_id}")
        return
    if v.deployment is None:  # not pinned (step 0 said why): its contracts prove nothing
        return
    reasons, warnings = judge(v.deployment, code.observe(chain, r.chain.ledger, r.chain.registry))
    v.reasons.extend(reasons)
    v.warnings.extend(warnings)
    if reasons:
        return
    gw = gateway_for(chain, r)
    if r.record is not None:
        if _confirm_record(gw, r, v):
            _record_changes(gw, r, v)
    else:
        _confirm_batch(gw, r, v)
    if r.proofs is not None and v.state_proofs == PROVED:
        # 8c'.
        for b in r.proofs.blocks:
            if gw.block_hash(b.number) != b.hash:
                v.reasons.append(f"reorganised: block {b.number}, which the state proofs name, is no longer {b.hash}")
    head = chain.block_number()
    deepest = min(head - e.block_number + 1 for e in _acts(r))
    v.trust = (
        f"online against {chain.url} (chain {chain.chain_id}, head block {head}; the latest act has {deepest} "
        f"confirmation{'' if deepest == 1 else 's'}): this assumes that node follows the canonical chain"
    )
