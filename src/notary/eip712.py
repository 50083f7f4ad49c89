"""EIP-712 typed data for the ledger's signed payloads.

Frozen: these types must match `LedgerSignatures.sol` byte for byte (the tests pin the
digests against the contract). Changing anything here invalidates every signature.

Signature rules are the contract's, not eth-account's: 65 bytes, v in {27, 28} and s in
the lower half of the curve order (eth-account alone also accepts v in {0, 1} and the
high-s twin; OpenZeppelin's ECDSA rejects both).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_typed_data
from eth_utils import to_checksum_address

from notary.errors import InvalidInputError
from notary.models import Act, BatchAnchor, Notarisation, Terms

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


def terms_hash(t: Terms) -> bytes:
    """The EIP-712 struct hash of the terms (what `NotaryLedger` stores; `hashTerms`)."""
    from eth_abi import encode
    from eth_hash.auto import keccak

    typehash = keccak(
        b"Terms(bytes32 digest,bytes32 hashAlgorithm,bytes32 kind,bytes32 submitter,bytes32[] parties,"
        b"uint8 quorum,bytes32 supersedes,bytes32 metadataHash,bool ratificationRequired)"
    )
    return keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "bytes32", "bytes32", "bytes32", "uint8", "bytes32", "bytes32", "bool"],
            [
                typehash, t.digest, t.hash_algorithm, t.kind, t.submitter, keccak(b"".join(t.parties)),
                t.quorum, t.supersedes, t.metadata_hash, t.ratification_required,
            ],
        )  # fmt: skip
    )


def typed_data(payload: Payload, domain: Domain) -> dict[str, Any]:
    """The full EIP-712 document (what a wallet displays and signs)."""
    kind = primary_type(payload)
    return {
        "types": types_of(kind),
        "primaryType": kind,
        "domain": domain.as_dict(),
        "message": message(payload),
    }


def signing_hash(payload: Payload, domain: Domain) -> bytes:
    """The 32-byte digest the signer signs (`_hashTypedDataV4` in the contract)."""
    return bytes(_hash_eip191_message(encode_typed_data(full_message=typed_data(payload, domain))))


def sign(payload: Payload, domain: Domain, private_key: bytes | str) -> bytes:
    """Sign a payload; returns the 65-byte r‖s‖v signature (low s, v in {27, 28})."""
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
    return str(Account._recover_hash(signing_hash(payload, domain), signature=signature))


def malleable_twin(signature: bytes) -> bytes:
    """The high-s twin of a valid signature (for tests of the contract's rejection)."""
    r, s, v = signature[:32], int.from_bytes(signature[32:64], "big"), signature[64]
    return r + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - v])
