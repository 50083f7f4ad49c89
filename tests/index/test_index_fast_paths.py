"""The indexer's fast paths agree with the generic code they replace (EIP-712, ABI decoding, hashing)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from eth_abi import encode
from eth_account import Account
from hypothesis import given, settings
from hypothesis import strategies as st

from notary import batch, eip712
from notary.chain.events import _decode_log, _fast_decode
from notary.models import Act, BatchAnchor, Intent, Notarisation, Terms

b32 = st.binary(min_size=32, max_size=32)
terms = st.builds(
    Terms, b32, b32, b32, b32, st.lists(b32, max_size=4).map(tuple), st.integers(0, 255), b32, b32, st.booleans()
)
deadline = st.integers(0, 2**64 - 1)
payloads = st.one_of(
    st.builds(lambda t, d: Notarisation.of(t, d), terms, deadline),
    st.builds(Act, terms, b32, st.sampled_from(list(Intent)), st.text(max_size=40), deadline),
    st.builds(BatchAnchor, b32, b32, b32, b32, deadline),
)
domains = st.builds(
    eip712.Domain, st.integers(1, 2**64), st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
)
KEY = Account.from_key(hashlib.sha256(b"fast paths").digest())


@settings(max_examples=60, deadline=None)
@given(payloads, domains)
def test_direct_signing_hash_equals_eth_accounts_encoder(payload: eip712.Payload, domain: eip712.Domain) -> None:
    """The field-by-field EIP-712 digest is eth-account's generic encoding, for every payload type."""
    assert eip712.signing_hash(payload, domain) == eip712.reference_signing_hash(payload, domain)


@settings(max_examples=20, deadline=None)
@given(payloads)
def test_coincurve_recovery_names_the_signer_as_eth_account_does(payload: eip712.Payload) -> None:
    """Recovery through coincurve gives the signer's checksummed address, as eth-account's recovery does."""
    domain = eip712.Domain(31337, "0x" + "ab" * 20)
    signature = eip712.sign(payload, domain, KEY.key)
    assert eip712.recover_signer(payload, domain, signature) == KEY.address
    assert Account._recover_hash(eip712.signing_hash(payload, domain), signature=signature) == KEY.address


TYPES = ["bytes32", "address", "bool", "uint8", "uint64", "bytes", "string", "bytes32[]"]
values = st.tuples(
    b32,
    st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex()),
    st.booleans(),
    st.integers(0, 255),
    st.integers(0, 2**64 - 1),
    st.binary(max_size=100),
    st.text(max_size=50),
    st.lists(b32, max_size=5),
)


@settings(max_examples=80, deadline=None)
@given(values)
def test_fast_log_decoding_equals_eth_abi(args: tuple) -> None:  # type: ignore[type-arg]
    """Event data decoded word by word equals eth-abi's decoding of the same bytes."""
    from eth_abi import decode

    data = encode(TYPES, list(args))
    fast = _fast_decode(TYPES, data)
    assert fast is not None
    generic = decode(TYPES, data)
    assert [tuple(v) if isinstance(v, tuple | list) else v for v in fast] == [
        tuple(v) if isinstance(v, tuple | list) else v for v in generic
    ]


def test_fast_decoding_leaves_non_canonical_data_to_eth_abi() -> None:
    """Dirty padding, an out-of-range offset or a short body: the fast path declines (eth-abi judges)."""
    good = encode(["bool", "string"], [True, "abc"])
    assert _fast_decode(["bool", "string"], good) == [True, "abc"]
    assert _fast_decode(["bool", "string"], b"\x01" + good[1:]) is None  # bool word with high bits
    assert _fast_decode(["bool", "string"], good[:32] + (10**6).to_bytes(32, "big") + good[64:]) is None
    assert _fast_decode(["bool", "string"], good[:-1] + b"\x01") is None  # padding after the string
    assert _fast_decode(["bool", "string"], good[:40]) is None
    assert _fast_decode(["int256"], encode(["int256"], [-1])) is None  # a type it does not read


def test_decoded_addresses_are_checksummed_once_and_plain() -> None:
    """An event's address arguments come out checksummed, topics and data alike."""
    event = {
        "inputs": [
            {"name": "who", "type": "address", "indexed": True},
            {"name": "to", "type": "address", "indexed": False},
            {"name": "parties", "type": "bytes32[]", "indexed": False},
        ]
    }
    a = KEY.address
    topics = (b"\0" * 32, bytes(12) + bytes.fromhex(a[2:]))
    args = _decode_log(event, topics, encode(["address", "bytes32[]"], [a, [b"\1" * 32]]))
    assert args == {"who": a, "to": a, "parties": (b"\1" * 32,)}


def test_hash_files_measured_choice_matches_hashlib_whatever_it_picks(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Serial, forced pool and measured choice (with a pool judged slower than the sample) give hashlib's digests."""
    paths = []
    for i in range(300):
        p = tmp_path / f"{i:04d}.txt"
        p.write_bytes(f"certificate {i}\n".encode() * (i % 7 + 1))
        paths.append(p)
    expected = [hashlib.sha256(p.read_bytes()).digest() for p in paths]
    ticks: list[int] = []
    assert batch.hash_files(paths, progress=ticks.append) == expected
    assert sum(ticks) == len(paths)
    assert batch.hash_files(paths, workers=1) == expected
    monkeypatch.setattr(batch, "JUDGE_SECONDS", 0.0)  # judged at once, slower than any sample: the rest goes serial
    ticks.clear()
    assert batch._pooled([str(p) for p in paths], 2, ticks.append, serial_rate=10**12) == expected
    assert sum(ticks) == len(paths)
