"""The receipt file: a self-contained proof that a document is notarised, verifiable offline.

Format: JSON in RFC 8785 canonical form (JCS: sorted keys, no insignificant whitespace,
UTF-8, no trailing newline), media type `application/vnd.notary.receipt+json`, major
version 1. Read strictly: oversize, not UTF-8 or not JSON, trailing data, duplicate keys,
not canonical, another media type, an unknown version, unknown or missing fields and
malformed values are each a typed `ReceiptFormatError` (an `InvalidInputError`).

Limits: 1 MiB per file, 160 attestations (32 parties x 5 intents), 256 texts, 64 Merkle
siblings per proof, 64 KiB of metadata, 4,096 characters per reason, 255 per text name.

    {
      "mediaType": "application/vnd.notary.receipt+json", "version": 1,
      "chain":    {"chainId": 31337, "ledger": "0x…", "registry": "0x…"},
      "document": {"digest": "0x…", "hashAlgorithm": "sha256" | "merkle-sha256",
                   "texts": [{"name", "role": "text" | "annex", "digest", "proof": ["0x…"]}]},
      "metadata": null | {…the off-chain metadata whose SHA-256 is the on-chain metadataHash…},
      "record":   {…the record's fields, observed status, "attestations": [evidence…]}   (or)
      "batch":    {"anchorId", "root", "count", "party", "hashAlgorithm", "metadataHash",
                   "proof": ["0x…"], "anchor": evidence},
      "seal":     {"algorithm": "sha256", "sections": {"chain": "0x…", …}}
    }

Evidence of one signed act: the EIP-712 `primaryType` and `message` exactly as signed,
`signer`, `signature`, `contractSigner` (EIP-1271), the signer's registry entry read at the
act's block (`signerKey`) and when the receipt was written (`signerKeyObserved`: a key
declared compromised since shows there), the act's `time`, `transaction`, `blockNumber`, `blockHash` and
`logIndex`. Times, deadlines and key windows are uint64 and so decimal strings (I-JSON
integers stop at 2^53); counts, block numbers and the chain id are JSON integers.

The seal holds the SHA-256 of each section's canonical JSON. It detects alteration (a
byte changed by accident or by hand), not forgery: signatures and Merkle paths are what
verification trusts; the chain facts (times, blocks, key entries) are confirmed online.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rfc8785

from notary import eip712
from notary.errors import InvalidInputError
from notary.models import Act, BatchAnchor, Notarisation, SignerKey, Status

MEDIA_TYPE = "application/vnd.notary.receipt+json"
MAJOR_VERSION = 1
MAX_BYTES = 1024 * 1024
MAX_ATTESTATIONS = 160
MAX_TEXTS = 256
MAX_PROOF = 64
MAX_METADATA_BYTES = 64 * 1024
MAX_REASON = 4096
MAX_NAME = 255
SEAL_ALGORITHM = "sha256"
ROLES = ("text", "annex")
INTENTS = ("signature", "ratification", "annulment", "withdrawal", "cancellation", "anchor")
PLAIN, MERKLE = "sha256", "merkle-sha256"


class ReceiptFormatError(InvalidInputError):
    """A receipt file does not follow the format; subclasses name each failure mode."""

    code = "receipt-format"


class ReceiptFieldError(ReceiptFormatError):
    """A field is missing, unknown, or holds a malformed value."""

    code = "receipt-field"


class ReceiptUnknownFieldError(ReceiptFieldError):
    """An object has a field the format does not define."""

    code = "receipt-unknown-field"


class ReceiptMissingFieldError(ReceiptFieldError):
    """An object lacks a field the format requires."""

    code = "receipt-missing-field"


class ReceiptLimitError(ReceiptFormatError):
    """A list or text is longer than the format allows."""

    code = "receipt-limit"


class ReceiptTooLargeError(ReceiptFormatError):
    code = "receipt-too-large"


class ReceiptSyntaxError(ReceiptFormatError):
    code = "receipt-syntax"


class ReceiptTrailingDataError(ReceiptFormatError):
    code = "receipt-trailing-data"


class ReceiptNotCanonicalError(ReceiptFormatError):
    code = "receipt-not-canonical"


class ReceiptMediaTypeError(ReceiptFormatError):
    code = "receipt-media-type"


class ReceiptVersionError(ReceiptFormatError):
    code = "receipt-version"


__all__ = [
    "Evidence", "Text", "Document", "ChainRef", "RecordPart", "BatchPart", "Receipt",
    "ReceiptFormatError", "ReceiptFieldError", "ReceiptUnknownFieldError", "ReceiptMissingFieldError",
    "ReceiptLimitError", "ReceiptTooLargeError",
    "ReceiptSyntaxError", "ReceiptTrailingDataError", "ReceiptNotCanonicalError",
    "ReceiptMediaTypeError", "ReceiptVersionError", "dumps", "loads", "read", "write", "seal_of", "evidence_json",
]  # fmt: skip


# --------------------------------------------------------------------- value types


@dataclass(frozen=True)
class Evidence:
    """One signed act as the chain recorded it."""

    party: str
    intent: str
    reason: str
    time: int
    payload: Notarisation | Act | BatchAnchor
    signer: str
    signature: bytes
    contract_signer: bool
    signer_key: SignerKey
    signer_key_observed: SignerKey
    transaction: str
    block_number: int
    block_hash: str
    log_index: int


@dataclass(frozen=True)
class Text:
    """One text of a multi-text instrument and its Merkle path to the instrument digest."""

    name: str
    role: str
    digest: bytes
    proof: tuple[bytes, ...]


@dataclass(frozen=True)
class Document:
    digest: bytes
    hash_algorithm: str
    texts: tuple[Text, ...] = ()


@dataclass(frozen=True)
class ChainRef:
    chain_id: int
    ledger: str
    registry: str

    @property
    def domain(self) -> eip712.Domain:
        return eip712.Domain(self.chain_id, self.ledger)


@dataclass(frozen=True)
class RecordPart:
    """A notarised record: its fields, its state when the receipt was written, and its acts."""

    record_id: bytes
    submitter: str
    kind: str
    parties: tuple[str, ...]
    quorum: int
    supersedes: bytes
    metadata_hash: bytes
    ratification_required: bool
    status: Status
    superseded_by: bytes
    observed_block: int
    observed_block_hash: str
    attestations: tuple[Evidence, ...]


@dataclass(frozen=True)
class BatchPart:
    """A batch anchor and the document's Merkle path to its root."""

    anchor_id: bytes
    root: bytes
    count: int
    party: str
    hash_algorithm: str
    metadata_hash: bytes
    proof: tuple[bytes, ...]
    anchor: Evidence


@dataclass(frozen=True)
class Receipt:
    chain: ChainRef
    document: Document
    metadata: dict[str, Any] | None
    record: RecordPart | None = None
    batch: BatchPart | None = None
    seal: tuple[tuple[str, str], ...] = ()  # as read from a file; `dumps` always writes a fresh one


# --------------------------------------------------------------------- writing


def _h(value: bytes) -> str:
    return "0x" + value.hex()


def _zero_or_hex(value: bytes) -> str | None:
    return None if value == bytes(32) else _h(value)


def _message(payload: Notarisation | Act | BatchAnchor) -> dict[str, Any]:
    kind = eip712.primary_type(payload)
    out: dict[str, Any] = {}
    for f, v in eip712.message(payload).items():
        t = next(x["type"] for x in eip712.TYPES[kind] if x["name"] == f)
        out[f] = _h(v) if t == "bytes32" else [_h(x) for x in v] if t == "bytes32[]" else str(v) if t == "uint64" else v
    return out


def _key_json(k: SignerKey) -> dict[str, str]:
    return {
        "validFrom": str(k.valid_from),
        "validUntil": str(k.valid_until),
        "revokedAt": str(k.revoked_at),
        "addedAt": str(k.added_at),
    }


def evidence_json(e: Evidence) -> dict[str, Any]:
    return {
        "party": e.party,
        "intent": e.intent,
        "reason": e.reason,
        "time": str(e.time),
        "primaryType": eip712.primary_type(e.payload),
        "message": _message(e.payload),
        "signer": e.signer,
        "signature": _h(e.signature),
        "contractSigner": e.contract_signer,
        "signerKey": _key_json(e.signer_key),
        "signerKeyObserved": _key_json(e.signer_key_observed),
        "transaction": e.transaction,
        "blockNumber": e.block_number,
        "blockHash": e.block_hash,
        "logIndex": e.log_index,
    }


def sections(r: Receipt) -> dict[str, Any]:
    """The sealed sections of a receipt as JSON values."""
    doc = r.document
    body: dict[str, Any] = {
        "chain": {"chainId": r.chain.chain_id, "ledger": r.chain.ledger, "registry": r.chain.registry},
        "document": {
            "digest": _h(doc.digest),
            "hashAlgorithm": doc.hash_algorithm,
            "texts": [
                {"name": t.name, "role": t.role, "digest": _h(t.digest), "proof": [_h(p) for p in t.proof]}
                for t in doc.texts
            ],
        },
        "metadata": r.metadata,
    }
    if r.record is not None:
        c = r.record
        body["record"] = {
            "recordId": _h(c.record_id),
            "submitter": c.submitter,
            "kind": c.kind,
            "parties": list(c.parties),
            "quorum": c.quorum,
            "supersedes": _zero_or_hex(c.supersedes),
            "metadataHash": _h(c.metadata_hash),
            "ratificationRequired": c.ratification_required,
            "status": c.status.label,
            "supersededBy": _zero_or_hex(c.superseded_by),
            "observedAt": {"blockNumber": c.observed_block, "blockHash": c.observed_block_hash},
            "attestations": [evidence_json(e) for e in c.attestations],
        }
    if r.batch is not None:
        b = r.batch
        body["batch"] = {
            "anchorId": _h(b.anchor_id),
            "root": _h(b.root),
            "count": b.count,
            "party": b.party,
            "hashAlgorithm": b.hash_algorithm,
            "metadataHash": _h(b.metadata_hash),
            "proof": [_h(p) for p in b.proof],
            "anchor": evidence_json(b.anchor),
        }
    return body


def seal_of(body: dict[str, Any]) -> dict[str, str]:
    """SHA-256 of each section's canonical JSON."""
    return {name: _h(hashlib.sha256(rfc8785.dumps(value)).digest()) for name, value in sorted(body.items())}


def dumps(r: Receipt) -> bytes:
    """The receipt's canonical bytes (RFC 8785), with a fresh seal; refuses what `loads` would."""
    if (r.record is None) == (r.batch is None):
        raise InvalidInputError("a receipt proves either a record or a batch membership, exactly one")
    body = sections(r)
    full = {"mediaType": MEDIA_TYPE, "version": MAJOR_VERSION, **body}
    full["seal"] = {"algorithm": SEAL_ALGORITHM, "sections": seal_of(body)}
    raw = rfc8785.dumps(full)
    loads(raw)  # what we write must read back
    return raw


def write(r: Receipt, path: Path) -> int:
    """Write atomically; returns the size in bytes."""
    from notary.files import write_atomic

    return write_atomic(path, dumps(r))


# --------------------------------------------------------------------- reading


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ReceiptSyntaxError(f"receipt has the key {k!r} twice in one object")
        out[k] = v
    return out


def _parse_json(raw: bytes) -> Any:
    if len(raw) > MAX_BYTES:
        raise ReceiptTooLargeError(f"receipt is {len(raw)} bytes; the limit is {MAX_BYTES}")
    try:
        textual = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReceiptSyntaxError(f"receipt is not UTF-8 (byte {exc.start})") from None
    decoder = json.JSONDecoder(object_pairs_hook=_no_duplicates)
    try:
        body, end = decoder.raw_decode(textual)
    except json.JSONDecodeError as exc:
        raise ReceiptSyntaxError(f"receipt is not valid JSON: {exc.msg} at character {exc.pos}") from None
    if end != len(textual):
        raise ReceiptTrailingDataError(
            f"receipt has {len(textual) - end} characters of trailing data after the JSON value (at {end})"
        )
    return body


def loads(raw: bytes) -> Receipt:
    """Parse a receipt strictly (see the module docstring); the seal is read, not checked."""
    body = _parse_json(raw)
    if not isinstance(body, dict) or body.get("mediaType") != MEDIA_TYPE:
        found = body.get("mediaType") if isinstance(body, dict) else type(body).__name__
        raise ReceiptMediaTypeError(f"not a receipt: mediaType is {found!r}, expected {MEDIA_TYPE}")
    if body.get("version") != MAJOR_VERSION:
        raise ReceiptVersionError(
            f"receipt version {body.get('version')!r} is not supported (this notary reads version {MAJOR_VERSION})",
            hint="upgrade notary to read newer receipts",
        )
    from notary.receipt_parse import fields

    if "record" not in body and "batch" not in body:
        raise ReceiptMissingFieldError("receipt holds neither a record nor a batch section")
    subject = "record" if "record" in body else "batch"
    top = fields(body, "receipt", {"mediaType", "version", "chain", "document", "metadata", subject, "seal"})
    try:
        canonical = rfc8785.dumps(body)
    except (rfc8785.CanonicalizationError, ValueError) as exc:
        raise ReceiptNotCanonicalError(f"receipt cannot be canonicalised: {exc}") from None
    if canonical != raw:
        at = next(
            (i for i, (a, b) in enumerate(zip(canonical, raw, strict=False)) if a != b), min(len(raw), len(canonical))
        )
        raise ReceiptNotCanonicalError(
            f"receipt is not in RFC 8785 canonical form (first difference at byte {at})",
            hint="receipts are written canonical; a reformatted or edited file no longer is",
        )
    from notary.receipt_parse import parse_batch, parse_chain, parse_document, parse_metadata, parse_record, parse_seal

    chain = parse_chain(top["chain"])
    document = parse_document(top["document"])
    metadata = parse_metadata(top["metadata"])
    seal = parse_seal(top["seal"], {"chain", "document", "metadata", subject})
    if subject == "record":
        return Receipt(chain, document, metadata, record=parse_record(top["record"]), seal=seal)
    return Receipt(chain, document, metadata, batch=parse_batch(top["batch"]), seal=seal)


def read(path: Path) -> Receipt:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ReceiptTooLargeError(f"receipt {path} is {size} bytes; the limit is {MAX_BYTES}")
        return loads(path.read_bytes())
    except FileNotFoundError:
        raise InvalidInputError(f"receipt file {path} does not exist") from None
