"""Strict parsing of a receipt's sections into value types (see `notary.receipts` for the format).

Every check raises a `ReceiptFormatError` subclass naming the field by its path, e.g.
`record.attestations[1].signature`.

The per-act parts (evidence, signed payloads, key entries, terms) have a fast path: the same
checks, precompiled and inlined, with no field path built. It accepts a subset of what the
generic helpers accept and builds the same values; whatever it does not accept goes through the
generic helpers, which accept it or say exactly what is wrong (the tests hold both paths equal
on the golden receipts and on mutated ones).
"""

from __future__ import annotations

import re
from typing import Any

from notary import eip712
from notary.codes import party_code
from notary.hashing import canonical_json
from notary.models import Act, BatchAnchor, Intent, Notarisation, SignerKey, Status, Terms
from notary.receipts import (
    INTENTS,
    MAX_ATTESTATIONS,
    MAX_METADATA_BYTES,
    MAX_NAME,
    MAX_PROOF,
    MAX_REASON,
    MAX_TEXTS,
    ROLES,
    SEAL_ALGORITHM,
    BatchPart,
    ChainRef,
    Document,
    Evidence,
    ReceiptFieldError,
    ReceiptLimitError,
    ReceiptMissingFieldError,
    ReceiptUnknownFieldError,
    RecordPart,
    Text,
    Void,
)

_UINT64 = re.compile(r"^(0|[1-9][0-9]{0,19})$")
_HEX = re.compile(r"^0x[0-9a-f]*$")
_ALGORITHM = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
_KIND = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
MAX_SAFE_INTEGER = 2**53 - 1
_STATUSES = {s.label: s for s in Status if s is not Status.NONE}
_HEX32 = re.compile(r"0x[0-9a-f]{64}")
_PARTY = re.compile(r"[A-Z][A-Z0-9-]{1,15}")  # what `party` accepts (a code already in its normal form)
_INTENTS = {int(i): i for i in Intent}
_UINT64_LIMIT = 2**64


def fields(value: Any, where: str, expected: set[str]) -> dict[str, Any]:
    """`value` must be an object with exactly the `expected` keys."""
    if type(value) is dict and value.keys() == expected:
        return value
    if not isinstance(value, dict):
        raise ReceiptFieldError(f"{where} must be a JSON object, not {type(value).__name__}")
    unknown, missing = sorted(set(value) - expected), sorted(expected - set(value))
    if unknown:
        raise ReceiptUnknownFieldError(f"{where} has unknown field(s) {', '.join(unknown)}")
    if missing:
        raise ReceiptMissingFieldError(f"{where} lacks field(s) {', '.join(missing)}")
    return value


def hex_bytes(value: Any, where: str, size: int | None = 32) -> bytes:
    if size == 32 and type(value) is str and _HEX32.fullmatch(value):
        return bytes.fromhex(value[2:])
    if not isinstance(value, str) or not _HEX.fullmatch(value) or len(value) % 2:
        raise ReceiptFieldError(f"{where} must be lower-case 0x-prefixed hex")
    raw = bytes.fromhex(value[2:])
    if size is not None and len(raw) != size:
        raise ReceiptFieldError(f"{where} must hold {size} bytes, not {len(raw)}")
    return raw


def hex_list(value: Any, where: str, limit: int) -> tuple[bytes, ...]:
    if not isinstance(value, list):
        raise ReceiptFieldError(f"{where} must be a list")
    if len(value) > limit:
        raise ReceiptLimitError(f"{where} has {len(value)} entries; the limit is {limit}")
    return tuple(hex_bytes(v, f"{where}[{i}]") for i, v in enumerate(value))


def address(value: Any, where: str) -> str:
    if not isinstance(value, str) or not eip712.is_checksum_address(value):
        raise ReceiptFieldError(f"{where} must be an EIP-55 checksummed address")
    return value


def uint64(value: Any, where: str) -> int:
    if not isinstance(value, str) or not _UINT64.fullmatch(value) or int(value) >= 2**64:
        raise ReceiptFieldError(f"{where} must be an unsigned 64-bit integer written as a decimal string")
    return int(value)


def integer(value: Any, where: str, maximum: int = MAX_SAFE_INTEGER) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= maximum:
        raise ReceiptFieldError(f"{where} must be an integer from 0 to {maximum}")
    return value


def boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ReceiptFieldError(f"{where} must be true or false")
    return value


def text(value: Any, where: str, limit: int, pattern: re.Pattern[str] | None = None) -> str:
    if not isinstance(value, str):
        raise ReceiptFieldError(f"{where} must be a string")
    if len(value) > limit:
        raise ReceiptLimitError(f"{where} has {len(value)} characters; the limit is {limit}")
    if pattern is not None and not pattern.fullmatch(value):  # fullmatch: `$` admits a final newline
        raise ReceiptFieldError(f"{where} value {value!r} is malformed")
    return value


def party(value: Any, where: str) -> str:
    if type(value) is str and _PARTY.fullmatch(value):
        return value
    code = text(value, where, 16)
    try:
        party_code(code)
    except ValueError:
        raise ReceiptFieldError(f"{where} value {code!r} is not a party code") from None
    if code != code.strip().upper():
        raise ReceiptFieldError(f"{where} value {code!r} is not a party code")
    return code


def optional_bytes32(value: Any, where: str) -> bytes:
    """null (none: 32 zero bytes) or a non-zero bytes32."""
    if value is None:
        return bytes(32)
    raw = hex_bytes(value, where)
    if raw == bytes(32):
        raise ReceiptFieldError(f"{where} must be null rather than zero")
    return raw


# --------------------------------------------------------------------- sections


def parse_chain(value: Any) -> ChainRef:
    c = fields(value, "chain", {"chainId", "ledger", "registry"})
    return ChainRef(
        integer(c["chainId"], "chain.chainId"),
        address(c["ledger"], "chain.ledger"),
        address(c["registry"], "chain.registry"),
    )


def parse_document(value: Any) -> Document:
    d = fields(value, "document", {"digest", "hashAlgorithm", "texts"})
    algorithm = text(d["hashAlgorithm"], "document.hashAlgorithm", 32, _ALGORITHM)
    raw_texts = d["texts"]
    if not isinstance(raw_texts, list):
        raise ReceiptFieldError("document.texts must be a list")
    if len(raw_texts) > MAX_TEXTS:
        raise ReceiptLimitError(f"document.texts has {len(raw_texts)} entries; the limit is {MAX_TEXTS}")
    texts = []
    for i, t in enumerate(raw_texts):
        w = f"document.texts[{i}]"
        t = fields(t, w, {"name", "role", "digest", "proof"})
        role = text(t["role"], f"{w}.role", 8)
        if role not in ROLES:
            raise ReceiptFieldError(f"{w}.role must be one of {', '.join(ROLES)}, not {role!r}")
        name = text(t["name"], f"{w}.name", MAX_NAME)
        texts.append(
            Text(name, role, hex_bytes(t["digest"], f"{w}.digest"), hex_list(t["proof"], f"{w}.proof", MAX_PROOF))
        )
    return Document(hex_bytes(d["digest"], "document.digest"), algorithm, tuple(texts))


def parse_metadata(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ReceiptFieldError("metadata must be null or a JSON object")
    size = len(canonical_json(value))
    if size > MAX_METADATA_BYTES:
        raise ReceiptLimitError(f"metadata is {size} bytes; the limit is {MAX_METADATA_BYTES}")
    return value


def parse_seal(value: Any, names: set[str]) -> tuple[tuple[str, str], ...]:
    s = fields(value, "seal", {"algorithm", "sections"})
    if s["algorithm"] != SEAL_ALGORITHM:
        raise ReceiptFieldError(f"seal.algorithm must be {SEAL_ALGORITHM!r}, not {s['algorithm']!r}")
    sec = fields(s["sections"], "seal.sections", names)
    return tuple((n, "0x" + hex_bytes(sec[n], f"seal.sections.{n}").hex()) for n in sorted(names))


def parse_eip712(value: Any, expected: dict[str, Any]) -> None:
    """The `eip712` section must be exactly protocol v2's domain (for this chain and ledger), the
    complete types of the subject's primary types and its assembly rule."""
    e = fields(value, "eip712", set(expected))
    d = fields(e["domain"], "eip712.domain", set(expected["domain"]))
    for name, want in expected["domain"].items():
        if d[name] != want or type(d[name]) is not type(want):
            raise ReceiptFieldError(f"eip712.domain.{name} must be {want!r} (protocol v2, this chain and ledger)")
    t = fields(e["types"], "eip712.types", set(expected["types"]))
    for kind, want in expected["types"].items():
        if t[kind] != want:
            raise ReceiptFieldError(
                f"eip712.types.{kind} is not protocol v2's {kind} type (its types, field names, order or widths differ)"
            )
    if e["assembly"] != expected["assembly"]:
        raise ReceiptFieldError(f"eip712.assembly must read {expected['assembly']!r}")


def eip712_values(kind: str, value: Any, where: str, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Decode a JSON message of EIP-712 type `kind` (fields in `skip` are absent) into Python values."""
    types = [f for f in eip712.TYPES[kind] if f["name"] not in skip]
    m = fields(value, where, {f["name"] for f in types})
    out: dict[str, Any] = {}
    for f in types:
        name, t, w = f["name"], f["type"], f"{where}.{f['name']}"
        v = m[name]
        if t == "bytes32":
            out[name] = hex_bytes(v, w)
        elif t == "bytes32[]":
            out[name] = hex_list(v, w, 32)
        elif t == "uint64":
            out[name] = uint64(v, w)
        elif t == "uint8":
            out[name] = integer(v, w, 255)
        elif t == "bool":
            out[name] = boolean(v, w)
        elif t == "string":
            out[name] = text(v, w, MAX_REASON)
        else:  # pragma: no cover - the frozen types nest only Terms, which no receipt message holds
            raise ReceiptFieldError(f"{w} has type {t}, which a receipt message does not hold")
    return out


def parse_terms(value: Any, where: str) -> Terms:
    fast = _terms_fast(value)
    if fast is not None:
        return fast
    v = eip712_values("Terms", value, where)
    if not 1 <= len(v["parties"]) <= 32:
        raise ReceiptFieldError(f"{where}.parties must list 1 to 32 parties")
    return Terms(
        v["digest"], v["hashAlgorithm"], v["kind"], v["submitter"], v["parties"], v["quorum"], v["supersedes"],
        v["metadataHash"], v["ratificationRequired"],
    )  # fmt: skip


def _payload(primary: Any, value: Any, where: str, terms: Terms | None) -> Notarisation | Act | BatchAnchor:
    """A signed payload from its primaryType and message; a record's acts take the record's terms."""
    fast = _payload_fast(primary, value, terms)
    if fast is not None:
        return fast
    allowed = ("Notarisation", "Act") if terms is not None else ("BatchAnchor",)
    if primary not in allowed:
        raise ReceiptFieldError(f"{where}.primaryType {primary!r} is not {' or '.join(allowed)}")
    w = f"{where}.message"
    if primary == "BatchAnchor":
        v = eip712_values(primary, value, w)
        return BatchAnchor(v["root"], v["party"], v["hashAlgorithm"], v["metadataHash"], v["deadline"])
    assert terms is not None
    v = eip712_values(primary, value, w, skip=("terms",))
    if primary == "Notarisation":
        return Notarisation.of(terms, v["deadline"])
    if v["intent"] not in Intent._value2member_map_:
        raise ReceiptFieldError(f"{w}.intent {v['intent']} is not a known intent")
    return Act(terms, v["party"], Intent(v["intent"]), v["reason"], v["deadline"])


_EVIDENCE = {
    "party", "intent", "reason", "time", "primaryType", "message", "signer", "signature", "contractSigner",
    "signerKey", "signerKeyObserved", "voided", "transaction", "blockNumber", "blockHash", "logIndex",
}  # fmt: skip


def _key(value: Any, where: str, code: str, signer: str) -> SignerKey:
    fast = _key_fast(value, code, signer)
    if fast is not None:
        return fast
    k = fields(value, where, {"validFrom", "validUntil", "revokedAt", "addedAt"})
    return SignerKey(
        code,
        signer,
        uint64(k["validFrom"], f"{where}.validFrom"),
        uint64(k["validUntil"], f"{where}.validUntil"),
        uint64(k["revokedAt"], f"{where}.revokedAt"),
        uint64(k["addedAt"], f"{where}.addedAt"),
    )


def _void(value: Any, where: str) -> Void | None:
    if value is None:
        return None
    v = fields(value, where, {"time", "transaction", "blockNumber", "blockHash", "logIndex"})
    return Void(
        time=uint64(v["time"], f"{where}.time"),
        transaction="0x" + hex_bytes(v["transaction"], f"{where}.transaction").hex(),
        block_number=integer(v["blockNumber"], f"{where}.blockNumber"),
        block_hash="0x" + hex_bytes(v["blockHash"], f"{where}.blockHash").hex(),
        log_index=integer(v["logIndex"], f"{where}.logIndex"),
    )


def parse_evidence(value: Any, where: str, terms: Terms | None = None) -> Evidence:
    """One act's evidence; `terms` are the record's (None: a batch anchor's evidence)."""
    fast = _evidence_fast(value, terms)
    if fast is not None:
        return fast
    e = fields(value, where, _EVIDENCE)
    intent = text(e["intent"], f"{where}.intent", 16)
    if intent not in INTENTS:
        raise ReceiptFieldError(f"{where}.intent must be one of {', '.join(INTENTS)}, not {intent!r}")
    code = party(e["party"], f"{where}.party")
    signer = address(e["signer"], f"{where}.signer")
    voided = _void(e["voided"], f"{where}.voided")
    if voided is not None and terms is None:
        raise ReceiptFieldError(f"{where}.voided must be null: the ledger voids acts on records, not batch anchors")
    return Evidence(
        party=code,
        intent=intent,
        reason=text(e["reason"], f"{where}.reason", MAX_REASON),
        time=uint64(e["time"], f"{where}.time"),
        payload=_payload(e["primaryType"], e["message"], where, terms),
        signer=signer,
        signature=hex_bytes(e["signature"], f"{where}.signature", None),
        contract_signer=boolean(e["contractSigner"], f"{where}.contractSigner"),
        signer_key=_key(e["signerKey"], f"{where}.signerKey", code, signer),
        signer_key_observed=_key(e["signerKeyObserved"], f"{where}.signerKeyObserved", code, signer),
        transaction="0x" + hex_bytes(e["transaction"], f"{where}.transaction").hex(),
        block_number=integer(e["blockNumber"], f"{where}.blockNumber"),
        block_hash="0x" + hex_bytes(e["blockHash"], f"{where}.blockHash").hex(),
        log_index=integer(e["logIndex"], f"{where}.logIndex"),
        voided=voided,
    )


# --------------------------------------------------------------------- the fast path of the per-act parts
# Each returns None unless the value passes every check its generic parser makes (then the generic
# parser runs and accepts it or names the fault); what it returns is what the generic parser builds.

_KEY = {"validFrom", "validUntil", "revokedAt", "addedAt"}
_WINDOWS = re.compile(r"(?:0|[1-9][0-9]{0,19})(?:\|(?:0|[1-9][0-9]{0,19})){3}")  # four `_UINT64` joined by "|"
_TERMS = {f["name"] for f in eip712.TYPES["Terms"]}
_NOTARISATION = {"deadline"}
_ACT = {"party", "intent", "reason", "deadline"}
_ANCHOR = {f["name"] for f in eip712.TYPES["BatchAnchor"]}


def _u64(v: Any) -> int | None:
    """The value as `uint64` reads it, or None if it is not one."""
    if type(v) is str and _UINT64.fullmatch(v):
        n = int(v)
        if n < _UINT64_LIMIT:
            return n
    return None


def _b32(*values: Any) -> bool:
    """Whether every value is a lower-case 0x-prefixed hex bytes32."""
    return all(type(v) is str and _HEX32.fullmatch(v) for v in values)


def _key_fast(k: Any, code: str, signer: str) -> SignerKey | None:
    """The four windows checked as one text: a value holding "|" would add a part, so the four parts
    match `_WINDOWS` only if each value matches `_UINT64`."""
    if type(k) is not dict or k.keys() != _KEY:
        return None
    try:
        joined = "|".join((k["validFrom"], k["validUntil"], k["revokedAt"], k["addedAt"]))
    except TypeError:  # a value that is not a text
        return None
    if not _WINDOWS.fullmatch(joined):
        return None
    a, b, c, d = map(int, joined.split("|"))
    return SignerKey(code, signer, a, b, c, d) if max(a, b, c, d) < _UINT64_LIMIT else None


def _terms_fast(t: Any) -> Terms | None:
    if type(t) is not dict or t.keys() != _TERMS:
        return None
    parties, quorum, ratification = t["parties"], t["quorum"], t["ratificationRequired"]
    if type(parties) is not list or not 1 <= len(parties) <= 32 or type(quorum) is not int or not 0 <= quorum <= 255:
        return None
    fixed = (t["digest"], t["hashAlgorithm"], t["kind"], t["submitter"], t["supersedes"], t["metadataHash"])
    if type(ratification) is not bool or not _b32(*fixed, *parties):
        return None
    digest, algorithm, kind, submitter, supersedes, metadata = (bytes.fromhex(v[2:]) for v in fixed)
    codes = tuple(bytes.fromhex(p[2:]) for p in parties)
    return Terms(digest, algorithm, kind, submitter, codes, quorum, supersedes, metadata, ratification)


def _payload_fast(primary: Any, m: Any, terms: Terms | None) -> Notarisation | Act | BatchAnchor | None:
    if type(m) is not dict:
        return None
    if terms is None:
        if primary != "BatchAnchor" or m.keys() != _ANCHOR:
            return None
        deadline = _u64(m["deadline"])
        fixed = (m["root"], m["party"], m["hashAlgorithm"], m["metadataHash"])
        if deadline is None or not _b32(*fixed):
            return None
        root, code, algorithm, metadata = (bytes.fromhex(v[2:]) for v in fixed)
        return BatchAnchor(root, code, algorithm, metadata, deadline)
    if primary == "Notarisation" and m.keys() == _NOTARISATION:
        deadline = _u64(m["deadline"])
        return None if deadline is None else Notarisation.of(terms, deadline)
    if primary != "Act" or m.keys() != _ACT:
        return None
    deadline = _u64(m["deadline"])
    code, intent, reason = m["party"], m["intent"], m["reason"]
    if deadline is None or type(intent) is not int or intent not in _INTENTS or not _b32(code):
        return None
    if type(reason) is not str or len(reason) > MAX_REASON:
        return None
    return Act(terms, bytes.fromhex(code[2:]), _INTENTS[intent], reason, deadline)


def _evidence_fast(e: Any, terms: Terms | None) -> Evidence | None:
    if type(e) is not dict or e.keys() != _EVIDENCE or e["voided"] is not None:  # a voided act: the generic path
        return None
    intent, code, signer, reason, signature = e["intent"], e["party"], e["signer"], e["reason"], e["signature"]
    transaction, block_hash, number, log_index = e["transaction"], e["blockHash"], e["blockNumber"], e["logIndex"]
    contract_signer = e["contractSigner"]
    if type(intent) is not str or intent not in INTENTS or type(code) is not str or not _PARTY.fullmatch(code):
        return None
    if type(reason) is not str or len(reason) > MAX_REASON or not eip712.is_checksum_address(signer):
        return None
    if type(signature) is not str or len(signature) % 2 or not _HEX.fullmatch(signature):
        return None
    if type(contract_signer) is not bool or not _b32(transaction, block_hash):
        return None
    if type(number) is not int or type(log_index) is not int:
        return None
    if not (0 <= number <= MAX_SAFE_INTEGER and 0 <= log_index <= MAX_SAFE_INTEGER):
        return None
    time = _u64(e["time"])
    payload = _payload_fast(e["primaryType"], e["message"], terms)
    if time is None or payload is None:
        return None
    key = _key_fast(e["signerKey"], code, signer)
    observed = key if e["signerKeyObserved"] == e["signerKey"] else _key_fast(e["signerKeyObserved"], code, signer)
    if key is None or observed is None:
        return None
    return Evidence(
        party=code, intent=intent, reason=reason, time=time, payload=payload, signer=signer,
        signature=bytes.fromhex(signature[2:]), contract_signer=contract_signer, signer_key=key,
        signer_key_observed=observed, transaction=transaction, block_number=number, block_hash=block_hash,
        log_index=log_index, voided=None,
    )  # fmt: skip


_RECORD = {
    "recordId", "terms", "submitter", "kind", "parties", "quorum", "supersedes", "metadataHash",
    "ratificationRequired", "status", "supersededBy", "observedAt", "attestations",
}  # fmt: skip


def parse_record(value: Any) -> RecordPart:
    r = fields(value, "record", _RECORD)
    parties = r["parties"]
    if not isinstance(parties, list) or not 1 <= len(parties) <= 32:
        raise ReceiptFieldError("record.parties must be a list of 1 to 32 party codes")
    status = text(r["status"], "record.status", 16)
    if status not in _STATUSES:
        raise ReceiptFieldError(f"record.status {status!r} is not a record state")
    observed = fields(r["observedAt"], "record.observedAt", {"blockNumber", "blockHash"})
    terms = parse_terms(r["terms"], "record.terms")
    acts = r["attestations"]
    if not isinstance(acts, list) or not acts:
        raise ReceiptFieldError("record.attestations must be a non-empty list")
    if len(acts) > MAX_ATTESTATIONS:
        raise ReceiptLimitError(f"record.attestations has {len(acts)} entries; the limit is {MAX_ATTESTATIONS}")
    return RecordPart(
        record_id=hex_bytes(r["recordId"], "record.recordId"),
        terms=terms,
        submitter=party(r["submitter"], "record.submitter"),
        kind=text(r["kind"], "record.kind", 32, _KIND),
        parties=tuple(party(p, f"record.parties[{i}]") for i, p in enumerate(parties)),
        quorum=integer(r["quorum"], "record.quorum", 255),
        supersedes=optional_bytes32(r["supersedes"], "record.supersedes"),
        metadata_hash=hex_bytes(r["metadataHash"], "record.metadataHash"),
        ratification_required=boolean(r["ratificationRequired"], "record.ratificationRequired"),
        status=_STATUSES[status],
        superseded_by=optional_bytes32(r["supersededBy"], "record.supersededBy"),
        observed_block=integer(observed["blockNumber"], "record.observedAt.blockNumber"),
        observed_block_hash="0x" + hex_bytes(observed["blockHash"], "record.observedAt.blockHash").hex(),
        attestations=tuple(parse_evidence(a, f"record.attestations[{i}]", terms) for i, a in enumerate(acts)),
    )


def parse_batch(value: Any) -> BatchPart:
    b = fields(value, "batch", {"anchorId", "root", "party", "hashAlgorithm", "metadataHash", "proof", "anchor"})
    return BatchPart(
        anchor_id=hex_bytes(b["anchorId"], "batch.anchorId"),
        root=hex_bytes(b["root"], "batch.root"),
        party=party(b["party"], "batch.party"),
        hash_algorithm=text(b["hashAlgorithm"], "batch.hashAlgorithm", 32, _ALGORITHM),
        metadata_hash=hex_bytes(b["metadataHash"], "batch.metadataHash"),
        proof=hex_list(b["proof"], "batch.proof", MAX_PROOF),
        anchor=parse_evidence(b["anchor"], "batch.anchor"),
    )
