"""Batch anchors: Merkle roots built in Python verify on chain, and gas does not grow with N."""

from __future__ import annotations

import hashlib
import random

import pytest
from contract_helpers import (
    SHA256,
    anchor_payload,
    block_time,
    code,
    digest,
    events,
    receipt,
    submit,
)

from notary import eip712, merkle
from notary.chain.tx import TxResult
from notary.hashing import metadata_hash
from notary.models import anchor_id
from notary.testing import World


def certificates(n: int, series: str = "cert") -> list[bytes]:
    """N distinct consular certificate digests."""
    return [hashlib.sha256(f"{series}-{i}".encode()).digest() for i in range(n)]


def anchor(world: World, tree: merkle.MerkleTree, party: str = "FRA", **kwargs) -> TxResult:
    payload = anchor_payload(world, tree.root, party, **kwargs)
    return submit(world, payload, world.signers[party])


def execution_gas(world: World, result: TxResult) -> int:
    """Gas used minus the intrinsic cost (21000 + 4 per zero / 16 per non-zero calldata byte).

    The calldata (signature, root) differs in its zero bytes from batch to batch; what the
    contract executes must not.
    """
    data = bytes(world.chain.w3.eth.get_transaction(result.transaction)["input"])
    zeros = data.count(0)
    intrinsic = 21000 + 4 * zeros + 16 * (len(data) - zeros)
    assert receipt(world, result)["gasUsed"] == result.gas_used
    return result.gas_used - intrinsic


@pytest.mark.parametrize("n", [1, 2, 3, 7, 100])
def test_every_member_verifies_on_chain_and_off_chain(world: World, n: int) -> None:
    """Each of N digests verifies against the anchored root on chain and with merkle.verify."""
    docs = certificates(n)
    tree = merkle.MerkleTree(docs)
    result = anchor(world, tree)
    aid = anchor_id(tree.root, code("FRA"))
    members = range(n) if n <= 7 else sorted(random.Random(n).sample(range(n), 12) + [0, n - 1])
    for i in members:
        proof = tree.proof(i)
        assert merkle.verify(docs[i], proof, tree.root)
        assert world.gw.verify_inclusion(aid, docs[i], proof), i
    assert world.gw.batch(aid)["valid"] is True
    assert result.gas_used > 0


@pytest.mark.parametrize("n", [1, 2, 3, 7, 100])
def test_non_members_and_wrong_proofs_fail(world: World, n: int) -> None:
    """A non-member, a proof for another leaf or a tampered proof is rejected on and off chain."""
    docs = certificates(n)
    tree = merkle.MerkleTree(docs)
    anchor(world, tree)
    aid = anchor_id(tree.root, code("FRA"))
    stranger = digest("not in the batch")
    cases = [(stranger, tree.proof(0)), (docs[0], [*tree.proof(0), digest("extra sibling")])]
    if n > 1:
        cases.append((docs[0], tree.proof(n - 1)))  # another leaf's proof
        tampered = tree.proof(n - 1)
        tampered[0] = bytes([tampered[0][0] ^ 1]) + tampered[0][1:]
        cases.append((docs[n - 1], tampered))
    for doc, proof in cases:
        assert merkle.verify(doc, proof, tree.root) is False
        assert world.gw.verify_inclusion(aid, doc, proof) is False


def test_single_document_batch_root_is_its_leaf(world: World) -> None:
    """N = 1: the root is the document's leaf and the proof is empty."""
    doc = digest("lone apostille")
    tree = merkle.MerkleTree([doc])
    assert tree.root == merkle.leaf(doc) and tree.proof(0) == []
    anchor(world, tree)
    assert world.gw.verify_inclusion(anchor_id(tree.root, code("FRA")), doc, [])


def test_raw_digest_as_root_does_not_prove_itself(world: World) -> None:
    """Anchoring a digest itself as a root does not make that digest a member (leaves are hashed)."""
    doc = digest("raw root")
    submit(world, anchor_payload(world, doc), world.signers["FRA"])
    assert world.gw.verify_inclusion(anchor_id(doc, code("FRA")), doc, []) is False


def test_batch_anchored_event_and_stored_batch(world: World) -> None:
    """BatchAnchored carries id, party, root, algorithm, metadata, signer, deadline and signature (no count,
    no time: the block's); batch() gives the signed fields, the stored signer and the block's time."""
    tree = merkle.MerkleTree(certificates(7))
    meta = metadata_hash({"documents": 7, "series": "consular 2026/11"})
    payload = anchor_payload(world, tree.root, "SGP", metadata_hash=meta)
    signature = eip712.sign(payload, world.gw.domain, world.signers["SGP"].key)
    result = submit(world, payload, world.signers["SGP"], signature=signature)
    now, aid = block_time(world, result), anchor_id(tree.root, code("SGP"))
    signer = world.signers["SGP"].address
    assert events(world, result, world.gw.ledger.events.BatchAnchored) == [
        {
            "anchorId": aid,
            "party": code("SGP"),
            "root": tree.root,
            "hashAlgorithm": SHA256,
            "metadataHash": meta,
            "signer": signer,
            "deadline": payload.deadline,
            "signature": signature,
        }
    ]
    assert world.gw.batch(aid) == {
        "root": tree.root,
        "party": "SGP",
        "hash_algorithm": "sha256",
        "metadata_hash": meta,
        "signer": signer,
        "time": now,
        "valid": True,
    }


def test_batch_proofs_are_standard_merkle_tree_lengths(world: World) -> None:
    """Proofs have ceil(log2 n) or one fewer steps; the ledger accepts either, and neither side checks a count."""
    docs = certificates(37)
    tree = merkle.MerkleTree(docs)
    anchor(world, tree)
    aid = anchor_id(tree.root, code("FRA"))
    lengths = {len(tree.proof(i)) for i in range(37)}
    assert lengths == {5, 6}
    for i in range(37):
        assert world.gw.verify_inclusion(aid, docs[i], tree.proof(i)), i


def test_same_root_by_two_parties_are_two_anchors(world: World) -> None:
    """The anchor id binds root and party: FRA and SGP can anchor the same root independently."""
    tree = merkle.MerkleTree(certificates(3))
    anchor(world, tree, "FRA")
    anchor(world, tree, "SGP")
    fra, sgp = anchor_id(tree.root, code("FRA")), anchor_id(tree.root, code("SGP"))
    assert fra != sgp
    assert (world.gw.batch(fra)["party"], world.gw.batch(sgp)["party"]) == ("FRA", "SGP")


def test_anchor_gas_does_not_grow_with_batch_size(world: World) -> None:
    """Anchoring 100,000 digests executes exactly the gas of anchoring one (tree build time is measured by
    scripts/bench_batch.py, not asserted here)."""
    big_docs = certificates(100_000, "big")
    big = merkle.MerkleTree(big_docs)
    small = merkle.MerkleTree(certificates(1, "small"))
    one, many = anchor(world, small), anchor(world, big)
    assert execution_gas(world, one) == execution_gas(world, many)
    assert abs(one.gas_used - many.gas_used) < 16 * 70  # only calldata bytes may differ
    i = 99_999
    assert world.gw.verify_inclusion(anchor_id(big.root, code("FRA")), big_docs[i], big.proof(i))
