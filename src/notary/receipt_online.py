"""Step 8 of receipt verification: confirm a receipt against a node and report what changed since.

8a. The node serves the receipt's chain and the ledger's code is at the receipt's address.
8b. Each act's transaction is mined, successful, in the block the receipt names; that block
    is canonical (same hash) and its time is the act's time: otherwise it was reorganised.
8c. The transaction carries exactly the receipt's signed payload, signer and signature.
8d. What changed since: keys declared compromised as of a time before they signed (the
    act no longer counts), the record's new state (superseded, annulled, terminated, or
    executed since a pending receipt), acts recorded after the receipt; for a batch, the
    anchor is stored as signed and the ledger's own MerkleProof accepts the path.

The gateway is built from the receipt's own addresses: no deployment manifest is needed.
"""

from __future__ import annotations

from notary.chain.connect import Chain
from notary.chain.gateway import LedgerGateway
from notary.codes import party_code
from notary.deployment import DeployedContract, Deployment
from notary.errors import NotaryError
from notary.models import Intent
from notary.receipt_verify import PASSING, ReceiptVerdict, verify_offline
from notary.receipts import Evidence, Receipt


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


def _confirm(gw: LedgerGateway, e: Evidence, v: ReceiptVerdict) -> bool:
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
    # 8c.
    try:
        payload, signer, signature = gw.signed_call(e.transaction)
    except NotaryError as exc:
        v.reasons.append(f"{what}: {exc.message}")
        return False
    if (payload, signer, signature) != (e.payload, e.signer, e.signature):
        v.reasons.append(f"{what} carries another signed payload than the receipt's")
        return False
    # 8d: a key declared compromised since.
    now = gw.signer_key(party_code(e.party), e.signer)
    if not now.authorised_at(e.time):
        v.changes.append(
            f"{e.party}'s key {e.signer} was declared compromised (revoked from {now.revoked_at}) "
            f"since the receipt: its {e.intent} at {e.time} no longer counts"
        )
        v.reasons.append(f"{e.party}'s {e.intent}: the key is now known to have been compromised when it signed")
    return True


def _record_changes(gw: LedgerGateway, r: Receipt, v: ReceiptVerdict) -> None:
    c = r.record
    assert c is not None
    now = gw.record(c.record_id, with_attestations=False)
    if now.status is not c.status:
        v.changes.append(f"the record was {c.status.label} and is now {now.status.label}")
    if now.superseded_by != bytes(32) and now.superseded_by != c.superseded_by:
        v.changes.append(f"superseded by record 0x{now.superseded_by.hex()}")
    if now.status not in PASSING:
        v.reasons.append(f"the record is now {now.status.label}")
    elif c.status not in PASSING:
        v.changes.append(f"the record is now {now.status.label}: write a fresh receipt with `notary receipt`")
    known = {(e.transaction, e.log_index) for e in c.attestations}
    for log in gw.act_logs(c.record_id):
        if (log["transaction"], log["logIndex"]) not in known:
            v.changes.append(
                f"{log['party'].rstrip(bytes(1)).decode()} recorded a {Intent(log['intent']).label} in block "
                f"{log['blockNumber']} after this receipt"
            )


def _batch_changes(gw: LedgerGateway, r: Receipt, v: ReceiptVerdict) -> None:
    b = r.batch
    assert b is not None
    stored = gw.batch(b.anchor_id)
    if (stored["root"], stored["count"], stored["signer"], stored["time"]) != (
        b.root,
        b.count,
        b.anchor.signer,
        b.anchor.time,
    ):
        v.reasons.append("the batch stored on chain differs from the receipt's anchor")
    if not gw.verify_inclusion(b.anchor_id, r.document.digest, list(b.proof)):
        v.reasons.append("the ledger's MerkleProof rejects the document's path")


def verify_online(chain: Chain, r: Receipt, digest: bytes) -> ReceiptVerdict:
    """Offline steps 1-7, then step 8 against the node behind `chain`."""
    v = verify_offline(r, digest)
    v.mode = "online"
    # 8a.
    if chain.chain_id != r.chain.chain_id:
        v.reasons.append(f"the node serves chain {chain.chain_id}, the receipt is for chain {r.chain.chain_id}")
        return v
    if not chain.has_code(r.chain.ledger):
        v.reasons.append(f"no ledger contract at {r.chain.ledger} on this node (another chain, or it was reset)")
        return v
    gw = gateway_for(chain, r)
    confirmed = [_confirm(gw, e, v) for e in _acts(r)]
    if all(confirmed):
        if r.record is not None:
            _record_changes(gw, r, v)
        else:
            _batch_changes(gw, r, v)
    head = chain.block_number()
    deepest = min(head - e.block_number + 1 for e in _acts(r))
    v.trust = (
        f"online against {chain.url} (chain {chain.chain_id}, head block {head}; the latest act has {deepest} "
        "confirmations): this assumes that node follows the canonical chain"
    )
    return v
