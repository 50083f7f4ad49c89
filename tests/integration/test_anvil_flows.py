"""The main ledger flows against a real anvil node started by a fixture."""

from __future__ import annotations

import hashlib

import pytest

from notary import errors, ledger, merkle, registry
from notary.chain.connect import rpc
from notary.models import BatchAnchor, Status, anchor_id
from notary.testing import World
from notary.verify import verify_digest

pytestmark = pytest.mark.anvil


@pytest.fixture(scope="module")
def world(anvil_url: str) -> World:
    return World.build(rpc(anvil_url))


def test_bilateral_mou_executes_and_verifies_on_anvil(world: World) -> None:
    """FRA notarises, SGP co-signs over JSON-RPC: executed, two valid attestations, verified."""
    digest = hashlib.sha256(b"anvil mou").digest()
    rid = world.notarise(digest)
    world.act(rid, "SGP")
    record = world.gw.record(rid)
    assert record.status is Status.EXECUTED
    assert {a.party for a in record.attestations if a.valid} == {"FRA", "SGP"}
    assert all(a.transaction and a.block_number for a in record.attestations)
    assert verify_digest(world.gw, digest).ok


def test_custom_error_is_typed_on_a_real_node(world: World) -> None:
    """A double signature reverts on anvil with NotaryAlreadyAttested, decoded with its arguments."""
    digest = hashlib.sha256(b"anvil double").digest()
    rid = world.notarise(digest, parties=("FRA", "SGP", "DEU"))
    world.act(rid, "SGP")
    with pytest.raises(errors.NotaryAlreadyAttestedError) as info:
        world.act(rid, "SGP")
    assert info.value.args_by_name["recordId"] == rid
    assert "SGP" in info.value.message


def test_compromised_key_invalidates_later_attestations_on_anvil(world: World) -> None:
    """A key declared compromised from before it signed makes that attestation invalid."""
    digest = hashlib.sha256(b"anvil compromise").digest()
    rid = world.notarise(digest)
    world.act(rid, "SGP")
    signed_at = world.gw.record(rid).attestations[-1].time
    registry.revoke_signer(world.gw, world.controllers["SGP"], "SGP", world.signers["SGP"].address, signed_at - 1)
    health = {a.party: a.valid for a in world.gw.record(rid).attestations}
    assert health == {"FRA": True, "SGP": False}
    verdict = verify_digest(world.gw, digest)
    assert not verdict.ok and "SGP" in " ".join(verdict.reasons)


def test_batch_anchor_inclusion_on_anvil(world: World) -> None:
    """A batch root anchors once; members verify through the contract view, strangers do not."""
    digests = [hashlib.sha256(str(i).encode()).digest() for i in range(33)]
    tree = merkle.MerkleTree(digests)
    b = BatchAnchor(tree.root, world.notarisation(digests[0]).party, bytes(32), bytes(32), world.deadline())
    ledger.submit(world.gw, world.relayer, ledger.sign(b, world.gw.domain, world.signers["FRA"]))
    aid = anchor_id(tree.root, b.party)
    assert world.gw.verify_inclusion(aid, digests[17], tree.proof(17))
    assert not world.gw.verify_inclusion(aid, hashlib.sha256(b"x").digest(), tree.proof(17))
