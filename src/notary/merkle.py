"""Merkle trees compatible with OpenZeppelin's MerkleProof.

Frozen: a change here breaks every batch proof. Rules (OpenZeppelin `StandardMerkleTree`
leaf encoding for a single bytes32 value, commutative pair hashing):

- leaf(d)    = keccak256(keccak256(abi.encode(d)))          (abi.encode(bytes32) is d itself)
- node(a, b) = keccak256(min(a, b) ‖ max(a, b))
- levels are built left to right; an odd last node is carried up unchanged, so its proof
  simply has no sibling at that level.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from eth_hash.auto import keccak

from notary.errors import InvalidInputError


def leaf(digest: bytes) -> bytes:
    """The leaf committed for a 32-byte document digest."""
    if len(digest) != 32:
        raise InvalidInputError(f"a digest has 32 bytes, this one has {len(digest)}")
    return keccak(keccak(digest))


def hash_pair(a: bytes, b: bytes) -> bytes:
    """Commutative keccak256 of two nodes (OpenZeppelin `Hashes.commutativeKeccak256`)."""
    return keccak(a + b) if a < b else keccak(b + a)


class MerkleTree:
    """A tree over document digests, kept level by level so proofs are cheap to read."""

    def __init__(self, digests: Sequence[bytes]) -> None:
        if not digests:
            raise InvalidInputError("a Merkle tree needs at least one document")
        level = [leaf(d) for d in digests]
        self.levels: list[list[bytes]] = [level]
        while len(level) > 1:
            nxt = [hash_pair(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            if len(level) % 2:
                nxt.append(level[-1])
            self.levels.append(nxt)
            level = nxt

    @property
    def root(self) -> bytes:
        return self.levels[-1][0]

    def __len__(self) -> int:
        return len(self.levels[0])

    def proof(self, index: int) -> list[bytes]:
        """The sibling hashes from the leaf at `index` up to the root."""
        if not 0 <= index < len(self):
            raise InvalidInputError(f"leaf index {index} is outside the tree of {len(self)}")
        path: list[bytes] = []
        for level in self.levels[:-1]:
            sibling = index ^ 1
            if sibling < len(level):
                path.append(level[sibling])
            index //= 2
        return path


def verify(digest: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """OpenZeppelin `MerkleProof.verify` for the leaf of `digest`."""
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


class FastMerkleTree(MerkleTree):
    """`MerkleTree` built with a faster keccak: identical leaves, pairs, levels, root and proofs.

    An addition, not a change of the rules above (tests pin it equal to `MerkleTree` and to
    the known-answer vectors). A million documents build in a few seconds.
    """

    def __init__(self, digests: Sequence[bytes]) -> None:
        if not digests:
            raise InvalidInputError("a Merkle tree needs at least one document")
        k = _fast_keccak()
        for d in digests:
            if len(d) != 32:
                raise InvalidInputError(f"a digest has 32 bytes, this one has {len(d)}")
        level = [k(k(d)) for d in digests]
        self.levels = [level]
        while len(level) > 1:
            left, right = level[0:-1:2], level[1::2]
            nxt = [k(a + b) if a < b else k(b + a) for a, b in zip(left, right, strict=False)]
            if len(level) % 2:
                nxt.append(level[-1])
            self.levels.append(nxt)
            level = nxt
