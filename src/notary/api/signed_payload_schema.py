"""JSON Schema of the signed-payload file (`notary.signed_payload`), for the OpenAPI document.

Generated from the frozen EIP-712 types and the parser's own code shapes, so it cannot drift
from what is signed or read, and bound to the service's deployment (its chain id and ledger
address): a payload the schema admits is one the parser accepts; only its signature and the
ledger's state (keys, deadlines, quorums) can still refuse it. The parser in
`notary.signed_payload` stays the authority (it also bounds size and rejects trailing data).
"""

from __future__ import annotations

import copy
from typing import Any

from notary import eip712, signed_payload
from notary.models import Intent

_HEX32 = {"type": "string", "pattern": "^0x[0-9a-fA-F]{64}$"}
_INTENT = {
    "enum": sorted(i.value for i in Intent),
    "description": "; ".join(f"{i.value}: {i.name.lower()}" for i in Intent),
}
_ADDRESS = {"type": "string", "pattern": "^0x[0-9a-fA-F]{40}$"}


def _at_most(bound: int) -> str:
    """A regex of the decimal numbers from 0 to `bound` (no leading zeros), exactly: a shorter number,
    or the bound's first i digits then a smaller digit then any digits, or the bound itself."""
    top = str(bound)
    alternatives = ["0"] + ([f"[1-9][0-9]{{0,{len(top) - 2}}}"] if len(top) > 1 else [])
    for i, digit in enumerate(top):
        low = 1 if i == 0 else 0
        if int(digit) > low:
            alternatives.append(f"{top[:i]}[{low}-{int(digit) - 1}][0-9]{{{len(top) - i - 1}}}")
    return "^(" + "|".join([*alternatives, top]) + ")$"


_UINT64 = {"type": "string", "pattern": _at_most(2**64 - 1), "description": "uint64, a decimal string"}
_PRIMARY = sorted(k for k in eip712.TYPES if k != "Terms")


def _byte_class(chars: str) -> str:
    """A regex alternation matching the hex of any one byte among `chars` (either hex case)."""

    def hexcase(c: str) -> str:
        return c if c.isdigit() else f"[{c.lower()}{c.upper()}]"

    by_high: dict[str, list[str]] = {}
    for c in sorted(set(chars)):
        h = f"{ord(c):02x}"
        by_high.setdefault(h[0], []).append(hexcase(h[1]))
    return "(?:" + "|".join(f"{hi}(?:{'|'.join(lo)})" for hi, lo in sorted(by_high.items())) + ")"


_UPPER, _LOWER, _DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz", "0123456789"
#: (first characters, next characters, shortest, longest) of each code `signed_payload.CODE_SHAPES` names.
_CODE_TEXT = {
    "party code": (_UPPER, _UPPER + _DIGITS + "-", 2, 16),
    "record kind": (_LOWER, _LOWER + _DIGITS + "-", 1, 32),
    "hash algorithm name": (_LOWER + _DIGITS, _LOWER + _DIGITS + "-", 1, 32),
}


def _code_bytes32(what: str) -> dict[str, Any]:
    """A bytes32 holding an ASCII code, left-aligned and zero-padded (one alternative per length)."""
    first, rest, shortest, longest = _CODE_TEXT[what]
    a, b = _byte_class(first), _byte_class(rest)
    alternatives = [a + (f"{b}{{{n - 1}}}" if n > 1 else "") + (f"(?:00){{{32 - n}}}" if n < 32 else "")
                    for n in range(shortest, longest + 1)]  # fmt: skip
    return {"type": "string", "pattern": "^0x(?:" + "|".join(alternatives) + ")$", "description": f"a {what}"}


def _field(name: str, solidity: str) -> dict[str, Any]:
    shape = signed_payload.CODE_SHAPES.get(name)
    if solidity == "bytes32":
        return _code_bytes32(shape[1]) if shape else _HEX32
    if solidity == "bytes32[]":
        items = _code_bytes32(shape[1]) if shape else _HEX32
        return {"type": "array", "items": items, "minItems": 1, "maxItems": 32}
    if solidity == "uint64":
        return _UINT64
    if solidity.startswith("uint"):
        return {"type": "integer", "minimum": 0, "maximum": 2 ** int(solidity[4:]) - 1}
    if solidity == "bool":
        return {"type": "boolean"}
    if solidity == "string":
        return {"type": "string", "maxLength": signed_payload.MAX_REASON}
    if solidity in eip712.TYPES:
        return _struct(solidity)
    return {"type": "string"}


def _struct(kind: str) -> dict[str, Any]:
    fields = eip712.TYPES[kind]
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [f["name"] for f in fields],
        "properties": {
            f["name"]: _INTENT if (kind, f["name"]) == ("Act", "intent") else _field(f["name"], f["type"])
            for f in fields
        },  # fmt: skip
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


def _address_of(address: str) -> dict[str, Any]:
    """Exactly this address, as the parser accepts it: checksummed, all lower or all upper case."""
    forms = sorted({address[2:], address[2:].lower(), address[2:].upper()})
    return {"type": "string", "pattern": "^0x(?:" + "|".join(forms) + ")$", "description": f"{address}"}


def signed_payload_schema(domain: eip712.Domain) -> dict[str, Any]:
    """The schema of a payload this service relays: signed for `domain` (its chain and ledger)."""
    schema = copy.deepcopy(_SCHEMA)
    d = schema["properties"]["typedData"]["properties"]["domain"]["properties"]
    d["chainId"] = {"const": domain.chain_id, "description": "This service's chain id."}
    d["verifyingContract"] = _address_of(domain.verifying_contract)
    return schema


_SCHEMA: dict[str, Any] = {
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
