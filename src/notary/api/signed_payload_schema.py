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


def _field(solidity: str) -> dict[str, Any]:
    if solidity == "bytes32":
        return _HEX32
    if solidity == "bytes32[]":
        return {"type": "array", "items": _HEX32}
    if solidity.startswith("uint"):
        return {"type": "integer", "minimum": 0, "maximum": 2 ** int(solidity[4:]) - 1}
    if solidity == "bool":
        return {"type": "boolean"}
    return {"type": "string"}


def _variant(primary: str) -> dict[str, Any]:
    fields = eip712.TYPES[primary]
    return {
        "properties": {
            "primaryType": {"const": primary},
            "message": {
                "type": "object",
                "additionalProperties": False,
                "required": [f["name"] for f in fields],
                "properties": {f["name"]: _field(f["type"]) for f in fields},
            },
        }
    }


SIGNED_PAYLOAD_SCHEMA: dict[str, Any] = {
    "title": "SignedPayload",
    "description": f"{signed_payload.MEDIA_TYPE}, version {signed_payload.MAJOR_VERSION}: an EIP-712 payload "
    f"signed by a party's key, at most {signed_payload.MAX_BYTES} bytes.",
    "type": "object",
    "additionalProperties": False,
    "required": ["mediaType", "version", "primaryType", "domain", "message", "signer", "signature"],
    "properties": {
        "mediaType": {"const": signed_payload.MEDIA_TYPE},
        "version": {"const": signed_payload.MAJOR_VERSION},
        "primaryType": {"enum": sorted(eip712.TYPES)},
        "domain": {
            "type": "object",
            "additionalProperties": False,
            "required": ["chainId", "verifyingContract"],
            "properties": {"chainId": {"type": "integer", "minimum": 0}, "verifyingContract": _ADDRESS},
        },
        "message": {"type": "object"},
        "signer": _ADDRESS,
        "signature": {"type": "string", "pattern": "^0x[0-9a-fA-F]{130}$"},
    },
    "oneOf": [_variant(p) for p in sorted(eip712.TYPES)],
}
