"""Our batch trees are OpenZeppelin's `StandardMerkleTree` (JavaScript, `@openzeppelin/merkle-tree`).

The expected answers are computed at test time by the pinned npm package itself, through
tools/merkle/standard_tree.js: roots, the whole node array, each document's tree index and
proof, and the library's own `StandardMerkleTree.verify` run on the proofs Python made.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from node_tools import node_with

from notary import batch, merkle

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "merkle" / "standard_tree.js"
SIZES = (1, 2, 3, 4, 5, 7, 8, 13, 100)


@pytest.fixture(scope="module")
def node() -> str:
    """The node binary, with the pinned library installed; else skip (or fail in CI)."""
    return node_with("@openzeppelin/merkle-tree", "OpenZeppelin's JavaScript merkle-tree")


def standard_trees(node: str, cases: list[tuple[list[bytes], list[list[bytes]]]]) -> list[dict[str, Any]]:
    """Run the JS library on each (digests, proofs to verify) case."""
    body = [{"digests": list(map(_hex, ds)), "proofs": [list(map(_hex, p)) for p in proofs]} for ds, proofs in cases]
    done = subprocess.run(
        [node, str(SCRIPT)], input=json.dumps(body), capture_output=True, text=True, timeout=120, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


def _hex(b: bytes) -> str:
    return "0x" + b.hex()


def _digests(n: int, tag: str = "doc") -> list[bytes]:
    return [hashlib.sha256(f"{tag} {i}".encode()).digest() for i in range(n)]


def _assert_same(tree: merkle.MerkleTree, digests: list[bytes], js: dict[str, Any]) -> None:
    assert _hex(tree.root) == js["root"]
    assert [_hex(h) for h in tree.nodes] == js["tree"]
    assert [tree.position(i) for i in range(len(digests))] == js["treeIndex"]
    assert [[_hex(h) for h in tree.proof(i)] for i in range(len(digests))] == js["proofs"]
    assert js["verified"] == [True] * len(digests)
    for i, d in enumerate(digests):
        assert merkle.verify(d, tree.proof(i), tree.root)


def _check(node: str, cases: list[list[bytes]]) -> None:
    """Both builders against the library, in one node run; the library verifies each builder's proofs."""
    pairs = [(ds, cls(ds)) for ds in cases for cls in (merkle.MerkleTree, merkle.FastMerkleTree)]
    inputs = [(ds, [t.proof(i) for i in range(len(ds))]) for ds, t in pairs]
    for (ds, t), js in zip(pairs, standard_trees(node, inputs), strict=True):
        _assert_same(t, ds, js)


def test_known_sizes_equal_the_js_library(node: str) -> None:
    """For 1..100 documents, both builders give the JS library's nodes, tree indices, proofs and root."""
    _check(node, [_digests(n) for n in SIZES])


def test_repeated_digests_keep_the_callers_order_like_the_js_library(node: str) -> None:
    """A digest given twice: equal leaves keep the caller's order, as the library's stable sort does."""
    a, b, c = _digests(3, "dup")
    _check(node, [[a, a], [a, b, a, c, b, a], [c, c, c, c, c]])


def test_js_library_rejects_a_proof_for_another_document(node: str) -> None:
    """The verification column is live: the library refuses a proof moved to another document."""
    digests = _digests(5)
    tree = merkle.FastMerkleTree(digests)
    swapped = [tree.proof(1), tree.proof(0)] + [tree.proof(i) for i in range(2, 5)]
    (js,) = standard_trees(node, [(digests, swapped)])
    assert js["verified"] == [False, False, True, True, True]


def test_proof_lengths_are_the_complete_tree_depths() -> None:
    """Every proof has ceil(log2 n) steps or one fewer, never more than batch.depth(n)."""
    for n in SIZES:
        tree = merkle.FastMerkleTree(_digests(n))
        lengths = {len(tree.proof(i)) for i in range(n)}
        assert lengths <= {batch.depth(n), max(0, batch.depth(n) - 1)}
        assert max(lengths) == batch.depth(n)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=70), st.lists(st.integers(0, 69), max_size=4))
def test_random_batches_equal_the_js_library(node: str, digests: list[bytes], repeats: list[int]) -> None:
    """Any batch, repeated digests included: same nodes, tree indices, proofs and root as the JS library."""
    _check(node, [digests + [digests[i % len(digests)] for i in repeats]])
