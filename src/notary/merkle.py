"""Merkle trees identical to OpenZeppelin's `StandardMerkleTree` over one bytes32 per leaf.

Frozen: a change here breaks every batch proof. The rules changed once, in protocol v2
(v1 kept leaves in the caller's order and carried an odd last node up a level); since v2
a tree is exactly `StandardMerkleTree.of(digests.map(d => [d]), ["bytes32"])` of the
JavaScript library `@openzeppelin/merkle-tree` 1.x (default `sortLeaves: true`), and its
proofs pass OpenZeppelin's on-chain `MerkleProof.verify`. For n ≥ 1 digests:

1. leaf(d)    = keccak256(keccak256(abi.encode(d)))       (abi.encode(bytes32) is d itself)
2. node(a, b) = keccak256(min(a, b) ‖ max(a, b))            (`Hashes.commutativeKeccak256`)
3. the leaves are sorted ascending as 32-byte big-endian numbers; the sort is stable, so
   equal leaves (a digest given twice) keep the caller's order;
4. the tree is an array `nodes` of 2n − 1 hashes: the k-th sorted leaf is
   `nodes[2n − 2 − k]` (leaves fill the end in reverse), then for i = n − 2 down to 0,
   `nodes[i] = node(nodes[2i + 1], nodes[2i + 2])`; the root is `nodes[0]`;
5. the proof of the leaf at array index j: while j > 0, append `nodes[j − 1]` if j is even,
   else `nodes[j + 1]`; then j = (j − 1) // 2. A proof has ⌊log2(j + 1)⌋ steps: ⌈log2 n⌉
   or one fewer; nothing ties its length to n on chain, so nothing does off chain either;
6. verification folds the proof with node() from leaf(d) and compares with the root.

`proof(index)` takes the document's index in the order the digests were given; the tree
maps it to the sorted position itself (`position(index)`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence

from notary.eip712 import keccak256 as keccak  # eth-hash's keccak, without its slow plugin discovery
from notary.errors import InvalidInputError


def leaf(digest: bytes) -> bytes:
    """The leaf committed for a 32-byte document digest (rule 1)."""
    if len(digest) != 32:
        raise InvalidInputError(f"a digest has 32 bytes, this one has {len(digest)}")
    return keccak(keccak(digest))


def hash_pair(a: bytes, b: bytes) -> bytes:
    """Commutative keccak256 of two nodes (rule 2, OpenZeppelin `Hashes.commutativeKeccak256`)."""
    return keccak(a + b) if a < b else keccak(b + a)


class MerkleTree:
    """The reference builder: the rules above, step by step, for any number of documents."""

    #: The complete tree, root first (rule 4; `StandardMerkleTree.dump().tree`).
    nodes: list[bytes]

    def __init__(self, digests: Sequence[bytes]) -> None:
        if not digests:
            raise InvalidInputError("a Merkle tree needs at least one document")
        leaves = [leaf(d) for d in digests]
        n = len(leaves)
        # Rule 3: a stable sort of the document indices by their leaf.
        order = sorted(range(n), key=leaves.__getitem__)
        # Rule 4.
        self.nodes = [b""] * (2 * n - 1)
        self._positions = [0] * n
        for k, i in enumerate(order):
            self._positions[i] = 2 * n - 2 - k
            self.nodes[2 * n - 2 - k] = leaves[i]
        for i in range(n - 2, -1, -1):
            self.nodes[i] = hash_pair(self.nodes[2 * i + 1], self.nodes[2 * i + 2])

    @property
    def root(self) -> bytes:
        return self.nodes[0]

    def __len__(self) -> int:
        return (len(self.nodes) + 1) // 2

    def _check(self, index: int) -> None:
        if not 0 <= index < len(self):
            raise InvalidInputError(f"leaf index {index} is outside the tree of {len(self)}")

    def position(self, index: int) -> int:
        """Where in `nodes` the leaf of the document at `index` (caller's order) sits."""
        self._check(index)
        return self._positions[index]

    def proof(self, index: int) -> list[bytes]:
        """The sibling hashes from the leaf of the document at `index` up to the root (rule 5)."""
        j = self.position(index)
        path: list[bytes] = []
        while j > 0:
            path.append(self.nodes[j - 1 if j % 2 == 0 else j + 1])
            j = (j - 1) // 2
        return path


def verify(digest: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """OpenZeppelin `MerkleProof.verify` for the leaf of `digest` (rule 6)."""
    node = leaf(digest)
    for sibling in proof:
        node = hash_pair(node, sibling)
    return node == root


# --------------------------------------------------------------------- faster builder (same rules)


def _fast_keccak() -> Callable[[bytes], bytes]:
    """keccak256 from pysha3 (installed with eth-tester on CPython, ~7x faster), else eth-hash's."""
    try:
        from sha3 import keccak_256  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # pragma: no cover - PyPy or a minimal install
        return keccak
    return lambda data: keccak_256(data).digest()  # type: ignore[no-any-return]


def fast_leaf() -> Callable[[bytes], bytes]:
    """`leaf` with the faster keccak (no length check: the caller checks)."""
    try:
        from sha3 import keccak_256  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # pragma: no cover - PyPy or a minimal install
        return lambda digest: keccak(keccak(digest))
    return lambda digest: keccak_256(keccak_256(digest).digest()).digest()  # type: ignore[no-any-return]


def nodes_of_sorted_leaves(leaves: Sequence[bytes]) -> list[bytes]:
    """The tree's node array (rule 4) from its leaves already sorted (rule 3), fast.

    Internal nodes n-2 .. 0 are built one depth at a time (indices 2^d - 1 .. 2^(d+1) - 2):
    the children of a depth all lie past it, so each depth is one pass over two slices.
    """
    k = _fast_keccak()
    n = len(leaves)
    nodes = [b""] * (n - 1) + list(reversed(leaves))  # rule 4: leaves at the end, reversed
    hi = n - 2
    while hi >= 0:
        lo = (1 << ((hi + 1).bit_length() - 1)) - 1
        left, right = nodes[2 * lo + 1 : 2 * hi + 2 : 2], nodes[2 * lo + 2 : 2 * hi + 3 : 2]
        nodes[lo : hi + 1] = [k(a + b) if a < b else k(b + a) for a, b in zip(left, right, strict=True)]
        hi = lo - 1
    return nodes


def proof_positions(node: int) -> list[int]:
    """The node-array indices of the siblings on the path from node `node` to the root (rule 5)."""
    out = []
    while node > 0:
        out.append(node - 1 if node % 2 == 0 else node + 1)
        node = (node - 1) // 2
    return out


class FastMerkleTree(MerkleTree):
    """`MerkleTree` built faster: identical nodes, root, positions and proofs.

    An addition, not a change of the rules above (tests pin it equal to `MerkleTree` and to
    OpenZeppelin's JavaScript library). A million documents build in a few seconds: a faster
    keccak, a plain sort of the leaves, the internal nodes one depth at a time with slices,
    and a document's sorted position found by bisection when a proof is asked for.
    """

    def __init__(self, digests: Sequence[bytes]) -> None:
        if not digests:
            raise InvalidInputError("a Merkle tree needs at least one document")
        k = _fast_keccak()
        for d in digests:
            if len(d) != 32:
                raise InvalidInputError(f"a digest has 32 bytes, this one has {len(d)}")
        self._leaves = [k(k(d)) for d in digests]  # rule 1, in the caller's order
        self._sorted = sorted(self._leaves)  # rule 3
        self.nodes = nodes_of_sorted_leaves(self._sorted)

    def position(self, index: int) -> int:
        self._check(index)
        value = self._leaves[index]
        rank = bisect_left(self._sorted, value)
        if rank + 1 < len(self._sorted) and self._sorted[rank + 1] == value:
            # A repeated leaf: the stable sort keeps equal leaves in the caller's order.
            rank += self._leaves[:index].count(value)
        return len(self.nodes) - 1 - rank
