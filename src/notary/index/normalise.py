"""One event as the index stores it: a flat row with the columns auditors filter on.

`normalise` turns a decoded chain log into an `Event`; the indexer and the audit
verifier both use it, so an export and its re-derivation from the chain agree byte for
byte. Hashes are 0x-prefixed lower-case hex, document digests bare hex (as `sha256sum`
prints them), party codes text, enum values their labels; whatever an event carries
beyond the named columns goes into `detail`, a canonical JSON object (bytes32 codes in it
as text when that text encodes them exactly, else as 0x-hex).

The signature of each signed act is recovered off chain here from the event alone
(protocol v2): `ActRecorded` carries the act's deadline and signature, and the record's
terms come from its latest `RecordNotarised` before the act, so the signed payload is
rebuilt (`ledger.payload_of_act`) and recovered under the contract's strict ECDSA rules.
The transaction is never read: an act relayed through a contract is checked like any
other. The key window and the deadline are judged later, as of the export's last block
(see `notary.audit.rows`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from eth_keys.exceptions import BadSignature

from notary import eip712
from notary.chain.events import ChainLog
from notary.codes import bytes32_to_text, text_to_bytes32
from notary.errors import InvalidInputError
from notary.models import BatchAnchor, Intent, Status, Terms

SIGNED_EVENTS = ("ActRecorded", "BatchAnchored")
#: Ledger events about one record whose rows take the record's digest and kind.
RECORD_EVENTS = ("ActRecorded", "ActVoided", "StatusChanged", "SupersededByChanged")
#: Event arguments that become named columns (the rest goes into `detail`).
_MAPPED = {"recordId", "anchorId", "digest", "root", "kind", "party", "code", "signer", "key", "intent", "reason"}
_BYTES32_TEXT = {"hashAlgorithm", "kind", "party", "code"}
_CONTRACT_SIGNER = (
    "unchecked: contract signer (EIP-1271): the ledger asked its isValidSignature when the act was recorded"
)


@dataclass(frozen=True)
class Event:
    """An indexed event; (block_number, log_index) identifies it on its chain."""

    block_number: int
    log_index: int
    contract: str
    event: str
    block_hash: str
    tx_hash: str
    tx_index: int
    time: int
    record: str = ""  # record id, or batch anchor id
    digest: str = ""  # the record's document digest, or a batch's Merkle root
    kind: str = ""
    party: str = ""
    signer: str = ""
    intent: str = ""
    reason: str = ""
    detail: str = "{}"
    recovered: str = ""  # the address the signature recovers to ("" when not applicable)
    #: Set when the signature alone decides the check: "invalid: …" or "unchecked: …".
    recovery_note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)  # flat fields: no deep copy needed (dataclasses.asdict costs 10×)


@dataclass(frozen=True)
class RecordInfo:
    """What the rows of a record's later events need: its digest, kind and (exact) terms."""

    digest: str
    kind: str
    terms: Terms | None  # None: the event's text could not be turned back into the signed terms


RecordLookup = Callable[[str], RecordInfo | None]
IsContract = Callable[[str], bool]


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def code_text(raw: bytes) -> str:
    """A bytes32 code as text when that text encodes it exactly, else as 0x-hex (66 characters)."""
    text = bytes32_to_text(raw)
    try:
        if text_to_bytes32(text) == raw:
            return text
    except (InvalidInputError, UnicodeEncodeError):
        pass
    return "0x" + raw.hex()


def code_bytes(text: str) -> bytes:
    """The inverse of `code_text` (raises InvalidInputError/UnicodeEncodeError when impossible)."""
    if len(text) == 66 and text.startswith("0x"):
        return bytes.fromhex(text[2:])
    return text_to_bytes32(text)


def _render(name: str, value: Any) -> Any:
    if isinstance(value, bytes):
        return code_text(value) if name in _BYTES32_TEXT else "0x" + value.hex()
    if isinstance(value, tuple):
        if name == "parties":
            return [code_text(v) for v in value]
        return [_render(name, v) for v in value]
    if name in ("previous", "current"):
        return Status(value).label
    return value


def normalise(
    log: ChainLog, domain: eip712.Domain, lookup: RecordLookup, is_contract: IsContract | None = None
) -> Event:
    """The index row of one chain log.

    `lookup(record_id)` gives a known record's `RecordInfo` (its latest notarisation before
    this log); `is_contract(address)` says whether a signer whose signature does not recover
    is an EIP-1271 contract (checked on chain only).
    """
    a = log.args
    record = a.get("recordId", a.get("anchorId"))
    record_hex = "0x" + record.hex() if isinstance(record, bytes) else ""
    digest = a.get("digest", a.get("root"))
    digest_hex = digest.hex() if isinstance(digest, bytes) else ""
    kind = bytes32_to_text(a["kind"]) if "kind" in a else ""
    info = lookup(record_hex) if record_hex and log.contract == "ledger" and log.event in RECORD_EVENTS else None
    if info is not None:
        digest_hex, kind = info.digest, info.kind
    party_raw = a.get("party", a.get("code"))
    signer = a.get("signer", a.get("key", ""))
    intent = Intent(a["intent"]).label if "intent" in a else ""
    detail = {k: _render(k, v) for k, v in a.items() if k not in _MAPPED}
    recovered, note = ("", "")
    if log.contract == "ledger" and log.event in SIGNED_EVENTS:
        recovered, note = _recover(log, domain, info, is_contract)
    return Event(
        block_number=log.block_number,
        log_index=log.log_index,
        contract=log.contract,
        event=log.event,
        block_hash=log.block_hash,
        tx_hash=log.tx_hash,
        tx_index=log.tx_index,
        time=log.block_time,
        record=record_hex,
        digest=digest_hex,
        kind=kind,
        party=bytes32_to_text(party_raw) if isinstance(party_raw, bytes) else "",
        signer=str(signer),
        intent=intent,
        reason=str(a.get("reason", "")),
        detail=canonical_json(detail),
        recovered=recovered,
        recovery_note=note,
    )


def _recover(
    log: ChainLog, domain: eip712.Domain, info: RecordInfo | None, is_contract: IsContract | None
) -> tuple[str, str]:
    """(recovered signer, note): rebuild the signed payload from the event and recover its signer.

    The contract's rule (`LedgerSignatures._checkSigned`): ECDSA first (65 bytes, low s,
    v in {27, 28}); if that fails or names another address and the signer holds code, the
    signer's EIP-1271 `isValidSignature` decides, which only the chain can answer.
    """
    a = log.args
    if log.event == "BatchAnchored":
        payload: eip712.Payload = BatchAnchor(
            bytes(a["root"]), bytes(a["party"]), bytes(a["hashAlgorithm"]), bytes(a["metadataHash"]), int(a["deadline"])
        )
    else:
        if info is None or info.terms is None:
            return "", "unchecked: the record's terms are not known from a RecordNotarised event before the act"
        from notary.ledger import payload_of_act

        payload = payload_of_act(
            info.terms, bytes(a["party"]), Intent(a["intent"]), str(a["reason"]), int(a["deadline"])
        )
    signer = str(a["signer"])
    recovered = ""
    try:
        recovered = eip712.recover_signer(payload, domain, bytes(a["signature"]))
    except (InvalidInputError, ValueError, BadSignature) as exc:
        problem = f"the signature is not a valid ECDSA signature over the act ({exc})"
    else:
        if recovered.lower() == signer.lower():
            return recovered, ""
        problem = f"the signature recovers to {recovered}, not the recorded signer"
    if is_contract is not None and is_contract(signer):
        return recovered, _CONTRACT_SIGNER
    return recovered, f"invalid: {problem}"


# --------------------------------------------------------------------- a record's terms


def record_info(ev: Mapping[str, Any] | Event) -> RecordInfo:
    """The `RecordInfo` of a normalised RecordNotarised event; the terms are rebuilt from its
    columns and detail and kept only if they hash to the event's `termsHash`."""
    row = ev.as_dict() if isinstance(ev, Event) else ev
    return RecordInfo(row["digest"], row["kind"], terms_of(row))


def terms_of(row: Mapping[str, Any]) -> Terms | None:
    d = json.loads(row["detail"]) if isinstance(row["detail"], str) else row["detail"]
    try:
        terms = Terms(
            digest=bytes.fromhex(row["digest"]),
            hash_algorithm=code_bytes(d["hashAlgorithm"]),
            kind=code_bytes(row["kind"]),
            submitter=code_bytes(row["party"]),
            parties=tuple(code_bytes(p) for p in d["parties"]),
            quorum=int(d["quorum"]),
            supersedes=bytes.fromhex(d["supersedes"][2:]),
            metadata_hash=bytes.fromhex(d["metadataHash"][2:]),
            ratification_required=bool(d["ratificationRequired"]),
        )
    except (KeyError, TypeError, ValueError, InvalidInputError, UnicodeEncodeError):
        return None
    return terms if "0x" + eip712.terms_hash(terms).hex() == d.get("termsHash") else None


def terms_json(t: Terms | None) -> str:
    """Exact terms as canonical JSON (0x-hex values); "" for None."""
    if t is None:
        return ""
    return canonical_json(
        {
            "digest": "0x" + t.digest.hex(),
            "hashAlgorithm": "0x" + t.hash_algorithm.hex(),
            "kind": "0x" + t.kind.hex(),
            "submitter": "0x" + t.submitter.hex(),
            "parties": ["0x" + p.hex() for p in t.parties],
            "quorum": t.quorum,
            "supersedes": "0x" + t.supersedes.hex(),
            "metadataHash": "0x" + t.metadata_hash.hex(),
            "ratificationRequired": t.ratification_required,
        }
    )


def terms_from_json(text: str) -> Terms | None:
    """The inverse of `terms_json`."""
    return terms_from_dict(json.loads(text)) if text else None


def terms_from_dict(d: Mapping[str, Any]) -> Terms:
    def raw(v: str) -> bytes:
        return bytes.fromhex(v[2:])

    return Terms(
        raw(d["digest"]), raw(d["hashAlgorithm"]), raw(d["kind"]), raw(d["submitter"]),
        tuple(raw(p) for p in d["parties"]), int(d["quorum"]), raw(d["supersedes"]), raw(d["metadataHash"]),
        bool(d["ratificationRequired"]),
    )  # fmt: skip
