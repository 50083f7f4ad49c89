"""The receipt file: a self-contained proof that a document is notarised, verifiable offline.

Format: JSON in RFC 8785 canonical form (JCS: sorted keys, no insignificant whitespace,
UTF-8, no trailing newline), media type `application/vnd.notary.receipt+json`, major
version 2 (protocol v2). Read strictly: oversize, not UTF-8 or not JSON, trailing data,
duplicate keys, not canonical, another media type, a version 1 receipt (made for protocol
v1: re-issue it) or an unknown version, unknown or missing fields and malformed values are
each a typed `ReceiptFormatError` (an `InvalidInputError`).

Limits: 1 MiB per file, 320 acts (32 parties x 5 intents standing, and as many voided),
256 texts, 64 Merkle siblings per proof, 64 KiB of metadata, 4,096 characters per reason,
255 per text name.

    {
      "mediaType": "application/vnd.notary.receipt+json", "version": 2,
      "chain":    {"chainId": 31337, "ledger": "0x…", "registry": "0x…"},
      "eip712":   {"domain": {"name": "NotaryLedger", "version": "2", "chainId", "verifyingContract"},
                   "types": {"Notarisation": {…}, "Act": {…}}  (a batch: {"BatchAnchor": {…}}),
                   "assembly": "…how each signed act's EIP-712 document is put together…"},
      "document": {"digest": "0x…", "hashAlgorithm": "sha256" | "merkle-sha256",
                   "texts": [{"name", "role": "text" | "annex", "digest", "proof": ["0x…"]}]},
      "metadata": null | {…the off-chain metadata whose SHA-256 is the on-chain metadataHash…},
      "record":   {"recordId", "terms": {…EIP-712 Terms, as signed…}, the terms for people
                   ("submitter", "kind", "parties", "quorum", "supersedes", "metadataHash",
                   "ratificationRequired"), the observed "status", "supersededBy", "observedAt",
                   "attestations": [evidence…]}   (or)
      "batch":    {"anchorId", "root", "party", "hashAlgorithm", "metadataHash",
                   "proof": ["0x…"], "anchor": evidence},
      "stateProofs": null | {"observedAt", "blocks": [{"blockNumber", "blockHash", "header", "nodes"}]},
      "seal":     {"algorithm": "sha256", "sections": {"chain": "0x…", …}}
    }

Anyone's EIP-712 library checks a signature from the file alone. `eip712.types[P]` is
the complete `types` member for primary type P (with `EIP712Domain` and `Terms`, fields in
the contract's order, integer widths as signed) and `eip712.domain` the complete domain.
The EIP-712 document of an act is

    {"types": eip712.types[act.primaryType], "primaryType": act.primaryType,
     "domain": eip712.domain, "message": act.message + {"terms": record.terms}}

(a batch anchor's: its `message` as it is): what `eip712.typed_data` builds, byte for byte,
and what eth-account's `encode_typed_data(full_message=…)` or a wallet's
`eth_signTypedData_v4` accept as they are. The record's terms are written once: each act's
`message` holds its own fields (an `Act`: party, intent, reason, deadline; the submitter's
`Notarisation`: its deadline), and `assembly` says so in the file.

Evidence of one signed act: the party, intent, reason and time it was recorded with, the
EIP-712 `primaryType` and `message` (as above), `signer`, `signature`, `contractSigner`
(EIP-1271), the signer's registry entry read at the act's block (`signerKey`) and when the
receipt was written (`signerKeyObserved`: a key declared compromised since shows there),
`voided` (null, or where the ledger voided the act: it no longer counts), the act's
`transaction`, `blockNumber`, `blockHash` and `logIndex`. The acts are those of the
record's current notarisation (after its latest RecordNotarised event), in chain order,
rebuilt from the ActRecorded events (which carry each payload's deadline and signature),
whoever relayed them. A batch's time is its block's. Times, deadlines and key windows are
uint64 and so decimal strings (I-JSON integers stop at 2^53); counts, block numbers, uint8
values and the chain id are JSON integers.

The seal holds the SHA-256 of each section's canonical JSON. It detects alteration (a
byte changed by accident or by hand), not forgery: signatures and Merkle paths are what
verification trusts; the chain facts (times, blocks, key entries, voids) are proved by the
`stateProofs` section against the named blocks' headers (`notary.receipts.proofs`), or, in a
receipt without them (`null`, or absent in older files), confirmed online.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rfc8785

from notary import eip712
from notary.errors import InvalidInputError
from notary.models import Act, BatchAnchor, Notarisation, SignerKey, Status, Terms
from notary.receipts.proofs import SECTION as PROOFS_SECTION
from notary.receipts.proofs import StateProofs
from notary.receipts.proofs import canonical_text as proofs_text
from notary.receipts.proofs import parse as parse_proofs
from notary.receipts.proofs import to_json as proofs_json

MEDIA_TYPE = "application/vnd.notary.receipt+json"
MAJOR_VERSION = 2
MAX_BYTES = 1024 * 1024
MAX_ATTESTATIONS = 320
MAX_TEXTS = 256
MAX_PROOF = 64
MAX_METADATA_BYTES = 64 * 1024
MAX_REASON = 4096
MAX_NAME = 255
SEAL_ALGORITHM = "sha256"
ROLES = ("text", "annex")
INTENTS = ("signature", "ratification", "annulment", "withdrawal", "cancellation", "anchor")
PLAIN, MERKLE = "sha256", "merkle-sha256"
#: The primary types a receipt's `eip712.types` holds, by subject.
PRIMARY_TYPES = {"record": ("Act", "Notarisation"), "batch": ("BatchAnchor",)}
#: How each signed act's EIP-712 document is assembled from the file (`eip712.assembly`).
ASSEMBLY = {
    "record": (
        "EIP-712 document of record.attestations[i]: {types: eip712.types[primaryType], primaryType, "
        "domain: eip712.domain, message: message with terms = record.terms}"
    ),
    "batch": (
        "EIP-712 document of batch.anchor: {types: eip712.types[primaryType], primaryType, "
        "domain: eip712.domain, message: message}"
    ),
}


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
    """The receipt's major version is not the one this notary reads."""

    code = "receipt-version"


class ReceiptProtocolV1Error(ReceiptVersionError):
    """A version 1 receipt: made for protocol v1 (another ledger, other signed payloads)."""

    code = "receipt-protocol-v1"


__all__ = [
    "Evidence", "Void", "Text", "Document", "ChainRef", "RecordPart", "BatchPart", "Receipt",
    "ReceiptFormatError", "ReceiptFieldError", "ReceiptUnknownFieldError", "ReceiptMissingFieldError",
    "ReceiptLimitError", "ReceiptTooLargeError", "ReceiptSyntaxError", "ReceiptTrailingDataError",
    "ReceiptNotCanonicalError", "ReceiptMediaTypeError", "ReceiptVersionError", "ReceiptProtocolV1Error",
    "dumps", "loads", "read", "write", "seal_of", "canonical", "sealed_digests", "evidence_json", "typed_data_json",
    "json_values",
]  # fmt: skip


# --------------------------------------------------------------------- value types


@dataclass(frozen=True)
class Void:
    """Where the ledger voided an act (its ActVoided event): the act no longer counts."""

    time: int
    transaction: str
    block_number: int
    block_hash: str
    log_index: int


@dataclass(frozen=True)
class Evidence:
    """One signed act as the chain recorded it; `payload` is the full payload signed."""

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
    voided: Void | None = None


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
    """A notarised record: its signed terms, the same for people, its state when the receipt was
    written, and the acts of its current notarisation."""

    record_id: bytes
    terms: Terms
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
    """A batch anchor and the document's Merkle path to its root. How many documents the batch
    holds is not signed (the metadata may say it): nothing here depends on it."""

    anchor_id: bytes
    root: bytes
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
    proofs: StateProofs | None = None  # None: the receipt carries no state proofs

    @property
    def subject(self) -> str:
        return "record" if self.record is not None else "batch"


# --------------------------------------------------------------------- writing


def _h(value: bytes) -> str:
    return "0x" + value.hex()


def _zero_or_hex(value: bytes) -> str | None:
    return None if value == bytes(32) else _h(value)


def json_values(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """EIP-712 message values of type `kind` as JSON: bytes32 as 0x-hex, uint64 as a decimal
    string, uint8 as an integer, nested `Terms` likewise (fields not given are left out)."""
    out: dict[str, Any] = {}
    for f in eip712.TYPES[kind]:
        name, t = f["name"], f["type"]
        if name not in values:
            continue
        v = values[name]
        if t == "bytes32":
            out[name] = _h(v)
        elif t == "bytes32[]":
            out[name] = [_h(x) for x in v]
        elif t == "uint64":
            out[name] = str(v)
        elif t == "Terms":
            out[name] = json_values("Terms", v)
        else:
            out[name] = v
    return out


def _domain_json(domain: eip712.Domain) -> dict[str, Any]:
    return dict(domain.as_dict())


def typed_data_json(payload: Notarisation | Act | BatchAnchor, domain: eip712.Domain) -> dict[str, Any]:
    """The full EIP-712 document of a payload as JSON (what the files hold and wallets accept)."""
    kind = eip712.primary_type(payload)
    return {
        "types": eip712.types_of(kind),
        "primaryType": kind,
        "domain": _domain_json(domain),
        "message": json_values(kind, eip712.message(payload)),
    }


def _message(payload: Notarisation | Act | BatchAnchor) -> dict[str, Any]:
    """An act's message as the receipt holds it: without the record's terms (written once)."""
    kind = eip712.primary_type(payload)
    values = {k: v for k, v in eip712.message(payload).items() if k != "terms"}
    return json_values(kind, values)


def _key_json(k: SignerKey) -> dict[str, str]:
    return {
        "validFrom": str(k.valid_from),
        "validUntil": str(k.valid_until),
        "revokedAt": str(k.revoked_at),
        "addedAt": str(k.added_at),
    }


def _void_json(v: Void | None) -> dict[str, Any] | None:
    if v is None:
        return None
    return {
        "time": str(v.time),
        "transaction": v.transaction,
        "blockNumber": v.block_number,
        "blockHash": v.block_hash,
        "logIndex": v.log_index,
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
        "voided": _void_json(e.voided),
        "transaction": e.transaction,
        "blockNumber": e.block_number,
        "blockHash": e.block_hash,
        "logIndex": e.log_index,
    }


def eip712_json(chain: ChainRef, subject: str) -> dict[str, Any]:
    """The receipt's `eip712` section: domain, complete types per primary type, assembly rule."""
    return {
        "domain": _domain_json(chain.domain),
        "types": {kind: eip712.types_of(kind) for kind in PRIMARY_TYPES[subject]},
        "assembly": ASSEMBLY[subject],
    }


def sections(r: Receipt) -> dict[str, Any]:
    """The sealed sections of a receipt as JSON values."""
    doc = r.document
    body: dict[str, Any] = {
        "chain": {"chainId": r.chain.chain_id, "ledger": r.chain.ledger, "registry": r.chain.registry},
        "eip712": eip712_json(r.chain, r.subject),
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
            "terms": json_values("Terms", eip712.terms_message(c.terms)),
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
            "party": b.party,
            "hashAlgorithm": b.hash_algorithm,
            "metadataHash": _h(b.metadata_hash),
            "proof": [_h(p) for p in b.proof],
            "anchor": evidence_json(b.anchor),
        }
    body[PROOFS_SECTION] = proofs_json(r.proofs)
    return body


# --------------------------------------------------------------------- canonical JSON (RFC 8785)

_SAFE_INTEGER = 2**53 - 1
_NON_BMP = re.compile("[\U00010000-\U0010ffff]")
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # JSON text escaping a character beyond the BMP


def _plain(value: Any) -> bool:
    """Whether `value` is JSON that Python's C encoder writes exactly as RFC 8785 does: null, booleans,
    strings, integers of at most 2^53 - 1 in magnitude, lists and objects whose keys are strings of the
    Basic Multilingual Plane (there, code point order is RFC 8785's UTF-16 order). Floats are not."""
    t = type(value)
    if t is str or t is bool or value is None:
        return True
    if t is int:
        return -_SAFE_INTEGER <= value <= _SAFE_INTEGER
    if t is dict:
        return all(type(k) is str and (k.isascii() or not _NON_BMP.search(k)) and _plain(v) for k, v in value.items())
    if t is list or t is tuple:
        return all(_plain(v) for v in value)
    return False


def canonical(value: Any, plain: bool | None = None) -> bytes:
    """RFC 8785 canonical JSON: the bytes of `rfc8785.dumps(value)`, which it raises for what it refuses.
    Values in the `_plain` domain (every receipt section without floats in its metadata) are written by
    `json.dumps` in C; anything else by `rfc8785`. `plain`: already known (by the parser), else checked."""
    if plain if plain is not None else _plain(value):
        try:
            return _ENCODER.encode(value).encode()
        except UnicodeEncodeError:  # a lone surrogate: rfc8785 refuses it with its own error
            pass
    return rfc8785.dumps(value)


def seal_of(body: dict[str, Any]) -> dict[str, str]:
    """SHA-256 of each section's canonical JSON."""
    return {name: _h(hashlib.sha256(canonical(value)).digest()) for name, value in sorted(body.items())}


def dumps(r: Receipt) -> bytes:
    """The receipt's canonical bytes (RFC 8785), with a fresh seal; refuses what `loads` would."""
    if (r.record is None) == (r.batch is None):
        raise InvalidInputError("a receipt proves either a record or a batch membership, exactly one")
    body = sections(r)
    full = {"mediaType": MEDIA_TYPE, "version": MAJOR_VERSION, **body}
    full["seal"] = {"algorithm": SEAL_ALGORITHM, "sections": seal_of(body)}
    raw = canonical(full)
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


class _NotPlain(Exception):
    """The fast reading met a value outside the `_plain` domain: the reference reading decides."""


def _refuse(text: str) -> Any:
    raise _NotPlain(text)


def _safe_integer(text: str) -> int:
    value = int(text)
    if not -_SAFE_INTEGER <= value <= _SAFE_INTEGER:
        raise _NotPlain(text)
    return value


#: The fast reading's decoder: no duplicate-key hook (see `loads`), and nothing outside `_plain`.
_PLAIN_DECODER = json.JSONDecoder(parse_float=_refuse, parse_int=_safe_integer, parse_constant=_refuse)


def _parse_plain_json(raw: bytes) -> Any:
    """The JSON value of a receipt in the `_plain` domain, duplicate keys unchecked (last one wins);
    `_NotPlain` or a `ReceiptFormatError` for anything else (the reference reading then decides)."""
    if len(raw) > MAX_BYTES:
        raise ReceiptTooLargeError(f"receipt is {len(raw)} bytes; the limit is {MAX_BYTES}")
    try:
        textual = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _NotPlain("not UTF-8") from None
    if not (textual.isascii() or not _NON_BMP.search(textual)) or (
        "\\u" in textual and _SURROGATE_ESCAPE.search(textual)
    ):
        raise _NotPlain("beyond the Basic Multilingual Plane")
    try:
        body, end = _PLAIN_DECODER.raw_decode(textual)
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
        raise _NotPlain("not readable JSON") from None
    if end != len(textual):
        raise _NotPlain("trailing data")
    return body


def _parse_json(raw: bytes) -> tuple[Any, bool]:
    """The JSON value, and whether it is `_plain` (learnt while parsing: no float, no integer past
    2^53 - 1, no character beyond the Basic Multilingual Plane)."""
    if len(raw) > MAX_BYTES:
        raise ReceiptTooLargeError(f"receipt is {len(raw)} bytes; the limit is {MAX_BYTES}")
    try:
        textual = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReceiptSyntaxError(f"receipt is not UTF-8 (byte {exc.start})") from None
    plain = (textual.isascii() or not _NON_BMP.search(textual)) and not _SURROGATE_ESCAPE.search(textual)

    def not_plain(text: str) -> float:
        nonlocal plain
        plain = False
        return float(text)

    def integer(text: str) -> int:
        nonlocal plain
        value = int(text)
        if not -_SAFE_INTEGER <= value <= _SAFE_INTEGER:
            plain = False
        return value

    decoder = json.JSONDecoder(
        object_pairs_hook=_no_duplicates, parse_float=not_plain, parse_int=integer, parse_constant=not_plain
    )
    try:
        body, end = decoder.raw_decode(textual)
    except json.JSONDecodeError as exc:
        raise ReceiptSyntaxError(f"receipt is not valid JSON: {exc.msg} at character {exc.pos}") from None
    except (ValueError, RecursionError) as exc:  # an integer past Python's digit limit; nesting too deep
        raise ReceiptSyntaxError(f"receipt is not readable JSON: {exc}") from None
    if end != len(textual):
        raise ReceiptTrailingDataError(
            f"receipt has {len(textual) - end} characters of trailing data after the JSON value (at {end})"
        )
    return body, plain


def _check_version(version: Any) -> None:
    if version == 1:
        raise ReceiptProtocolV1Error(
            "this receipt (version 1) was made for protocol v1; re-issue it",
            hint="write a fresh receipt from a protocol v2 ledger with `notary receipt FILE -o R`",
        )
    if version != MAJOR_VERSION:
        raise ReceiptVersionError(
            f"receipt version {version!r} is not supported (this notary reads version {MAJOR_VERSION})",
            hint="upgrade notary to read newer receipts",
        )


def loads(raw: bytes) -> Receipt:
    """Parse a receipt strictly (see the module docstring); the seal is read, not checked.

    Read fast first: JSON in the `_plain` domain without the duplicate-key hook, which the
    canonical check makes redundant there (a text equal to the canonical encoding of the value it
    decodes to has no object with a key twice: the encoding writes each key once, and the value
    holds every key the text names). Anything that reading does not accept is read again by the
    reference reading (`reference_loads`), which gives the same receipt or the precise error."""
    try:
        return _loads(_parse_plain_json(raw), True, raw, fast=True)
    except (_NotPlain, ReceiptFormatError):
        return reference_loads(raw)


def reference_loads(raw: bytes) -> Receipt:
    """`loads` with every key of every object checked for duplicates while parsing (the reference)."""
    body, plain = _parse_json(raw)
    return _loads(body, plain, raw)


def _loads(body: Any, plain: bool, raw: bytes, fast: bool = False) -> Receipt:
    """The receipt `body` (read from `raw`) holds. `fast`: the state proofs are parsed before the canonical
    check, so that their bytes are written from the checked texts (`proofs.canonical_text`) rather than
    encoded again; any error then sends the caller to the reference reading, which keeps the order."""
    if not isinstance(body, dict) or body.get("mediaType") != MEDIA_TYPE:
        found = body.get("mediaType") if isinstance(body, dict) else type(body).__name__
        raise ReceiptMediaTypeError(f"not a receipt: mediaType is {found!r}, expected {MEDIA_TYPE}")
    _check_version(body.get("version"))
    from notary.receipts import parse as parse

    if "record" not in body and "batch" not in body:
        raise ReceiptMissingFieldError("receipt holds neither a record nor a batch section")
    subject = "record" if "record" in body else "batch"
    names = {"chain", "eip712", "document", "metadata", subject}
    if PROOFS_SECTION in body:  # optional: older receipts do not have it
        names.add(PROOFS_SECTION)
    top = parse.fields(body, "receipt", {"mediaType", "version", "seal", *names})
    early = parse_proofs(top.get(PROOFS_SECTION)) if fast else None
    try:
        # Section by section (`_plain`: ASCII top-level keys), so that the seal check reuses their bytes.
        parts = {
            name: proofs_text(value) if early is not None and name == PROOFS_SECTION else canonical(value, True)
            for name, value in sorted(body.items())
        } if plain else {}  # fmt: skip
        written = b"{" + b",".join(b'"%s":%s' % (k.encode(), v) for k, v in parts.items()) + b"}"
        if not plain or written != raw:
            written = canonical(body, plain)
    except (rfc8785.CanonicalizationError, ValueError) as exc:
        raise ReceiptNotCanonicalError(f"receipt cannot be canonicalised: {exc}") from None
    if written != raw:
        at = next(
            (i for i, (a, b) in enumerate(zip(written, raw, strict=False)) if a != b), min(len(raw), len(written))
        )
        raise ReceiptNotCanonicalError(
            f"receipt is not in RFC 8785 canonical form (first difference at byte {at})",
            hint="receipts are written canonical; a reformatted or edited file no longer is",
        )
    chain = parse.parse_chain(top["chain"])
    parse.parse_eip712(top["eip712"], eip712_json(chain, subject))
    document = parse.parse_document(top["document"])
    metadata = parse.parse_metadata(top["metadata"])
    seal = parse.parse_seal(top["seal"], names)
    proofs = early if fast else parse_proofs(top.get(PROOFS_SECTION))
    if subject == "record":
        r = Receipt(chain, document, metadata, record=parse.parse_record(top["record"]), seal=seal, proofs=proofs)
    else:
        r = Receipt(chain, document, metadata, batch=parse.parse_batch(top["batch"]), seal=seal, proofs=proofs)
    if parts:
        # Not a field: `dataclasses.replace` gives a receipt without it, whose sections are re-encoded.
        object.__setattr__(r, _READ, {n: _h(hashlib.sha256(parts[n]).digest()) for n in names if n != "metadata"})
    return r


_READ = "_digests_as_read"


def sealed_digests(r: Receipt) -> dict[str, str]:
    """The SHA-256 of each section of `r` that its seal names, as the seal check compares them. For a
    receipt exactly as `loads` returned it, the immutable sections' digests are those of the bytes it read
    (equal: parsing and `sections` are exact inverses, which the golden tests pin byte for byte); the
    metadata (a mutable dict) and every section of any other receipt are encoded from the values."""
    known: dict[str, str] = getattr(r, _READ, {})
    missing = [name for name, _ in r.seal if name not in known]
    body = {"metadata": r.metadata} if missing == ["metadata"] else sections(r) if missing else {}
    return {
        name: known[name] if name in known else _h(hashlib.sha256(canonical(body[name])).digest()) for name, _ in r.seal
    }


def read(path: Path) -> Receipt:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ReceiptTooLargeError(f"receipt {path} is {size} bytes; the limit is {MAX_BYTES}")
        return loads(path.read_bytes())
    except FileNotFoundError:
        raise InvalidInputError(f"receipt file {path} does not exist") from None
