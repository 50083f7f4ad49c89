"""The offline-signing file: a signed EIP-712 payload that anyone can relay.

Format (JSON, UTF-8, at most 64 KiB), media type `application/vnd.notary.signed-payload+json`,
major version 1. Strictly parsed: unknown versions, unknown or missing fields, trailing
data and oversize files are each a clear `InvalidInputError`.

    {
      "mediaType": "application/vnd.notary.signed-payload+json",
      "version": 1,
      "primaryType": "Act",                       # Notarisation | Act | BatchAnchor
      "domain": {"chainId": 31337, "verifyingContract": "0x…"},
      "message": {…EIP-712 message, bytes as 0x-hex…},
      "signer": "0x…",
      "signature": "0x…"                          # 65 bytes
    }
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eth_utils import is_address, to_checksum_address

from notary import eip712
from notary.errors import InvalidInputError
from notary.ledger import SignedPayload
from notary.models import Act, BatchAnchor, Intent, Notarisation

MEDIA_TYPE = "application/vnd.notary.signed-payload+json"
MAJOR_VERSION = 1
MAX_BYTES = 64 * 1024
_FIELDS = {"mediaType", "version", "primaryType", "domain", "message", "signer", "signature"}


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def to_json(signed: SignedPayload) -> str:
    msg = eip712.message(signed.payload)
    encoded = {
        k: (_hex(v) if isinstance(v, bytes) else [_hex(x) for x in v] if isinstance(v, list) else v)
        for k, v in msg.items()
    }
    body = {
        "mediaType": MEDIA_TYPE,
        "version": MAJOR_VERSION,
        "primaryType": eip712.primary_type(signed.payload),
        "domain": {"chainId": signed.domain.chain_id, "verifyingContract": signed.domain.verifying_contract},
        "message": encoded,
        "signer": signed.signer,
        "signature": _hex(signed.signature),
    }
    return json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _bytes(value: Any, name: str, size: int | None = 32) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise InvalidInputError(f"signed payload field {name} must be 0x-prefixed hex")
    try:
        raw = bytes.fromhex(value[2:])
    except ValueError:
        raise InvalidInputError(f"signed payload field {name} is not valid hex") from None
    if size is not None and len(raw) != size:
        raise InvalidInputError(f"signed payload field {name} must be {size} bytes, not {len(raw)}")
    return raw


def _int(value: Any, name: str, bits: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**bits:
        raise InvalidInputError(f"signed payload field {name} must be an unsigned {bits}-bit integer")
    return value


def _message(primary: str, m: Any) -> Notarisation | Act | BatchAnchor:
    if primary not in eip712.TYPES:
        raise InvalidInputError(f"signed payload type {primary!r} is unknown")
    expected = {f["name"] for f in eip712.TYPES[primary]}
    if not isinstance(m, dict) or set(m) != expected:
        got = set(m) if isinstance(m, dict) else set()
        raise InvalidInputError(f"signed {primary} fields differ from the format: {sorted(got ^ expected)}")
    if primary == "Notarisation":
        if not isinstance(m["parties"], list) or not isinstance(m["ratificationRequired"], bool):
            raise InvalidInputError("signed Notarisation has malformed parties or ratificationRequired")
        return Notarisation(
            digest=_bytes(m["digest"], "digest"),
            hash_algorithm=_bytes(m["hashAlgorithm"], "hashAlgorithm"),
            kind=_bytes(m["kind"], "kind"),
            party=_bytes(m["party"], "party"),
            parties=tuple(_bytes(p, "parties") for p in m["parties"]),
            quorum=_int(m["quorum"], "quorum", 8),
            supersedes=_bytes(m["supersedes"], "supersedes"),
            metadata_hash=_bytes(m["metadataHash"], "metadataHash"),
            ratification_required=m["ratificationRequired"],
            deadline=_int(m["deadline"], "deadline", 64),
        )
    if primary == "Act":
        intent = _int(m["intent"], "intent", 8)
        if intent not in Intent._value2member_map_:
            raise InvalidInputError(f"signed Act intent {intent} is unknown")
        if not isinstance(m["reason"], str):
            raise InvalidInputError("signed Act reason must be text")
        return Act(
            record_id=_bytes(m["recordId"], "recordId"),
            party=_bytes(m["party"], "party"),
            intent=Intent(intent),
            reason=m["reason"],
            deadline=_int(m["deadline"], "deadline", 64),
        )
    return BatchAnchor(
        root=_bytes(m["root"], "root"),
        party=_bytes(m["party"], "party"),
        count=_int(m["count"], "count", 64),
        hash_algorithm=_bytes(m["hashAlgorithm"], "hashAlgorithm"),
        metadata_hash=_bytes(m["metadataHash"], "metadataHash"),
        deadline=_int(m["deadline"], "deadline", 64),
    )


def from_json(text: str | bytes) -> SignedPayload:
    raw = text.encode() if isinstance(text, str) else text
    if len(raw) > MAX_BYTES:
        raise InvalidInputError(f"signed payload is {len(raw)} bytes; the limit is {MAX_BYTES}")
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"signed payload is not valid JSON: {exc}") from None
    if not isinstance(body, dict) or body.get("mediaType") != MEDIA_TYPE:
        raise InvalidInputError(f"not a signed payload (mediaType must be {MEDIA_TYPE})")
    if body.get("version") != MAJOR_VERSION:
        raise InvalidInputError(
            f"signed payload version {body.get('version')!r} is not supported (this notary reads {MAJOR_VERSION})"
        )
    if set(body) != _FIELDS:
        raise InvalidInputError(f"signed payload fields differ from the format: {sorted(set(body) ^ _FIELDS)}")
    domain = body["domain"]
    if not isinstance(domain, dict) or set(domain) != {"chainId", "verifyingContract"}:
        raise InvalidInputError("signed payload domain must hold exactly chainId and verifyingContract")
    if not is_address(domain["verifyingContract"]) or not is_address(body["signer"]):
        raise InvalidInputError("signed payload verifyingContract and signer must be addresses")
    payload = _message(str(body["primaryType"]), body["message"])
    return SignedPayload(
        payload=payload,
        domain=eip712.Domain(_int(domain["chainId"], "chainId", 256), to_checksum_address(domain["verifyingContract"])),
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
