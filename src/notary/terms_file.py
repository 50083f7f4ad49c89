"""The terms file: a record's terms carried to an air-gapped machine for offline signing.

Format (JSON, UTF-8, at most 64 KiB), media type `application/vnd.notary.terms+json`, major
version 1, read strictly (unknown version, unknown or missing fields, oversize: a clear
`InvalidInputError`). Nothing in it needs to be trusted: the signer is shown the terms
before signing, and a signature over other terms than the record's is refused on chain.

    {
      "mediaType": "application/vnd.notary.terms+json",
      "version": 1,
      "recordId": "0x…",
      "terms": {…the EIP-712 Terms message, bytes as 0x-hex…}
    }
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from notary import eip712
from notary.errors import InvalidInputError
from notary.models import Terms

MEDIA_TYPE = "application/vnd.notary.terms+json"
MAJOR_VERSION = 1
MAX_BYTES = 64 * 1024
_FIELDS = {"mediaType", "version", "recordId", "terms"}
_TERMS = [f["name"] for f in eip712.TYPES["Terms"]]


def _hex(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, list):
        return [_hex(v) for v in value]
    return value


def to_json(terms: Terms) -> str:
    body = {
        "mediaType": MEDIA_TYPE,
        "version": MAJOR_VERSION,
        "recordId": "0x" + terms.record_id.hex(),
        "terms": {k: _hex(v) for k, v in eip712.terms_message(terms).items()},
    }
    return json.dumps(body, indent=2, sort_keys=True) + "\n"


def _b32(value: Any, name: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x") or len(value) != 66:
        raise InvalidInputError(f"terms file field {name} must be 0x and 64 hex digits")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise InvalidInputError(f"terms file field {name} is not hex") from None


def from_json(raw: bytes) -> Terms:
    if len(raw) > MAX_BYTES:
        raise InvalidInputError(f"terms file is {len(raw)} bytes; the limit is {MAX_BYTES}")
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"terms file is not valid JSON: {exc}") from None
    if not isinstance(body, dict) or body.get("mediaType") != MEDIA_TYPE:
        raise InvalidInputError(f"not a terms file (mediaType must be {MEDIA_TYPE})")
    if body.get("version") != MAJOR_VERSION:
        raise InvalidInputError(f"terms file version {body.get('version')!r} is not supported (this reads 1)")
    if set(body) != _FIELDS or not isinstance(body["terms"], dict) or sorted(body["terms"]) != sorted(_TERMS):
        raise InvalidInputError("terms file fields differ from the format")
    t = body["terms"]
    parties = t["parties"]
    if not isinstance(parties, list) or not 1 <= len(parties) <= 32:
        raise InvalidInputError("terms file parties must be a list of 1 to 32 party codes")
    quorum, ratification = t["quorum"], t["ratificationRequired"]
    if not isinstance(quorum, int) or isinstance(quorum, bool) or not 0 <= quorum < 256:
        raise InvalidInputError("terms file quorum must be an integer from 0 to 255")
    if not isinstance(ratification, bool):
        raise InvalidInputError("terms file ratificationRequired must be true or false")
    terms = Terms(
        digest=_b32(t["digest"], "digest"),
        hash_algorithm=_b32(t["hashAlgorithm"], "hashAlgorithm"),
        kind=_b32(t["kind"], "kind"),
        submitter=_b32(t["submitter"], "submitter"),
        parties=tuple(_b32(p, "parties") for p in parties),
        quorum=quorum,
        supersedes=_b32(t["supersedes"], "supersedes"),
        metadata_hash=_b32(t["metadataHash"], "metadataHash"),
        ratification_required=ratification,
    )
    if _b32(body["recordId"], "recordId") != terms.record_id:
        raise InvalidInputError("terms file recordId is not the id of its digest and submitter")
    return terms


def is_terms_file(raw: bytes) -> bool:
    return MEDIA_TYPE.encode() in raw[:MAX_BYTES]


def write(terms: Terms, path: Path) -> None:
    from notary.files import write_atomic

    write_atomic(path, to_json(terms).encode())
