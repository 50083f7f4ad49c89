"""Ethereum state proofs checked offline: block headers and Merkle-Patricia trie witnesses.

A block's hash is keccak256 of its RLP-encoded header, and the header holds the state root:
the root of the trie of accounts (keyed by keccak256(address); each account is
RLP [nonce, balance, storageRoot, codeHash]), each account's storage root the root of its
storage trie (keyed by keccak256(slot); each value RLP of the word without leading zeros).
`eth_getProof` returns the trie nodes on the path to an account and to each slot; given
those nodes, anyone can read the account and the slots against the root, and a key that is
absent from the trie reads as empty. So a set of nodes and a header whose hash is a block
hash prove what the state held after that block, trusting only that the block is canonical.

The tries are read here directly (RLP and the hex-prefix paths of the Yellow Paper, appendices
B and C), the nodes keyed by their keccak256 as the trie references them: no EVM package is
imported to check a receipt. The tests hold every read equal to py-evm's `trie` package
(`HexaryTrie`) and every encoding equal to the `rlp` package's, on random tries and values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from notary.eip712 import keccak256 as keccak

#: The header's fields in RLP order, with each later fork's fields appended (London: baseFeePerGas;
#: Shanghai: withdrawalsRoot; Cancun: blobGasUsed, excessBlobGas, parentBeaconBlockRoot;
#: Prague: requestsHash). A header ends at the last field its fork defines.
HEADER_FIELDS = (
    "parentHash", "sha3Uncles", "miner", "stateRoot", "transactionsRoot", "receiptsRoot", "logsBloom",
    "difficulty", "number", "gasLimit", "gasUsed", "timestamp", "extraData", "mixHash", "nonce",
    "baseFeePerGas", "withdrawalsRoot", "blobGasUsed", "excessBlobGas", "parentBeaconBlockRoot", "requestsHash",
)  # fmt: skip
_INTEGERS = {
    "difficulty", "number", "gasLimit", "gasUsed", "timestamp", "baseFeePerGas", "blobGasUsed", "excessBlobGas",
}  # fmt: skip
_PRE_LONDON = 15  # fields up to the nonce
EMPTY_TRIE_ROOT = keccak(b"\x80")  # the root of the empty trie: keccak256(rlp(b""))
MAX_HEADER_BYTES = 1024
_MAX_DEPTH = 16  # RLP nesting: a header or an account is 1 deep, a trie node with embedded nodes a few


class ProofError(Exception):
    """A proof does not hold: a malformed header or node, a wrong hash, a node missing from the witness."""


class _MissingNode(ProofError):
    """The witness lacks a node the path goes through."""


@dataclass(frozen=True)
class Header:
    """The fields of a block header that proofs use, read from its RLP."""

    hash: bytes
    number: int
    timestamp: int
    state_root: bytes


@dataclass(frozen=True)
class Account:
    nonce: int
    balance: int
    storage_root: bytes
    code_hash: bytes


# --------------------------------------------------------------------- RLP (Yellow Paper, appendix B)

Item = bytes | list[Any]  # an RLP item: a byte string or a list of items


def _length_prefix(length: int, offset: int) -> bytes:
    if length < 56:
        return bytes([offset + length])
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([offset + 55 + len(raw)]) + raw


def rlp_encode(value: bytes | int | list[Any] | tuple[Any, ...]) -> bytes:
    """RLP of a byte string, a non-negative integer (big-endian, no leading zeros) or a list of them."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"RLP encodes no negative integer ({value})")
        value = value.to_bytes((value.bit_length() + 7) // 8, "big")
    if isinstance(value, bytes | bytearray):
        if len(value) == 1 and value[0] < 0x80:
            return bytes(value)
        return _length_prefix(len(value), 0x80) + bytes(value)
    if isinstance(value, list | tuple):
        payload = b"".join(rlp_encode(v) for v in value)
        return _length_prefix(len(payload), 0xC0) + payload
    raise TypeError(f"RLP encodes bytes, integers and lists, not {type(value).__name__}")


def _span(data: bytes, pos: int, limit: int) -> tuple[bool, int, int]:
    """(is a list, payload start, payload end) of the item at `pos`, which must end by `limit`; the
    canonical (shortest) form only, as the `rlp` package's strict decoding."""
    b = data[pos]
    if b < 0x80:
        return False, pos, pos + 1
    is_list, short = b >= 0xC0, b - (0xC0 if b >= 0xC0 else 0x80)
    if short < 56:
        start, length = pos + 1, short
    else:
        start = pos + 1 + short - 55
        if start > limit or data[pos + 1] == 0:
            raise ProofError("RLP: a length is truncated or has a leading zero")
        length = int.from_bytes(data[pos + 1 : start], "big")
        if length < 56:
            raise ProofError("RLP: a long length prefix for a short item")
    if start + length > limit:
        raise ProofError("RLP: an item runs past its end")
    if not is_list and length == 1 and data[start] < 0x80:
        raise ProofError("RLP: a single byte below 0x80 is its own encoding")
    return is_list, start, start + length


#: Items that are each a 32-byte string (a child's hash) or the empty string; `findall` gives each item's
#: bytes (b"" for 0x80, whose group does not take part), exactly what the loop of `_decode_at` appends.
_HASH_OR_BLANK = re.compile(rb"\x80|\xa0(.{32})", re.DOTALL)
_HASHES_OR_BLANKS = re.compile(rb"(?:\x80|\xa0.{32})*", re.DOTALL)


def _decode_at(data: bytes, pos: int, limit: int, depth: int) -> tuple[Item, int]:
    if depth > _MAX_DEPTH:
        raise ProofError("RLP: lists nested too deep")
    is_list, start, end = _span(data, pos, limit)
    if not is_list:
        return data[start:end], end
    if _HASHES_OR_BLANKS.fullmatch(data, start, end):  # a branch node's usual items, read in bulk as below
        return _HASH_OR_BLANK.findall(data, start, end), end
    items: list[Any] = []
    while start < end:
        b = data[start]
        if b == 0xA0 and start + 33 <= end:  # a 32-byte string (a child's hash): most items of a branch
            items.append(data[start + 1 : start + 33])
            start += 33
        elif b == 0x80:  # the empty string (a blank child)
            items.append(b"")
            start += 1
        elif b < 0xB8 and depth < _MAX_DEPTH:  # a byte string of at most 55 bytes, read here (as `_span` does)
            if b < 0x80:
                items.append(data[start : start + 1])
                start += 1
                continue
            first, start = start + 1, start + 1 + b - 0x80
            if start > end:
                raise ProofError("RLP: an item runs past its end")
            if start == first + 1 and data[first] < 0x80:
                raise ProofError("RLP: a single byte below 0x80 is its own encoding")
            items.append(data[first:start])
        elif b < 0xC0 and depth < _MAX_DEPTH:  # a longer byte string
            _, first, start = _span(data, start, end)
            items.append(data[first:start])
        else:
            item, start = _decode_at(data, start, end, depth + 1)
            items.append(item)
    return items, end


def rlp_decode(data: bytes) -> Item:
    """The RLP item `data` encodes, exactly (no trailing bytes); anything else is a `ProofError`."""
    if not data:
        raise ProofError("RLP: no data")
    item, end = _decode_at(bytes(data), 0, len(data), 0)
    if end != len(data):
        raise ProofError(f"RLP: {len(data) - end} trailing bytes")
    return item


# --------------------------------------------------------------------- headers


def _field_bytes(name: str, value: Any) -> bytes | int:
    if name in _INTEGERS:
        return value if isinstance(value, int) else int(value, 16)
    if isinstance(value, str):
        return bytes.fromhex(value.removeprefix("0x"))
    return bytes(value)


def encode_header(block: Mapping[str, Any]) -> bytes:
    """The RLP of a block header from a node's block fields (eth_getBlockByNumber's names: hex
    strings, bytes or integers), ending at the last field the block has."""
    values: list[bytes | int] = []
    for name in HEADER_FIELDS:
        if block.get(name) is None:
            if len(values) < _PRE_LONDON:
                raise ProofError(f"the block has no {name}: it cannot be a header")
            break
        values.append(_field_bytes(name, block[name]))
    return rlp_encode(values)


def _integer(raw: bytes, what: str) -> int:
    if raw[:1] == b"\0":
        raise ProofError(f"the header's {what} is not a minimal integer")
    return int.from_bytes(raw, "big")


def decode_header(raw: bytes) -> Header:
    """The header's hash, number, time and state root; malformed RLP is a `ProofError`."""
    if len(raw) > MAX_HEADER_BYTES:
        raise ProofError(f"the header is {len(raw)} bytes; a header has at most {MAX_HEADER_BYTES}")
    try:
        fields = rlp_decode(raw)
    except ProofError as exc:
        raise ProofError(f"the header is not RLP ({exc})") from None
    if not isinstance(fields, list) or not _PRE_LONDON <= len(fields) <= len(HEADER_FIELDS):
        raise ProofError("the header is not a list of header fields")
    if list in map(type, fields):  # an RLP item is bytes or a list
        raise ProofError("a header field is a list, not a value")
    state_root = fields[3]
    if len(state_root) != 32:
        raise ProofError("the header's state root is not 32 bytes")
    return Header(keccak(raw), _integer(fields[8], "number"), _integer(fields[11], "timestamp"), state_root)


# --------------------------------------------------------------------- tries (Yellow Paper, appendices C and D)


def _hex_prefix(encoded: Any) -> tuple[str, bool]:
    """A leaf's or an extension's path as hex nibbles, and whether it is a leaf."""
    if not isinstance(encoded, bytes) or not encoded:
        raise ProofError("a trie node's path is not a hex-prefix encoding")
    nibbles = encoded.hex()
    flag = nibbles[0]
    if flag in "13":
        return nibbles[1:], flag == "3"
    if flag in "02" and nibbles[1] == "0":
        return nibbles[2:], flag == "2"
    raise ProofError("a trie node's path has an unknown hex-prefix flag")


_NIBBLE = {c: int(c, 16) for c in "0123456789abcdef"}  # a path's hex digit (keccak's hex is lower case)


class NodeCache:
    """What depends only on a node's bytes (its keccak256, its RLP decoding) and on a key (its trie
    path), worked out once for all the witnesses of one receipt, whose blocks share many nodes.
    Each witness still holds only its own block's nodes: sharing this changes no reading."""

    def __init__(self) -> None:
        self._hashes: dict[bytes, bytes] = {}
        self._items: dict[bytes, Item] = {}
        self._paths: dict[bytes, str] = {}

    def hash(self, raw: bytes) -> bytes:
        h = self._hashes.get(raw)
        if h is None:
            h = self._hashes[raw] = keccak(raw)
        return h

    def decode(self, raw: bytes) -> Item:
        item = self._items.get(raw)
        if item is None:  # a malformed node raises each time: only decodings are kept
            item = self._items[raw] = rlp_decode(raw)
        return item

    def path(self, key: bytes) -> str:
        path = self._paths.get(key)
        if path is None:
            path = self._paths[key] = keccak(key).hex()
        return path


class Witness:
    """Trie nodes (RLP) that prove some accounts and slots against a state root."""

    def __init__(self, nodes: Iterable[bytes], cache: NodeCache | None = None) -> None:
        self._cache = cache if cache is not None else NodeCache()
        self._db = {self._cache.hash(n): n for n in map(bytes, nodes)}
        self._decoded: dict[bytes, Item] = {}
        self._accounts: dict[tuple[bytes, str], Account | None] = {}

    def _node(self, reference: Item) -> Item:
        """The node a child reference names: embedded (a list), blank (b""), or by its 32-byte hash."""
        if isinstance(reference, list) or reference == b"":
            return reference
        if len(reference) != 32:
            raise ProofError("a trie node references a child that is neither a hash nor embedded")
        node = self._decoded.get(reference)
        if node is None:
            raw = self._db.get(reference)
            if raw is None:
                raise _MissingNode(reference.hex())
            node = self._decoded[reference] = self._cache.decode(raw)
        return node

    def _lookup(self, root: bytes, path: str) -> bytes:
        """The value at the nibble `path` in the trie of `root` (b"": absent), as `HexaryTrie.get`."""
        if root == EMPTY_TRIE_ROOT:
            return b""
        node, i = self._node(root), 0
        while True:
            if node == b"":
                return b""
            if not isinstance(node, list):
                raise ProofError("a trie node is not a list")
            if len(node) == 17:
                if i == len(path):
                    value = node[16]
                else:
                    node, i = self._node(node[_NIBBLE[path[i]]]), i + 1
                    continue
            elif len(node) == 2:
                nibbles, leaf = _hex_prefix(node[0])
                if leaf:
                    value = node[1] if path[i:] == nibbles else b""
                elif nibbles and path.startswith(nibbles, i):
                    node, i = self._node(node[1]), i + len(nibbles)
                    continue
                elif nibbles:
                    return b""
                else:
                    raise ProofError("an extension node has an empty path")
            else:
                raise ProofError(f"a trie node has {len(node)} items, neither 2 nor 17")
            if not isinstance(value, bytes):
                raise ProofError("a trie node's value is a list")
            return value

    def _get(self, root: bytes, key: bytes, what: str) -> bytes:
        try:
            return self._lookup(root, self._cache.path(key))
        except _MissingNode:
            raise ProofError(f"the proof of {what} lacks a trie node") from None
        except ProofError as exc:
            raise ProofError(f"the proof of {what} holds a malformed trie node ({exc})") from None

    def account(self, state_root: bytes, address: str) -> Account | None:
        """The account at `address` (None: the state proves there is none)."""
        key = (state_root, address.lower())
        if key not in self._accounts:
            self._accounts[key] = self._account(state_root, address)
        return self._accounts[key]

    def _account(self, state_root: bytes, address: str) -> Account | None:
        raw = self._get(state_root, bytes.fromhex(address.removeprefix("0x")), f"account {address}")
        if not raw:
            return None
        try:
            fields = rlp_decode(raw)
        except ProofError as exc:
            raise ProofError(f"account {address} is not an RLP account ({exc})") from None
        if not isinstance(fields, list) or len(fields) != 4 or any(not isinstance(f, bytes) for f in fields):
            raise ProofError(f"account {address} is not an RLP account (not four values)")
        nonce, balance, storage_root, code_hash = fields
        return Account(int.from_bytes(nonce, "big"), int.from_bytes(balance, "big"), storage_root, code_hash)

    def storage(self, storage_root: bytes, slot: bytes, what: str) -> int:
        """The word in `slot` of the storage trie at `storage_root` (an absent slot holds 0)."""
        if storage_root == EMPTY_TRIE_ROOT:
            return 0
        raw = self._get(storage_root, slot, what)
        if not raw:
            return 0
        try:
            value = rlp_decode(raw)
        except ProofError as exc:
            raise ProofError(f"the proved value of {what} is not RLP ({exc})") from None
        if not isinstance(value, bytes) or len(value) > 32 or value[:1] == b"\0":
            raise ProofError(f"the proved value of {what} is not a storage word")
        return int.from_bytes(value, "big")
