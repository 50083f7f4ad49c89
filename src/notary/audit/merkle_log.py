"""The Merkle tree over an export's rows, as in transparency logs (RFC 6962 §2.1).

Frozen: an export's manifest commits to this tree; changing it breaks every old manifest.

    leaf hash  = SHA-256(0x00 ‖ leaf bytes)
    node hash  = SHA-256(0x01 ‖ left ‖ right)
    MTH({})    = SHA-256("")
    MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two below n

`TreeHasher` adds leaves one at a time and keeps only O(log n) subtree roots, so an
export of any size is hashed in flat memory. Because the tree of the first m leaves is
a fixed function of those leaves, the root of a longer export's first m rows equals an
older export's root exactly when nothing in those m rows was removed, rewritten or
reordered: the consistency property `notary audit verify --previous` checks.
"""

from __future__ import annotations

import hashlib


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()


class TreeHasher:
    """Incremental RFC 6962 tree head."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, bytes]] = []  # (size, root) of perfect subtrees, largest first
        self.size = 0

    def add(self, data: bytes) -> None:
        """Append one leaf (its bytes, not yet hashed)."""
        size, h = 1, leaf_hash(data)
        while self._stack and self._stack[-1][0] == size:
            left_size, left = self._stack.pop()
            size, h = left_size + size, node_hash(left, h)
        self._stack.append((size, h))
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        h = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            h = node_hash(left, h)
        return h


def root_of(leaves: list[bytes]) -> bytes:
    """MTH by the recursive definition (for tests and small inputs)."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaf_hash(leaves[0])
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(root_of(leaves[:k]), root_of(leaves[k:]))
