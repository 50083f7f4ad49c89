"""The offline-signing file: a signed EIP-712 payload that anyone can relay.

Format (JSON, UTF-8, at most 64 KiB), media type `application/vnd.notary.signed-payload+json`,
major version 2 (protocol v2). Strictly parsed: a version 1 file (made for protocol v1: sign
it again), unknown versions, unknown or missing fields, types or a domain other than protocol
v2's, trailing data and oversize files are each a clear `InvalidInputError`.

    {
      "mediaType": "application/vnd.notary.signed-payload+json",
      "version": 2,
      "typedData": {                              # the complete EIP-712 document, as signed
        "types": {"EIP712Domain": […], "Act": […], "Terms": […]},
        "primaryType": "Act",                     # Notarisation | Act | BatchAnchor
        "domain": {"name": "NotaryLedger", "version": "2", "chainId": 31337, "verifyingContract": "0x…"},
        "message": {…bytes32 as 0x-hex, uint64 as decimal strings, uint8 as integers…}
      },
      "signer": "0x…",
      "signature": "0x…"                          # 65 bytes
    }

`typedData` is what `eip712.typed_data` builds, byte for byte: eth-account's
`encode_typed_data(full_message=typedData)`, a wallet's `eth_signTypedData_v4`, or any
EIP-712 library checks the signature from the file alone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from eth_utils import is_address, to_checksum_address

from notary import eip712
from notary.errors import InvalidInputError
from notary.ledger import SignedPayload
from notary.models import Act, BatchAnchor, Intent, Notarisation, Terms

MEDIA_TYPE = "application/vnd.notary.signed-payload+json"
MAJOR_VERSION = 2
MAX_BYTES = 64 * 1024
MAX_REASON = 4096
_FIELDS = {"mediaType", "version", "typedData", "signer", "signature"}
_TYPED = {"types", "primaryType", "domain", "message"}
_UINT64 = re.compile(r"(0|[1-9][0-9]{0,19})")
#: The longest JSON integer read: a uint256 has 78 decimal digits.
MAX_INT_DIGITS = 78
_PARTY = (rb"[A-Z][A-Z0-9-]{1,15}\x00*", "party code")
#: bytes32 fields holding codes, by field name: their shape (a bytes pattern) and what they are.
CODE_SHAPES = {
    "party": _PARTY,
    "submitter": _PARTY,
    "parties": _PARTY,
    "kind": (rb"[a-z][a-z0-9-]{0,31}\x00*", "record kind"),
    "hashAlgorithm": (rb"[a-z0-9][a-z0-9-]{0,31}\x00*", "hash algorithm name"),
}


class SignedPayloadFormatError(InvalidInputError):
    """A signed-payload file does not follow the format (the API's problem code stays `invalid-input`)."""


class SignedPayloadVersionError(SignedPayloadFormatError):
    """The file's major version is not the one this notary reads."""

    code = "signed-payload-version"


class SignedPayloadProtocolV1Error(SignedPayloadVersionError):
    """A version 1 file: made for protocol v1, whose payloads the v2 ledger does not accept."""

    code = "signed-payload-protocol-v1"


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def _encode(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in eip712.TYPES[kind]:
        name, t, v = f["name"], f["type"], values[f["name"]]
        if t == "bytes32":
            out[name] = _hex(v)
        elif t == "bytes32[]":
            out[name] = [_hex(x) for x in v]
        elif t == "uint64":
            out[name] = str(v)
        elif t == "Terms":
            out[name] = _encode("Terms", v)
        else:
            out[name] = v
    return out


def typed_data_json(signed: SignedPayload) -> dict[str, Any]:
    """The payload's complete EIP-712 document as JSON values."""
    kind = eip712.primary_type(signed.payload)
    return {
        "types": eip712.types_of(kind),
        "primaryType": kind,
        "domain": signed.domain.as_dict(),
        "message": _encode(kind, eip712.message(signed.payload)),
    }


def to_json(signed: SignedPayload) -> str:
    body = {
        "mediaType": MEDIA_TYPE,
        "version": MAJOR_VERSION,
        "typedData": typed_data_json(signed),
        "signer": signed.signer,
        "signature": _hex(signed.signature),
    }
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------- reading


def _bytes(value: Any, name: str, size: int | None = 32) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise SignedPayloadFormatError(f"signed payload field {name} must be 0x-prefixed hex")
    try:
        raw = bytes.fromhex(value[2:])
    except ValueError:
        raise SignedPayloadFormatError(f"signed payload field {name} is not valid hex") from None
    if size is not None and len(raw) != size:
        raise SignedPayloadFormatError(f"signed payload field {name} must be {size} bytes, not {len(raw)}")
    return raw


def _integral(value: Any) -> Any:
    """JSON does not tell 3 from 3.0 (nor does JSON Schema): an integral number below 2**53 is that integer."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _int(value: Any, name: str, bits: int) -> int:
    value = _integral(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**bits:
        raise SignedPayloadFormatError(f"signed payload field {name} must be an unsigned {bits}-bit integer")
    return value


def _uint64(value: Any, name: str) -> int:
    # ASCII digits only, at most 20 of them, before any int(): `str.isdigit` also admits "²" and
    # other digits int() refuses, and a long enough string exceeds Python's int-string limit.
    if not isinstance(value, str) or not _UINT64.fullmatch(value):
        raise SignedPayloadFormatError(f"signed payload field {name} must be a uint64 written as a decimal string")
    return _int(int(value), name, 64)


def _json_int(text: str) -> int:
    """JSON numbers are bounded before conversion: the widest field is a uint256 (78 digits)."""
    if len(text) > MAX_INT_DIGITS:
        raise SignedPayloadFormatError(
            f"signed payload holds a {len(text)}-digit number; no field takes more than {MAX_INT_DIGITS} digits"
        )
    return int(text)


def _json_constant(name: str) -> Any:
    raise SignedPayloadFormatError(f"signed payload holds {name}, which is not JSON")


def _code(raw: bytes, name: str, where: str) -> bytes:
    """A bytes32 that holds a code (party, kind, hash algorithm) must hold a well-formed one:
    ASCII, left-aligned, zero-padded, as `codes` encodes it."""
    shape = CODE_SHAPES.get(name)
    if shape is not None and not re.fullmatch(shape[0], raw):
        raise SignedPayloadFormatError(f"signed payload field {where} is not a {shape[1]} encoded as bytes32")
    return raw


def _decode(kind: str, m: Any, where: str) -> dict[str, Any]:
    types = eip712.TYPES[kind]
    expected = {f["name"] for f in types}
    if not isinstance(m, dict) or set(m) != expected:
        got = set(m) if isinstance(m, dict) else set()
        raise SignedPayloadFormatError(f"signed {where} fields differ from the format: {sorted(got ^ expected)}")
    out: dict[str, Any] = {}
    for f in types:
        name, t, v, w = f["name"], f["type"], m[f["name"]], f"{where}.{f['name']}"
        if t == "bytes32":
            out[name] = _code(_bytes(v, w), name, w)
        elif t == "bytes32[]":
            if not isinstance(v, list) or not 1 <= len(v) <= 32:
                raise SignedPayloadFormatError(f"signed payload field {w} must list 1 to 32 bytes32 values")
            out[name] = tuple(_code(_bytes(x, w), name, w) for x in v)
        elif t == "uint64":
            out[name] = _uint64(v, w)
        elif t == "uint8":
            out[name] = _int(v, w, 8)
        elif t == "bool":
            if not isinstance(v, bool):
                raise SignedPayloadFormatError(f"signed payload field {w} must be true or false")
            out[name] = v
        elif t == "string":
            if not isinstance(v, str) or len(v) > MAX_REASON:
                raise SignedPayloadFormatError(f"signed payload field {w} must be text of at most {MAX_REASON}")
            out[name] = v
        else:
            out[name] = _decode(t, v, w)
    return out


def _terms(v: dict[str, Any]) -> Terms:
    return Terms(
        v["digest"], v["hashAlgorithm"], v["kind"], v["submitter"], v["parties"], v["quorum"], v["supersedes"],
        v["metadataHash"], v["ratificationRequired"],
    )  # fmt: skip


def _payload(primary: str, message: Any) -> Notarisation | Act | BatchAnchor:
    v = _decode(primary, message, primary)
    if primary == "Notarisation":
        return Notarisation.of(_terms(v["terms"]), v["deadline"])
    if primary == "Act":
        if v["intent"] not in Intent._value2member_map_:
            raise SignedPayloadFormatError(f"signed Act intent {v['intent']} is unknown")
        return Act(_terms(v["terms"]), v["party"], Intent(v["intent"]), v["reason"], v["deadline"])
    return BatchAnchor(v["root"], v["party"], v["hashAlgorithm"], v["metadataHash"], v["deadline"])


def _domain(value: Any) -> eip712.Domain:
    keys = {"name", "version", "chainId", "verifyingContract"}
    if not isinstance(value, dict) or set(value) != keys:
        raise SignedPayloadFormatError(f"signed payload domain must hold exactly {', '.join(sorted(keys))}")
    if (value["name"], value["version"]) != (eip712.DOMAIN_NAME, eip712.DOMAIN_VERSION):
        raise SignedPayloadFormatError(
            f"signed payload domain is {value['name']!r} version {value['version']!r}, "
            f"not {eip712.DOMAIN_NAME!r} version {eip712.DOMAIN_VERSION!r}"
        )
    if not isinstance(value["verifyingContract"], str) or not is_address(value["verifyingContract"]):
        raise SignedPayloadFormatError("signed payload domain.verifyingContract must be an address")
    return eip712.Domain(_int(value["chainId"], "chainId", 256), to_checksum_address(value["verifyingContract"]))


def from_json(text: str | bytes) -> SignedPayload:
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if len(raw) > MAX_BYTES:
        raise SignedPayloadFormatError(f"signed payload is {len(raw)} bytes; the limit is {MAX_BYTES}")
    try:
        textual = raw.decode("utf-8")  # strictly: json.loads would also guess UTF-16 and UTF-32
    except UnicodeDecodeError as exc:
        raise SignedPayloadFormatError(
            f"signed payload is not UTF-8 (byte {exc.start})", hint="write the file as UTF-8 JSON"
        ) from None
    try:
        body = json.loads(textual, parse_int=_json_int, parse_constant=_json_constant)
    except json.JSONDecodeError as exc:
        raise SignedPayloadFormatError(f"signed payload is not valid JSON: {exc}") from None
    except RecursionError:
        raise SignedPayloadFormatError("signed payload nests JSON too deeply to be one") from None
    if not isinstance(body, dict) or body.get("mediaType") != MEDIA_TYPE:
        raise SignedPayloadFormatError(f"not a signed payload (mediaType must be {MEDIA_TYPE})")
    version = _integral(body.get("version"))
    if type(version) is not int:  # not true, not 2.5
        raise SignedPayloadVersionError(f"signed payload version {body.get('version')!r} is not a whole number")
    if version == 1:
        raise SignedPayloadProtocolV1Error(
            "this signed payload (version 1) was made for protocol v1; re-issue it",
            hint="sign it again against the protocol v2 ledger (`--offline -o FILE`)",
        )
    if version != MAJOR_VERSION:
        raise SignedPayloadVersionError(
            f"signed payload version {body.get('version')!r} is not supported (this notary reads {MAJOR_VERSION})"
        )
    if set(body) != _FIELDS:
        raise SignedPayloadFormatError(f"signed payload fields differ from the format: {sorted(set(body) ^ _FIELDS)}")
    typed = body["typedData"]
    if not isinstance(typed, dict) or set(typed) != _TYPED:
        raise SignedPayloadFormatError(f"signed payload typedData must hold exactly {', '.join(sorted(_TYPED))}")
    primary = typed["primaryType"]
    if not isinstance(primary, str) or primary not in eip712.TYPES or primary == "Terms":
        raise SignedPayloadFormatError(f"signed payload type {primary!r} is unknown")
    if typed["types"] != eip712.types_of(primary):
        raise SignedPayloadFormatError(
            f"signed payload types are not protocol v2's {primary} (its types, field names, order or widths differ)"
        )
    if not isinstance(body["signer"], str) or not is_address(body["signer"]):
        raise SignedPayloadFormatError("signed payload signer must be an address")
    return SignedPayload(
        payload=_payload(primary, typed["message"]),
        domain=_domain(typed["domain"]),
        signer=to_checksum_address(body["signer"]),
        signature=_bytes(body["signature"], "signature", 65),
    )


def read(path: Path) -> SignedPayload:
    try:
        return from_json(path.read_bytes())
    except FileNotFoundError:
        raise InvalidInputError(f"signed payload file {path} does not exist") from None


def write(signed: SignedPayload, path: Path) -> None:
    from notary.files import write_atomic

    write_atomic(path, to_json(signed).encode())
