"""EIP-712 typed data for the ledger's signed payloads.

Frozen: these types must match `LedgerSignatures.sol` byte for byte (the tests pin the
digests against the contract). Changing anything here invalidates every signature.

Signature rules are the contract's, not eth-account's: 65 bytes, v in {27, 28} and s in
the lower half of the curve order (eth-account alone also accepts v in {0, 1} and the
high-s twin; OpenZeppelin's ECDSA rejects both).

The hashes are encoded directly, per the EIP-712 spec over the fixed types above (their
type hashes precomputed), and signers recovered with coincurve; `reference_signing_hash` is
eth-account's generic encoder, which the tests hold equal to `signing_hash`. Importing this
module loads neither eth-account nor eth-utils: offline verification starts fast.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from notary.errors import InvalidInputError
from notary.models import Act, BatchAnchor, Notarisation, Terms


def _keccak_backend() -> Callable[[bytes], bytes]:
    """keccak256 from the fastest C implementation installed (pysha3, else pycryptodome, else
    eth-hash's choice); imported without eth-hash's plugin discovery, which costs more than hashing."""
    try:
        from sha3 import keccak_256  # type: ignore[import-not-found,unused-ignore]

        return lambda data: keccak_256(data).digest()  # type: ignore[no-any-return]
    except ImportError:  # pragma: no cover - PyPy or a minimal install
        pass
    try:
        from Crypto.Hash import keccak as _crypto_keccak

        return lambda data: _crypto_keccak.new(data=data, digest_bits=256).digest()
    except ImportError:  # pragma: no cover - eth-hash with another backend
        from eth_hash.auto import keccak as _eth_keccak

        return _eth_keccak


#: keccak256 (Ethereum's SHA-3 variant) of bytes: equal to `eth_hash.auto.keccak` (a test pins it).
keccak256: Callable[[bytes], bytes] = _keccak_backend()
keccak = keccak256  # the name the EIP-712 encoding below uses
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_ANY_ADDRESS = re.compile(r"(0[xX])?[0-9a-fA-F]{40}")  # what eth-utils' to_checksum_address takes as text

DOMAIN_NAME = "NotaryLedger"
DOMAIN_VERSION = "2"
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
SECP256K1_HALF_N = SECP256K1_N // 2

_EIP712_DOMAIN = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]

_TERMS = [
    {"name": "digest", "type": "bytes32"},
    {"name": "hashAlgorithm", "type": "bytes32"},
    {"name": "kind", "type": "bytes32"},
    {"name": "submitter", "type": "bytes32"},
    {"name": "parties", "type": "bytes32[]"},
    {"name": "quorum", "type": "uint8"},
    {"name": "supersedes", "type": "bytes32"},
    {"name": "metadataHash", "type": "bytes32"},
    {"name": "ratificationRequired", "type": "bool"},
]

TYPES: dict[str, list[dict[str, str]]] = {
    # Terms(bytes32 digest,bytes32 hashAlgorithm,bytes32 kind,bytes32 submitter,bytes32[] parties,
    #   uint8 quorum,bytes32 supersedes,bytes32 metadataHash,bool ratificationRequired)
    "Terms": _TERMS,
    # Notarisation(Terms terms,uint64 deadline)Terms(...)
    "Notarisation": [
        {"name": "terms", "type": "Terms"},
        {"name": "deadline", "type": "uint64"},
    ],
    # Act(Terms terms,bytes32 party,uint8 intent,string reason,uint64 deadline)Terms(...)
    "Act": [
        {"name": "terms", "type": "Terms"},
        {"name": "party", "type": "bytes32"},
        {"name": "intent", "type": "uint8"},
        {"name": "reason", "type": "string"},
        {"name": "deadline", "type": "uint64"},
    ],
    # BatchAnchor(bytes32 root,bytes32 party,bytes32 hashAlgorithm,bytes32 metadataHash,uint64 deadline)
    "BatchAnchor": [
        {"name": "root", "type": "bytes32"},
        {"name": "party", "type": "bytes32"},
        {"name": "hashAlgorithm", "type": "bytes32"},
        {"name": "metadataHash", "type": "bytes32"},
        {"name": "deadline", "type": "uint64"},
    ],
}

Payload = Notarisation | Act | BatchAnchor

# The encoded type strings of the types above, as the contract's typehash constants spell them.
_TERMS_TYPE = (
    b"Terms(bytes32 digest,bytes32 hashAlgorithm,bytes32 kind,bytes32 submitter,bytes32[] parties,"
    b"uint8 quorum,bytes32 supersedes,bytes32 metadataHash,bool ratificationRequired)"
)
_DOMAIN_TYPE = b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
_TERMS_TYPEHASH = keccak(_TERMS_TYPE)
_NOTARISATION_TYPEHASH = keccak(b"Notarisation(Terms terms,uint64 deadline)" + _TERMS_TYPE)
_ACT_TYPEHASH = keccak(b"Act(Terms terms,bytes32 party,uint8 intent,string reason,uint64 deadline)" + _TERMS_TYPE)
_BATCH_TYPEHASH = keccak(
    b"BatchAnchor(bytes32 root,bytes32 party,bytes32 hashAlgorithm,bytes32 metadataHash,uint64 deadline)"
)


def to_checksum_address(address: str | bytes) -> str:
    """The EIP-55 mixed-case form of a 20-byte address given as hex text (any case) or bytes."""
    if isinstance(address, bytes | bytearray):
        if len(address) != 20:
            raise ValueError(f"an address has 20 bytes, not {len(address)}")
        return _checksum("0x" + bytes(address).hex())
    if not isinstance(address, str) or not _ANY_ADDRESS.fullmatch(address):
        raise ValueError(f"{address!r} is not a 20-byte hex address")
    return _checksum("0x" + address[-40:].lower())


def is_checksum_address(value: object) -> bool:
    """Whether `value` is a 0x-prefixed address text in its EIP-55 mixed-case form."""
    return isinstance(value, str) and bool(_ADDRESS.fullmatch(value)) and _checksum(value.lower()) == value


@functools.lru_cache(maxsize=4096)
def _checksum(lower: str) -> str:
    """EIP-55: each hex letter upper-cased where the keccak256 of the lower-case hex has a nibble >= 8."""
    hexed = lower[2:]
    mask = keccak256(hexed.encode()).hex()
    return "0x" + "".join(c.upper() if int(m, 16) >= 8 else c for c, m in zip(hexed, mask[:40], strict=True))


@dataclass(frozen=True)
class Domain:
    """The EIP-712 domain: binds a signature to one chain and one ledger contract."""

    chain_id: int
    verifying_contract: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": self.chain_id,
            "verifyingContract": to_checksum_address(self.verifying_contract),
        }


def primary_type(payload: Payload) -> str:
    return type(payload).__name__


def terms_message(t: Terms) -> dict[str, Any]:
    """The EIP-712 fields of a record's terms."""
    return {
        "digest": t.digest,
        "hashAlgorithm": t.hash_algorithm,
        "kind": t.kind,
        "submitter": t.submitter,
        "parties": list(t.parties),
        "quorum": t.quorum,
        "supersedes": t.supersedes,
        "metadataHash": t.metadata_hash,
        "ratificationRequired": t.ratification_required,
    }


def message(payload: Payload) -> dict[str, Any]:
    """The EIP-712 message fields of a payload."""
    if isinstance(payload, Notarisation):
        return {"terms": terms_message(payload.terms), "deadline": payload.deadline}
    if isinstance(payload, Act):
        return {
            "terms": terms_message(payload.terms),
            "party": payload.party,
            "intent": int(payload.intent),
            "reason": payload.reason,
            "deadline": payload.deadline,
        }
    return {
        "root": payload.root,
        "party": payload.party,
        "hashAlgorithm": payload.hash_algorithm,
        "metadataHash": payload.metadata_hash,
        "deadline": payload.deadline,
    }


def types_of(kind: str) -> dict[str, list[dict[str, str]]]:
    """The EIP-712 `types` member for a primary type (with the domain and nested types)."""
    types = {"EIP712Domain": _EIP712_DOMAIN, kind: TYPES[kind]}
    if kind in ("Notarisation", "Act"):
        types["Terms"] = _TERMS
    return types


def _word(value: bytes) -> bytes:
    """A `bytes32` ABI word (shorter values right-padded, as eth-abi does; longer refused)."""
    if not isinstance(value, bytes) or len(value) > 32:
        raise ValueError(f"not a bytes32 value: {value!r}")
    return value.ljust(32, b"\0")


def _uint(value: int, bits: int) -> bytes:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1 << bits:
        raise ValueError(f"not a uint{bits} value: {value!r}")
    return value.to_bytes(32, "big")


def _bool(value: bool) -> bytes:
    if not isinstance(value, bool):
        raise ValueError(f"not a bool value: {value!r}")
    return int(value).to_bytes(32, "big")


def terms_hash(t: Terms) -> bytes:
    """The EIP-712 struct hash of the terms (what `NotaryLedger` stores; `hashTerms`)."""
    try:
        return _terms_hash_cached(t)
    except TypeError:  # unhashable (a list of parties): computed without the cache
        return _terms_hash(t)


@functools.lru_cache(maxsize=4096)
def _terms_hash_cached(t: Terms) -> bytes:
    """A record's acts all sign over its terms: recent terms' hashes are remembered."""
    return _terms_hash(t)


def _terms_hash(t: Terms) -> bytes:
    return keccak(
        _TERMS_TYPEHASH + _word(t.digest) + _word(t.hash_algorithm) + _word(t.kind) + _word(t.submitter)
        + keccak(b"".join(t.parties)) + _uint(t.quorum, 8) + _word(t.supersedes) + _word(t.metadata_hash)
        + _bool(t.ratification_required)
    )  # fmt: skip


def typed_data(payload: Payload, domain: Domain) -> dict[str, Any]:
    """The full EIP-712 document (what a wallet displays and signs)."""
    kind = primary_type(payload)
    return {
        "types": types_of(kind),
        "primaryType": kind,
        "domain": domain.as_dict(),
        "message": message(payload),
    }


def reference_signing_hash(payload: Payload, domain: Domain) -> bytes:
    """`signing_hash` through eth-account's generic EIP-712 encoder (the tests' reference)."""
    from eth_account.messages import _hash_eip191_message, encode_typed_data

    return bytes(_hash_eip191_message(encode_typed_data(full_message=typed_data(payload, domain))))


@functools.lru_cache(maxsize=64)
def domain_separator(domain: Domain) -> bytes:
    """The EIP-712 domain separator (`_domainSeparatorV4`), computed once per domain."""
    address = bytes.fromhex(to_checksum_address(domain.verifying_contract)[2:])
    return keccak(
        keccak(_DOMAIN_TYPE) + keccak(DOMAIN_NAME.encode()) + keccak(DOMAIN_VERSION.encode())
        + _uint(domain.chain_id, 256) + address.rjust(32, b"\0")
    )  # fmt: skip


def struct_hash(payload: Payload) -> bytes:
    """The EIP-712 `hashStruct` of a payload, encoded directly (the types above, field by field)."""
    if isinstance(payload, Notarisation):
        return keccak(_NOTARISATION_TYPEHASH + terms_hash(payload.terms) + _uint(payload.deadline, 64))
    if isinstance(payload, Act):
        return keccak(
            _ACT_TYPEHASH + terms_hash(payload.terms) + _word(payload.party) + _uint(int(payload.intent), 8)
            + keccak(payload.reason.encode()) + _uint(payload.deadline, 64)
        )  # fmt: skip
    return keccak(
        _BATCH_TYPEHASH + _word(payload.root) + _word(payload.party) + _word(payload.hash_algorithm)
        + _word(payload.metadata_hash) + _uint(payload.deadline, 64)
    )  # fmt: skip


def signing_hash(payload: Payload, domain: Domain) -> bytes:
    """The 32-byte digest the signer signs (`_hashTypedDataV4` in the contract):
    keccak256(0x1901 ‖ domain separator ‖ hashStruct(payload)); equal to `reference_signing_hash`."""
    return keccak(b"\x19\x01" + domain_separator(domain) + struct_hash(payload))


def sign(payload: Payload, domain: Domain, private_key: bytes | str) -> bytes:
    """Sign a payload; returns the 65-byte r‖s‖v signature (low s, v in {27, 28})."""
    from eth_account import Account

    signed = Account.sign_typed_data(private_key, full_message=typed_data(payload, domain))
    return bytes(signed.signature)


def check_signature_form(signature: bytes) -> None:
    """Apply the contract's ECDSA rules: 65 bytes, v in {27, 28}, s in the lower half order."""
    if len(signature) != 65:
        raise InvalidInputError(f"a signature has 65 bytes, this one has {len(signature)}")
    s = int.from_bytes(signature[32:64], "big")
    if s > SECP256K1_HALF_N:
        raise InvalidInputError("the signature's s value is in the upper half of the curve order (malleable)")
    if signature[64] not in (27, 28):
        raise InvalidInputError(f"the signature's v value is {signature[64]}, expected 27 or 28")


def recover_signer(payload: Payload, domain: Domain, signature: bytes) -> str:
    """The address that signed `payload` under `domain`, under the contract's strict rules."""
    check_signature_form(signature)
    return recover_hash(signing_hash(payload, domain), signature)


def recover_hash(digest: bytes, signature: bytes) -> str:
    """The checksummed address whose key made `signature` (r ‖ s ‖ v, v in {27, 28}) over `digest`."""
    from coincurve import PublicKey

    try:
        key = PublicKey.from_signature_and_message(signature[:64] + bytes([signature[64] - 27]), digest, hasher=None)
    except ValueError as exc:  # no point on the curve for this r, or r/s out of range
        raise InvalidInputError(f"the signature does not recover to any key ({exc})") from None
    return _address_of(key.format(compressed=False)[1:])


@functools.lru_cache(maxsize=1024)
def _address_of(public_key: bytes) -> str:
    """The checksummed address of a 64-byte public key (signers recur: each is derived once)."""
    return to_checksum_address(keccak(public_key)[-20:])


def malleable_twin(signature: bytes) -> bytes:
    """The high-s twin of a valid signature (for tests of the contract's rejection)."""
    r, s, v = signature[:32], int.from_bytes(signature[32:64], "big"), signature[64]
    return r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v])
