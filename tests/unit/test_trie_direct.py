"""The state-proof reader's RLP and Merkle-Patricia trie code equals the `rlp` and py-evm `trie` packages.

`notary.receipts.state_proofs` reads headers, accounts and storage slots itself, so that verifying a
receipt with state proofs imports no EVM package. Every read here is held equal, on random
data, to the packages it replaced: `rlp.encode` / `rlp.decode` (strict), and `HexaryTrie.get`
over the trie's nodes or over just the nodes of `get_proof` (an inclusion or exclusion proof).
"""

from __future__ import annotations

from typing import Any

import pytest
import rlp
from eth_hash.auto import keccak
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from trie import HexaryTrie

from notary.receipts import state_proofs
from notary.receipts.state_proofs import EMPTY_TRIE_ROOT, NodeCache, ProofError, Witness, rlp_decode, rlp_encode

items = st.recursive(
    st.binary(max_size=70) | st.integers(0, 2**80),
    lambda inner: st.lists(inner, max_size=5),
    max_leaves=20,
)


def _as_bytes(value: Any) -> Any:
    """The item as `rlp.decode` gives it back (integers as their minimal big-endian bytes)."""
    if isinstance(value, int):
        return value.to_bytes((value.bit_length() + 7) // 8, "big")
    if isinstance(value, list):
        return [_as_bytes(v) for v in value]
    return value


@settings(max_examples=500)
@given(item=items)
def test_rlp_encoding_and_decoding_are_the_rlp_packages(item: Any) -> None:
    """Any nesting of strings, integers and lists encodes to `rlp.encode`'s bytes and decodes back."""
    encoded = rlp_encode(item)
    assert encoded == rlp.encode(item)
    assert rlp_decode(encoded) == rlp.decode(encoded) == _as_bytes(item)


def _pyrlp(data: bytes) -> Any:
    try:
        return rlp.decode(data)
    except Exception:  # noqa: BLE001 - any refusal
        return ProofError


def _ours(data: bytes) -> Any:
    try:
        return rlp_decode(data)
    except ProofError as exc:
        assume("nested too deep" not in str(exc))  # a bound the rlp package does not have
        return ProofError


def _damaged(encoded: bytes) -> st.SearchStrategy[bytes]:
    """The encoding itself, or its first half followed by a few arbitrary bytes."""
    return st.just(encoded) | st.binary(max_size=4).map(lambda tail: encoded[: len(encoded) // 2] + tail)


@settings(max_examples=1500)
@given(data=st.binary(max_size=80) | items.map(rlp.encode).flatmap(_damaged))
def test_rlp_decoding_refuses_what_strict_rlp_refuses(data: bytes) -> None:
    """On arbitrary bytes (truncated, padded, non-canonical lengths) the reader accepts and decodes exactly
    what the rlp package's strict decoding does."""
    assert _ours(data) == _pyrlp(data)


@pytest.mark.parametrize(
    "data",
    [b"\x81\x05", b"\xb8\x05hello", b"\xb9\x00\x40" + b"a" * 64, b"\xc2\x01", b"\x82\x01", b"\x01\x02", b""],
    ids=["single-byte-as-string", "long-form-short", "length-leading-zero", "list-truncated", "string-truncated",
         "trailing", "empty"],
)  # fmt: skip
def test_non_canonical_rlp_is_a_proof_error(data: bytes) -> None:
    with pytest.raises(ProofError):
        rlp_decode(data)


def _trie(entries: dict[bytes, bytes]) -> HexaryTrie:
    t = HexaryTrie({})
    for key, value in entries.items():
        t[key] = value
    return t


raw_keys = st.binary(min_size=1, max_size=4)  # short, overlapping keys: embedded nodes, branch values
values = st.binary(min_size=1, max_size=40)


@settings(max_examples=300, deadline=None)
@given(entries=st.dictionaries(raw_keys, values, max_size=24), probes=st.lists(raw_keys, max_size=8))
def test_trie_reads_are_hexary_tries(entries: dict[bytes, bytes], probes: list[bytes]) -> None:
    """Every key's value (b"" when absent) read over the trie's nodes is `HexaryTrie.get`'s, including
    embedded nodes, extensions and values held in branches (keys that prefix other keys)."""
    t = _trie(entries)
    witness = Witness(t.db.values())
    for key in [*entries, *probes]:
        assert witness._lookup(t.root_hash, key.hex()) == t.get(key), key


@settings(max_examples=200, deadline=None)
@given(entries=st.dictionaries(raw_keys, values, min_size=1, max_size=24), key=raw_keys)
def test_proof_nodes_alone_prove_inclusion_and_exclusion(entries: dict[bytes, bytes], key: bytes) -> None:
    """The nodes of `get_proof(key)` suffice to read `key`, present or absent, as the full trie reads it;
    without the root node nothing can be read."""
    t = _trie(entries)
    nodes = [rlp.encode(n) for n in t.get_proof(key)]
    assert Witness(nodes)._lookup(t.root_hash, key.hex()) == t.get(key)
    rest = [n for n in nodes if keccak(n) != t.root_hash]
    with pytest.raises(ProofError):
        Witness(rest)._lookup(t.root_hash, key.hex())


@settings(max_examples=100, deadline=None)
@given(slots=st.dictionaries(st.binary(min_size=32, max_size=32), st.integers(1, 2**256 - 1), max_size=12),
       absent=st.binary(min_size=32, max_size=32))  # fmt: skip
def test_storage_words_read_as_ethereum_stores_them(slots: dict[bytes, int], absent: bytes) -> None:
    """A storage trie keyed by keccak256(slot) with RLP words: each word reads back, an absent slot reads 0,
    and the empty trie's root reads 0 with no nodes at all."""
    t = _trie({keccak(s): rlp.encode(v) for s, v in slots.items()})
    witness = Witness(t.db.values())
    root = t.root_hash
    for slot, word in slots.items():
        assert witness.storage(root, slot, "a slot") == word
    if absent not in slots:
        assert witness.storage(root, absent, "an absent slot") == 0
    assert Witness([]).storage(EMPTY_TRIE_ROOT, absent, "a slot") == 0
    assert EMPTY_TRIE_ROOT == HexaryTrie({}).root_hash == keccak(rlp.encode(b""))


def test_accounts_read_as_ethereum_stores_them() -> None:
    """An account trie keyed by keccak256(address): fields read back; a missing account is None."""
    address = "0x" + "ab" * 20
    account = [5, 10**18, keccak(b"storage"), keccak(b"code")]
    t = _trie({keccak(bytes.fromhex(address[2:])): rlp.encode(account)})
    witness = Witness(t.db.values())
    got = witness.account(t.root_hash, address)
    assert got is not None and (got.nonce, got.balance, got.storage_root, got.code_hash) == tuple(account)
    assert witness.account(t.root_hash, "0x" + "cd" * 20) is None
    bad = _trie({keccak(bytes.fromhex(address[2:])): rlp.encode([1, 2])})
    with pytest.raises(ProofError, match="not an RLP account"):
        Witness(bad.db.values()).account(bad.root_hash, address)


# --------------------------------------------------------------------- the fast decoding equals the plain one


def _reference_decode(data: bytes) -> Any:
    """The plain recursive decoder the reader had before it read byte strings inline (kept as the
    reference): every item through `_span`, nesting bounded at the same depth, the same messages."""

    def at(pos: int, limit: int, depth: int) -> tuple[Any, int]:
        if depth > state_proofs._MAX_DEPTH:
            raise ProofError("RLP: lists nested too deep")
        is_list, start, end = state_proofs._span(data, pos, limit)
        if not is_list:
            return data[start:end], end
        out: list[Any] = []
        while start < end:
            if data[start] == 0xA0 and start + 33 <= end:
                out.append(data[start + 1 : start + 33])
                start += 33
            elif data[start] == 0x80:
                out.append(b"")
                start += 1
            else:
                item, start = at(start, end, depth + 1)
                out.append(item)
        return out, end

    if not data:
        raise ProofError("RLP: no data")
    item, end = at(0, len(data), 0)
    if end != len(data):
        raise ProofError(f"RLP: {len(data) - end} trailing bytes")
    return item


def _outcome(decode: Any, data: bytes) -> Any:
    try:
        return decode(data)
    except ProofError as exc:
        return ("ProofError", str(exc))


def _nested(depth: int, leaf: bytes) -> bytes:
    """`depth` lists around one item (the depth bound sits at 16)."""
    encoded = leaf
    for _ in range(depth):
        encoded = rlp_encode_raw_list(encoded)
    return encoded


def rlp_encode_raw_list(payload: bytes) -> bytes:
    return (bytes([0xC0 + len(payload)]) if len(payload) < 56 else b"\xf8" + bytes([len(payload)])) + payload


@settings(max_examples=500)
@given(data=st.binary(max_size=120) | items.map(rlp.encode).flatmap(_damaged))
def test_rlp_decoding_is_the_reference_decoding(data: bytes) -> None:
    """On any bytes the decoder gives the plain recursive decoder's item, or its error with its message."""
    assert _outcome(rlp_decode, data) == _outcome(_reference_decode, data)


@pytest.mark.parametrize("depth", [15, 16, 17])
@pytest.mark.parametrize(
    "leaf", [b"\x05", b"\x83abc", b"\xb8\x38" + b"a" * 56, b"\x81\x05", b"\x80", b"\xa0" + b"h" * 32]
)
def test_rlp_nesting_bound_is_the_reference_bound(depth: int, leaf: bytes) -> None:
    """Byte strings at and past the nesting bound: accepted or refused exactly as the reference decoder does."""
    data = _nested(depth, leaf)
    assert _outcome(rlp_decode, data) == _outcome(_reference_decode, data)


@settings(max_examples=100, deadline=None)
@given(entries=st.dictionaries(raw_keys, values, min_size=2, max_size=16), probes=st.lists(raw_keys, max_size=6))
def test_witnesses_sharing_a_node_cache_read_as_separate_ones(entries: dict[bytes, bytes], probes: list[bytes]) -> None:
    """A cache shared by two blocks' witnesses changes no reading; a node only the other block has is missing."""
    t = _trie(entries)
    nodes = list(t.db.values())
    keys = [*entries, *probes]
    cache = NodeCache()
    full, shared_full = Witness(nodes), Witness(nodes, cache)
    for key in keys:
        assert shared_full._get(t.root_hash, key, "a key") == full._get(t.root_hash, key, "a key")
    root_node = t.db[t.root_hash]
    partial = [n for n in nodes if n != root_node]  # the root node is in the other block's list only
    for witness in (Witness(partial), Witness(partial, cache)):
        with pytest.raises(ProofError, match="lacks a trie node"):
            witness._get(t.root_hash, keys[0], "a key")


@settings(max_examples=60, deadline=None)
@given(entries=st.dictionaries(raw_keys, values, min_size=20, max_size=60), cut=st.integers(1, 40))
def test_branch_nodes_decode_as_the_reference_decodes(entries: dict[bytes, bytes], cut: int) -> None:
    """Real branch nodes (read in bulk) and damaged ones (a byte changed, cut short): the reference's item or error."""
    for node in _trie(entries).db.values():
        for data in (node, node[:-cut], node[:cut] + b"\xa0" + node[cut + 1 :], node[:cut] + b"\x81" + node[cut + 1 :]):
            assert _outcome(rlp_decode, data) == _outcome(_reference_decode, data)
