"""The direct EIP-712 encoding, keccak, EIP-55 and signer recovery equal the generic libraries they replace.

`notary.eip712` hashes the fixed types field by field (type hashes precomputed) and recovers
with coincurve, so that offline verification needs neither eth-account nor eth-utils. Each
test holds it equal to the library the code used before, on random payloads and domains:
`eth_account.messages.encode_typed_data`, `eth_abi.encode`, `eth_hash.auto.keccak`,
`eth_utils.to_checksum_address` and eth-account's recovery. The contract's own hashes pin
the same encoding in `tests/contracts/test_signatures.py`.
"""

from __future__ import annotations

import sys

import pytest
from eth_abi import encode
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_typed_data
from eth_hash.auto import keccak
from eth_utils import is_checksum_address, to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st

from notary import eip712
from notary.errors import InvalidInputError
from notary.models import Act, BatchAnchor, Intent, Notarisation, Terms, anchor_id, record_id

bytes32 = st.binary(min_size=32, max_size=32)
uint64 = st.integers(0, 2**64 - 1)
addresses = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
domains = st.builds(eip712.Domain, chain_id=st.integers(0, 2**256 - 1), verifying_contract=addresses)
terms = st.builds(
    Terms,
    digest=bytes32,
    hash_algorithm=bytes32,
    kind=bytes32,
    submitter=bytes32,
    parties=st.lists(bytes32, max_size=33).map(tuple),
    quorum=st.integers(0, 255),
    supersedes=bytes32,
    metadata_hash=bytes32,
    ratification_required=st.booleans(),
)
payloads = st.one_of(
    st.builds(Notarisation.of, terms, uint64),
    st.builds(Act, terms=terms, party=bytes32, intent=st.sampled_from(Intent), reason=st.text(), deadline=uint64),
    st.builds(Act, terms=terms, party=bytes32, intent=st.integers(0, 255), reason=st.text(), deadline=uint64),
    st.builds(BatchAnchor, root=bytes32, party=bytes32, hash_algorithm=bytes32, metadata_hash=bytes32, deadline=uint64),
)


def eth_account_hash(payload: Notarisation | Act | BatchAnchor, domain: eip712.Domain) -> bytes:
    """The signing hash as eth-account's generic encoder computes it from the full typed-data document."""
    return bytes(_hash_eip191_message(encode_typed_data(full_message=eip712.typed_data(payload, domain))))


@settings(max_examples=300, deadline=None)
@given(payload=payloads, domain=domains)
def test_direct_signing_hash_is_eth_accounts(payload: Notarisation | Act | BatchAnchor, domain: eip712.Domain) -> None:
    """For any payload of the three types and any domain, the direct hash is eth-account's `encode_typed_data`."""
    assert eip712.signing_hash(payload, domain) == eth_account_hash(payload, domain)
    assert eip712.reference_signing_hash(payload, domain) == eth_account_hash(payload, domain)


@settings(max_examples=200, deadline=None)
@given(t=terms)
def test_terms_hash_is_the_abi_encoding(t: Terms) -> None:
    """`terms_hash` is keccak256(abi.encode(typehash, fields…, keccak256(parties…))), as `hashTerms` computes it."""
    typehash = keccak(
        b"Terms(bytes32 digest,bytes32 hashAlgorithm,bytes32 kind,bytes32 submitter,bytes32[] parties,"
        b"uint8 quorum,bytes32 supersedes,bytes32 metadataHash,bool ratificationRequired)"
    )
    values = [
        typehash, t.digest, t.hash_algorithm, t.kind, t.submitter, keccak(b"".join(t.parties)), t.quorum,
        t.supersedes, t.metadata_hash, t.ratification_required,
    ]  # fmt: skip
    types = ["bytes32"] * 6 + ["uint8", "bytes32", "bytes32", "bool"]
    assert eip712.terms_hash(t) == keccak(encode(types, values))
    assert eip712.terms_hash(t) == eip712.terms_hash(Terms(**{**t.__dict__, "parties": list(t.parties)}))  # type: ignore[arg-type]


def test_out_of_range_values_are_refused_not_truncated() -> None:
    """A value that does not fit its EIP-712 type raises (eth-abi refused it too), it is never wrapped."""
    t = Terms(bytes(32), bytes(32), bytes(32), bytes(32), (), 256, bytes(32), bytes(32), False)
    with pytest.raises(ValueError, match="uint8"):
        eip712.terms_hash(t)
    with pytest.raises(ValueError, match="bytes32"):
        eip712.terms_hash(Terms(bytes(33), bytes(32), bytes(32), bytes(32), (), 1, bytes(32), bytes(32), False))
    with pytest.raises(ValueError, match="uint64"):
        eip712.struct_hash(BatchAnchor(bytes(32), bytes(32), bytes(32), bytes(32), 2**64))


@given(data=st.binary(max_size=300))
def test_keccak256_is_eth_hashs(data: bytes) -> None:
    """The keccak256 the core uses is eth-hash's, whichever C implementation serves it."""
    assert eip712.keccak256(data) == keccak(data)


@settings(max_examples=300)
@given(raw=st.binary(min_size=20, max_size=20), case=st.sampled_from(["lower", "upper", "bare"]))
def test_checksum_addresses_are_eth_utils(raw: bytes, case: str) -> None:
    """EIP-55 forms and checks equal eth-utils' for lower-case, upper-case and unprefixed input."""
    text = {"lower": "0x" + raw.hex(), "upper": "0x" + raw.hex().upper(), "bare": raw.hex()}[case]
    assert eip712.to_checksum_address(text) == to_checksum_address(text)
    assert eip712.to_checksum_address(raw) == to_checksum_address(raw)
    checksummed = to_checksum_address(raw)
    for candidate in (checksummed, text, checksummed.lower(), "0X" + checksummed[2:], checksummed[2:]):
        assert eip712.is_checksum_address(candidate) == is_checksum_address(candidate), candidate


@pytest.mark.parametrize("bad", ["0x12", "0x" + "g" * 40, "0x" + "a" * 41, "", 5, None])
def test_malformed_addresses_are_value_errors(bad: object) -> None:
    with pytest.raises(ValueError):
        eip712.to_checksum_address(bad)  # type: ignore[arg-type]
    assert not eip712.is_checksum_address(bad)


@settings(max_examples=60, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32), payload=payloads, domain=domains)
def test_recovery_is_eth_accounts(
    seed: bytes, payload: Notarisation | Act | BatchAnchor, domain: eip712.Domain
) -> None:
    """coincurve's recovery gives eth-account's signer for a signature over the payload; another domain does not."""
    try:
        key = Account.from_key(seed)
    except ValueError:  # not a valid secp256k1 secret (0 or past the order)
        return
    signature = eip712.sign(payload, domain, key.key)
    digest = eip712.signing_hash(payload, domain)
    assert eip712.recover_signer(payload, domain, signature) == key.address
    assert eip712.recover_hash(digest, signature) == Account._recover_hash(digest, signature=signature)
    other = eip712.Domain(domain.chain_id ^ 1, domain.verifying_contract)
    assert eip712.recover_signer(payload, other, signature) != key.address


def test_a_signature_of_no_curve_point_is_an_input_error() -> None:
    """An r that is not an x coordinate on the curve recovers to no key: a typed error, not a crash."""
    r = (2**256 - 1).to_bytes(32, "big")  # past the field prime: no point has it
    with pytest.raises(InvalidInputError, match="does not recover"):
        eip712.recover_hash(bytes(32), r + (1).to_bytes(32, "big") + b"\x1b")


def test_ids_use_the_same_keccak() -> None:
    """Record and anchor ids are keccak256 of the two words, with the core's keccak."""
    digest, party = bytes(range(32)), b"FRA".ljust(32, b"\0")
    assert record_id(digest, party) == keccak(digest + party)
    assert anchor_id(digest, party) == keccak(digest + party)


def test_importing_the_core_loads_no_ethereum_library() -> None:
    """`notary.eip712` imports neither eth-account nor eth-utils (they load on first signing only)."""
    import subprocess

    probe = (
        "import sys, notary.eip712, notary.models, notary.codes, notary.hashing, notary.merkle\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    loaded = set(
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    )
    assert not loaded & {"eth_account", "eth_utils", "eth_abi", "eth_keys", "py_ecc", "pydantic", "web3", "eth_hash"}
