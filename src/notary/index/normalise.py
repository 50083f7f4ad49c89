"""One event as the index stores it: a flat row with the columns auditors filter on.

`normalise` turns a decoded chain log into an `Event`; the indexer and the audit
verifier both use it, so an export and its re-derivation from the chain agree byte for
byte. Hashes are 0x-prefixed lower-case hex, document digests bare hex (as `sha256sum`
prints them), party codes text, enum values their labels; whatever an event carries
beyond the named columns goes into `detail`, a canonical JSON object.

The signature of each signed act is recovered off chain here, from the payload of the
transaction that carried it (under the contract's strict ECDSA rules); the key window
is judged later, as of the export's head block (see `notary.audit.rows`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from notary import eip712
from notary.chain.events import ChainLog
from notary.codes import bytes32_to_text
from notary.errors import InvalidInputError
from notary.models import Intent, Status

SIGNED_EVENTS = ("ActRecorded", "BatchAnchored")
#: Event arguments that become named columns (the rest goes into `detail`).
_MAPPED = {"recordId", "anchorId", "digest", "root", "kind", "party", "code", "signer", "key", "intent", "reason"}
_BYTES32_TEXT = {"hashAlgorithm", "kind", "party", "code"}


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
    recovery_note: str = ""  # why the signature could not be recovered off chain

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _render(name: str, value: Any) -> Any:
    if isinstance(value, bytes):
        return bytes32_to_text(value) if name in _BYTES32_TEXT else "0x" + value.hex()
    if isinstance(value, tuple):
        if name == "parties":
            return [bytes32_to_text(v) for v in value]
        return [_render(name, v) for v in value]
    if name in ("previous", "current"):
        return Status(value).label
    return value


RecordLookup = Callable[[str], tuple[str, str] | None]


def normalise(log: ChainLog, domain: eip712.Domain, lookup: RecordLookup) -> Event:
    """The index row of one chain log. `lookup(record_id)` gives a known record's (digest, kind)."""
    a = log.args
    record = a.get("recordId", a.get("anchorId"))
    record_hex = "0x" + record.hex() if isinstance(record, bytes) else ""
    digest = a.get("digest", a.get("root"))
    digest_hex = digest.hex() if isinstance(digest, bytes) else ""
    kind = bytes32_to_text(a["kind"]) if "kind" in a else ""
    if record_hex and log.event in ("ActRecorded", "StatusChanged"):
        known = lookup(record_hex)
        if known is not None:
            digest_hex, kind = known
    party_raw = a.get("party", a.get("code"))
    signer = a.get("signer", a.get("key", ""))
    intent = Intent(a["intent"]).label if "intent" in a else ""
    detail = {k: _render(k, v) for k, v in a.items() if k not in _MAPPED}
    recovered, note = _recover(log, domain) if log.event in SIGNED_EVENTS else ("", "")
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


def _recover(log: ChainLog, domain: eip712.Domain) -> tuple[str, str]:
    """(recovered signer, note): recover the act's signature from its transaction's payload."""
    call = log.call
    if call is None:
        return "", "transaction did not call the ledger directly; checked on chain only"
    party = log.args.get("party")
    if getattr(call.payload, "party", None) != party:
        return "", f"transaction's {call.function} payload is for another party"
    if call.signer_is_contract:
        return "", "contract signer (EIP-1271); checked on chain only"
    try:
        return eip712.recover_signer(call.payload, domain, call.signature), ""
    except (InvalidInputError, ValueError) as exc:
        return "", f"signature not recoverable: {exc}"
