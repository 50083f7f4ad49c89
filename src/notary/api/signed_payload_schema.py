"""JSON Schema of the signed-payload file (`notary.signed_payload`), for the OpenAPI document.

Generated from the frozen EIP-712 types, so it cannot drift from what is signed. The
parser in `notary.signed_payload` stays the authority (it also bounds size and rejects
trailing data).
"""

from __future__ import annotations

from typing import Any

from notary import eip712, signed_payload

_HEX32 = {"type": "string", "pattern": "^0x[0-9a-fA-F]{64}$"}
_ADDRESS = {"type": "string", "pattern": "^0x[0-9a-fA-F]{40}$"}
_UINT64 = {"type": "string", "pattern": "^(0|[1-9][0-9]{0,19})$", "description": "uint64, a decimal string"}
_PRIMARY = sorted(k for k in eip712.TYPES if k != "Terms")


def _field(solidity: str) -> dict[str, Any]:
    if solidity == "bytes32":
        return _HEX32
    if solidity == "bytes32[]":
        return {"type": "array", "items": _HEX32, "minItems": 1, "maxItems": 32}
    if solidity == "uint64":
        return _UINT64
    if solidity.startswith("uint"):
        return {"type": "integer", "minimum": 0, "maximum": 2 ** int(solidity[4:]) - 1}
    if solidity == "bool":
        return {"type": "boolean"}
    if solidity in eip712.TYPES:
        return _struct(solidity)
    return {"type": "string"}


def _struct(kind: str) -> dict[str, Any]:
    fields = eip712.TYPES[kind]
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [f["name"] for f in fields],
        "properties": {f["name"]: _field(f["type"]) for f in fields},
    }


def _variant(primary: str) -> dict[str, Any]:
    return {
        "properties": {
            "typedData": {
                "properties": {
                    "primaryType": {"const": primary},
                    "types": {"const": eip712.types_of(primary)},
                    "message": _struct(primary),
                }
            }
        }
    }


SIGNED_PAYLOAD_SCHEMA: dict[str, Any] = {
    "title": "SignedPayload",
    "description": f"{signed_payload.MEDIA_TYPE}, version {signed_payload.MAJOR_VERSION}: a complete EIP-712 "
    f"document (`typedData`, as eth_signTypedData_v4 takes it) signed by a party's key, at most "
    f"{signed_payload.MAX_BYTES} bytes.",
    "type": "object",
    "additionalProperties": False,
    "required": ["mediaType", "version", "typedData", "signer", "signature"],
    "properties": {
        "mediaType": {"const": signed_payload.MEDIA_TYPE},
        "version": {"const": signed_payload.MAJOR_VERSION},
        "typedData": {
            "type": "object",
            "additionalProperties": False,
            "required": ["types", "primaryType", "domain", "message"],
            "properties": {
                "types": {"type": "object"},
                "primaryType": {"enum": _PRIMARY},
                "domain": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name", "version", "chainId", "verifyingContract"],
                    "properties": {
                        "name": {"const": eip712.DOMAIN_NAME},
                        "version": {"const": eip712.DOMAIN_VERSION},
                        "chainId": {"type": "integer", "minimum": 0},
                        "verifyingContract": _ADDRESS,
                    },
                },
                "message": {"type": "object"},
            },
        },
        "signer": _ADDRESS,
        "signature": {"type": "string", "pattern": "^0x[0-9a-fA-F]{130}$"},
    },
    "oneOf": [_variant(p) for p in _PRIMARY],
}
