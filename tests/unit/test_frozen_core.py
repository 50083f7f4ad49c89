"""Known-answer vectors for the frozen core: codes, hashing, EIP-712 and Merkle rules.

If one of these fails, a change broke compatibility with every existing signature,
record id or proof. Do not update a vector; revert the change.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

import pytest
from eth_account import Account
from eth_hash.auto import keccak
from hypothesis import given
from hypothesis import strategies as st

from notary import eip712, merkle
from notary.codes import bytes32_to_text, kind_code, party_code, text_to_bytes32
from notary.errors import InvalidInputError
from notary.hashing import canonical_json, metadata_hash, parse_digest, sha256_file
from notary.models import Act, BatchAnchor, Intent, Notarisation, anchor_id, record_id

DOMAIN = eip712.Domain(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")
DEADLINE = 1_800_000_000
NOTARISATION = Notarisation(
    bytes(range(32)),
    text_to_bytes32("sha256"),
    kind_code("mou"),
    party_code("FRA"),
    (party_code("FRA"), party_code("SGP")),
    2,
    bytes(32),
    bytes(32),
    False,
    DEADLINE,
)
ACT = Act(NOTARISATION.terms, party_code("SGP"), Intent.SIGNATURE, "ok", DEADLINE)
ANCHOR = BatchAnchor(b"\x22" * 32, party_code("FRA"), text_to_bytes32("sha256"), bytes(32), DEADLINE)
TERMS_TYPE = (
    "Terms(bytes32 digest,bytes32 hashAlgorithm,bytes32 kind,bytes32 submitter,bytes32[] parties,uint8 quorum,"
    "bytes32 supersedes,bytes32 metadataHash,bool ratificationRequired)"
)


def test_party_code_is_ascii_left_aligned() -> None:
    """A party code is its ASCII bytes, zero-padded to 32 on the right."""
    assert party_code("fra") == b"FRA" + bytes(29)
    assert bytes32_to_text(party_code("UN")) == "UN"


@pytest.mark.parametrize("bad", ["", "F", "fr a", "1AB", "ABCDEFGHIJKLMNOPQ", "FR\u00c9"])
def test_invalid_party_codes_are_refused(bad: str) -> None:
    """Malformed party codes raise InvalidInputError with a hint."""
    with pytest.raises(InvalidInputError) as info:
        party_code(bad)
    assert info.value.hint


def test_typehashes_match_the_solidity_type_strings() -> None:
    """The Python EIP-712 types encode to the exact type strings in LedgerSignatures.sol."""
    from eth_account._utils.encode_typed_data.encoding_and_hashing import encode_type

    expected = {
        "Terms": TERMS_TYPE,
        "Notarisation": "Notarisation(Terms terms,uint64 deadline)" + TERMS_TYPE,
        "Act": "Act(Terms terms,bytes32 party,uint8 intent,string reason,uint64 deadline)" + TERMS_TYPE,
        "BatchAnchor": "BatchAnchor(bytes32 root,bytes32 party,bytes32 hashAlgorithm,bytes32 metadataHash,"
        "uint64 deadline)",
    }
    for name, type_string in expected.items():
        assert encode_type(name, eip712.TYPES) == type_string


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (NOTARISATION, "57eeb6c44e4677dc470111b1e1304472dd7563c446e888e38c51af8e5458d708"),
        (ACT, "95902e424a00f103d01096a4e966f2824ef6c53633878f2bfc98b406e4783da4"),
        (ANCHOR, "03a1bd7aba9548d7692b202fb1577c0713c16dab9a2f660c7e71757ff9d7f908"),
    ],
)
def test_signing_hash_known_answers(payload: Notarisation | Act | BatchAnchor, expected: str) -> None:
    """EIP-712 digests of fixed payloads never change (pinned against the contract)."""
    assert eip712.signing_hash(payload, DOMAIN).hex() == expected


def test_terms_hash_known_answer() -> None:
    """The stored terms hash (`hashTerms`, the EIP-712 struct hash of Terms) never changes."""
    expected = "074925562c2f65884096bb6ca794326f9e3111370acf0b0cd2fb9729db41694c"
    assert eip712.terms_hash(NOTARISATION.terms).hex() == expected


def test_an_act_binds_every_term() -> None:
    """Changing any one term of the record changes the act's signing hash (no reuse of a consent)."""
    base = eip712.signing_hash(ACT, DOMAIN)
    t = NOTARISATION.terms
    variants = [
        replace(t, digest=b"\x01" * 32),
        replace(t, hash_algorithm=text_to_bytes32("sha512")),
        replace(t, kind=kind_code("treaty")),
        replace(t, submitter=party_code("SGP")),
        replace(t, parties=(party_code("FRA"), party_code("SGP"), party_code("DEU"))),
        replace(t, quorum=1),
        replace(t, supersedes=b"\x02" * 32),
        replace(t, metadata_hash=b"\x03" * 32),
        replace(t, ratification_required=True),
    ]
    hashes = {eip712.signing_hash(replace(ACT, terms=v), DOMAIN) for v in variants}
    assert base not in hashes and len(hashes) == len(variants)


def test_domain_binds_chain_and_contract() -> None:
    """The same payload hashes differently for another chain id or another contract."""
    base = eip712.signing_hash(ACT, DOMAIN)
    assert eip712.signing_hash(ACT, eip712.Domain(1, DOMAIN.verifying_contract)) != base
    assert eip712.signing_hash(ACT, eip712.Domain(31337, "0x" + "00" * 19 + "01")) != base


@given(st.binary(min_size=32, max_size=32), st.text(max_size=40))
def test_sign_then_recover_roundtrip(digest: bytes, reason: str) -> None:
    """A signature recovers to its signer and is always low-s with v in {27, 28}."""
    key = Account.from_key(b"\x01" * 32)
    act = Act(replace(NOTARISATION.terms, digest=digest), party_code("FRA"), Intent.WITHDRAWAL, reason, DEADLINE)
    sig = eip712.sign(act, DOMAIN, key.key)
    eip712.check_signature_form(sig)
    assert eip712.recover_signer(act, DOMAIN, sig) == key.address


def test_strict_rules_reject_what_eth_account_alone_accepts() -> None:
    """High-s twins and v in {0, 1} are refused off chain, as OpenZeppelin does on chain."""
    key = Account.from_key(b"\x02" * 32)
    sig = eip712.sign(ACT, DOMAIN, key.key)
    with pytest.raises(InvalidInputError, match="upper half"):
        eip712.recover_signer(ACT, DOMAIN, eip712.malleable_twin(sig))
    with pytest.raises(InvalidInputError, match="v value"):
        eip712.recover_signer(ACT, DOMAIN, sig[:64] + bytes([sig[64] - 27]))
    with pytest.raises(InvalidInputError, match="65 bytes"):
        eip712.recover_signer(ACT, DOMAIN, sig[:64])


def test_record_and_anchor_ids_known_answers() -> None:
    """Record id = keccak256(abi.encode(digest, party)); anchors likewise."""
    assert (
        record_id(bytes(range(32)), party_code("FRA")).hex()
        == "9630729d65f13c50206f8027530dd508cf344efcc748c9bd50489ee068b9badd"
    )
    assert anchor_id(b"\x22" * 32, party_code("FRA")) == keccak(b"\x22" * 32 + party_code("FRA"))


def test_merkle_known_answer_and_proofs() -> None:
    """The 5-leaf root and tree positions are pinned and every leaf's proof verifies; others do not."""
    # Protocol v2 (OpenZeppelin StandardMerkleTree, computed with @openzeppelin/merkle-tree 1.0.8);
    # the v1 root of these digests was c92435163a72e7ca4d3251768abf37baef63ad89275f9fb655950ee107aa0c4c.
    digests = [bytes([i]) * 32 for i in range(5)]
    tree = merkle.MerkleTree(digests)
    assert tree.root.hex() == "00c431048949648c08156ca90bf67be8f396ef5ddc29a3570c01dc678da77ed1"
    assert [tree.position(i) for i in range(5)] == [7, 4, 8, 6, 5]
    assert [len(tree.proof(i)) for i in range(5)] == [3, 2, 3, 2, 2]
    for i, d in enumerate(digests):
        assert merkle.verify(d, tree.proof(i), tree.root)
    assert not merkle.verify(b"\x09" * 32, tree.proof(0), tree.root)


@given(st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=40, unique=True), st.data())
def test_merkle_proofs_verify_and_grow_with_log2(digests: list[bytes], data: st.DataObject) -> None:
    """Any member verifies; a proof has ceil(log2(n)) steps or one fewer; the fast builder agrees."""
    tree = merkle.MerkleTree(digests)
    i = data.draw(st.integers(0, len(digests) - 1))
    proof = tree.proof(i)
    assert merkle.verify(digests[i], proof, tree.root)
    depth = max(0, (len(digests) - 1).bit_length())
    assert len(proof) in {depth, max(0, depth - 1)}
    fast = merkle.FastMerkleTree(digests)
    assert fast.nodes == tree.nodes and fast.proof(i) == proof


def test_sha256_file_streams_and_matches_hashlib(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """File digests equal hashlib's; progress sees every byte."""
    f = tmp_path / "doc.bin"
    payload = b"x" * (3 * 1024 * 1024 + 7)
    f.write_bytes(payload)
    seen: list[int] = []
    assert sha256_file(f, seen.append) == hashlib.sha256(payload).digest()
    assert sum(seen) == len(payload)


def test_sha256_file_errors_are_clear(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A missing file or a directory is an InvalidInputError, not a traceback."""
    with pytest.raises(InvalidInputError, match="does not exist"):
        sha256_file(tmp_path / "missing.pdf")
    with pytest.raises(InvalidInputError, match="directory"):
        sha256_file(tmp_path)


def test_parse_digest_accepts_hex_with_or_without_prefix() -> None:
    """Digests parse from 64 hex digits, with or without 0x; anything else is refused."""
    assert parse_digest("0x" + "ab" * 32) == b"\xab" * 32
    assert parse_digest("AB" * 32) == b"\xab" * 32
    with pytest.raises(InvalidInputError):
        parse_digest("abc")


def test_metadata_hash_is_canonical() -> None:
    """Key order does not change the commitment; empty metadata commits to zero."""
    assert metadata_hash({"a": 1, "b": "é"}) == metadata_hash({"b": "é", "a": 1})
    assert canonical_json({"b": 1, "a": [1, 2]}) == b'{"a":[1,2],"b":1}'
    assert metadata_hash({}) == bytes(32)
