"""Online verification of receipts on the in-process chain: confirmed anchors, and what changed since."""

from __future__ import annotations

import hashlib

from eth_account import Account

from notary import batch, ledger, receipts, registry
from notary.models import Intent, anchor_id
from notary.receipts.build import anchor_evidence, chain_ref, record_receipt
from notary.receipts.online import verify_online
from notary.receipts.verify import verify_offline
from notary.testing import World


def sha(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def executed(world: World, text: str) -> tuple[bytes, bytes]:
    """A bilateral record FRA-SGP, co-signed: (digest, record id)."""
    digest = sha(text)
    rid = world.notarise(digest, "FRA", parties=("FRA", "SGP"))
    world.act(rid, "SGP")
    return digest, rid


def roundtrip(r: receipts.Receipt) -> receipts.Receipt:
    return receipts.loads(receipts.dumps(r))


def test_fresh_receipt_confirms_online(world: World) -> None:
    """A receipt just written verifies offline and online, with nothing changed since."""
    digest, rid = executed(world, "fresh")
    r = roundtrip(record_receipt(world.gw, rid))
    assert verify_offline(r, digest, world.pinned).ok
    v = verify_online(world.chain, r, digest, world.pinned)
    assert v.ok and v.changes == [] and v.mode == "online", v.reasons
    assert "confirmation" in v.trust  # "1 confirmation", "2 confirmations"


def test_pending_receipt_fails_then_reports_the_execution(world: World) -> None:
    """A receipt of an open record is pending; once the co-signature lands, online says so."""
    digest = sha("pending")
    rid = world.notarise(digest, "FRA", parties=("FRA", "SGP"))
    r = roundtrip(record_receipt(world.gw, rid))
    offline = verify_offline(r, digest, world.pinned)
    assert not offline.ok and offline.reasons[0].startswith("pending: 1 of 2")
    world.act(rid, "SGP")
    online = verify_online(world.chain, r, digest, world.pinned)
    assert "the record was open and is now executed" in online.changes
    assert any("SGP recorded a signature" in c for c in online.changes)
    assert verify_offline(roundtrip(record_receipt(world.gw, rid)), digest, world.pinned).ok


def test_annulment_since_the_receipt_fails_online(world: World) -> None:
    """After a quorum annuls the record, the old receipt still verifies offline but not online."""
    digest, rid = executed(world, "annulled")
    r = roundtrip(record_receipt(world.gw, rid))
    for party in ("FRA", "SGP"):
        world.act(rid, party, Intent.ANNULMENT, reason="replaced by a treaty")
    assert verify_offline(r, digest, world.pinned).ok
    v = verify_online(world.chain, r, digest, world.pinned)
    assert not v.ok and "the record is now annulled" in v.reasons
    assert "the record was executed and is now annulled" in v.changes


def test_supersession_since_the_receipt_is_reported(world: World) -> None:
    """An amendment executed after the receipt: the old record is now superseded, by the new one."""
    digest, rid = executed(world, "v1")
    r = roundtrip(record_receipt(world.gw, rid))
    new = world.notarise(sha("v2"), "FRA", parties=("FRA", "SGP"), supersedes=rid)
    world.act(new, "SGP")
    v = verify_online(world.chain, r, digest, world.pinned)
    assert "the record is now superseded" in v.reasons
    assert f"superseded by record 0x{new.hex()}" in v.changes


def test_key_declared_compromised_since_the_receipt(world: World) -> None:
    """SGP's key revoked from before it signed: online, its signature no longer counts."""
    digest, rid = executed(world, "compromised")
    r = roundtrip(record_receipt(world.gw, rid))
    signed_at = r.record.attestations[1].time  # type: ignore[union-attr]
    registry.revoke_signer(world.gw, world.controllers["SGP"], "SGP", world.signers["SGP"].address, signed_at)
    assert verify_offline(r, digest, world.pinned).ok  # offline cannot know: the trust assumption says so
    v = verify_online(world.chain, r, digest, world.pinned)
    assert not v.ok
    assert any("was declared compromised" in c for c in v.changes)
    # A receipt written now records the revocation: it fails offline too.
    assert not verify_offline(roundtrip(record_receipt(world.gw, rid)), digest, world.pinned).ok


def test_reorganised_block_is_detected(world: World) -> None:
    """The co-signature's block is replaced by another chain: online verification says reorganised."""
    digest = sha("reorg")
    rid = world.notarise(digest, "FRA", parties=("FRA", "SGP"))
    snapshot = world.chain.tester.take_snapshot()
    world.act(rid, "SGP")
    r = roundtrip(record_receipt(world.gw, rid))
    world.chain.tester.revert_to_snapshot(snapshot)
    world.chain.fund(Account.create().address)  # another block at the same height
    v = verify_online(world.chain, r, digest, world.pinned)
    assert not v.ok
    assert any(x.startswith("reorganised: SGP's signature") for x in v.reasons), v.reasons


def test_batch_member_receipt_confirms_on_chain(world: World) -> None:
    """A batch member's receipt: offline path check, and online the ledger's MerkleProof accepts it."""
    digests = [sha(f"cert {i}") for i in range(37)]
    tree = batch.tree_of(digests)
    payload = batch.prepare_anchor(tree.root, "SGP", world.deadline(), batch.anchor_metadata(len(tree)))
    ledger.submit(world.gw, world.relayer, ledger.sign(payload, world.gw.domain, world.signers["SGP"]))
    bundle = batch.Bundle(
        chain_ref(world.gw),
        batch.anchor_metadata(len(tree)),
        anchor_evidence(world.gw, tree.root, "SGP"),
        tuple(map(str, range(37))),
        tuple(digests),
    )
    lengths = {len(tree.proof(i)) for i in range(37)}
    assert lengths == {batch.depth(37) - 1, batch.depth(37)} == {5, 6}  # StandardMerkleTree: ceil(log2 n) or one fewer
    short = next(i for i in range(37) if len(tree.proof(i)) == 5)
    r = roundtrip(bundle.receipt(short, tree))
    assert verify_offline(r, digests[short], world.pinned).ok
    assert verify_offline(r, digests[short], world.pinned).matched == "a document of the batch of 37 anchored by SGP"
    v = verify_online(world.chain, r, digests[short], world.pinned)
    assert v.ok, v.reasons
    aid = anchor_id(tree.root, b"SGP".ljust(32, b"\0"))
    assert all(world.gw.verify_inclusion(aid, digests[i], list(tree.proof(i))) for i in (0, short, 36))
    other = verify_offline(r, digests[0] if short else digests[1], world.pinned)
    assert not other.ok and "is not the receipt's document" in other.reasons[0]


def test_online_refuses_another_chain_or_ledger(world: World) -> None:
    """A receipt for another ledger address fails online at step 8a, before anything else is read."""
    digest, rid = executed(world, "elsewhere")
    r = record_receipt(world.gw, rid)
    moved = receipts.Receipt(
        receipts.ChainRef(r.chain.chain_id, world.gw.deployment.registry.address, r.chain.registry),
        r.document,
        r.metadata,
        record=r.record,
    )
    v = verify_online(world.chain, moved, digest, world.pinned)
    assert not v.ok
