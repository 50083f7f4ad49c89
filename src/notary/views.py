"""JSON-ready views of records and parties: one shape for `--json` output and the HTTP API.

Pure functions over `notary.models` values; callers fetch from the chain and pass in
what is needed (the head block for confirmations, signer keys for detailed health).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from notary.models import Attestation, Record, SignerKey, timestamp_text

if TYPE_CHECKING:
    from notary.registry import PartyView

#: Times at or after 10000-01-01 read as "never".
NEVER = 253402300800
#: Health of an attestation whose key was not authorised when it signed, reason unknown.
INVALID = "invalid (key not authorised at that time)"


def time_or_none(ts: int) -> str | None:
    """UTC ISO text; None for 0 (unset) and for times too far to print (never)."""
    return timestamp_text(ts) if 0 < ts < NEVER else None


def _hex32(value: bytes) -> str | None:
    return None if value == bytes(32) else "0x" + value.hex()


def attestation_health(a: Attestation, key: SignerKey | None = None) -> str:
    """ "valid", or why not: detailed when the signer's key record is given. An act the
    ledger voided says so ("invalid (voided on chain): …"): it no longer counts."""
    if a.valid:
        return "valid"
    prefix = "invalid (voided on chain)" if a.voided else "invalid"
    if key is None:
        return f"{prefix} (key not authorised at that time)" if a.voided else INVALID
    if key.revoked_at and key.revoked_at <= a.time:
        return f"{prefix}: signed by a key declared compromised from {timestamp_text(key.revoked_at)}"
    if not key.valid_from <= a.time < key.valid_until:
        return f"{prefix}: signed outside the key's validity window"
    return f"{prefix} (key not authorised at that time)" if a.voided else INVALID


def record_dict(
    record: Record, head: int | None = None, keys: Mapping[tuple[str, str], SignerKey] | None = None
) -> dict[str, Any]:
    """A record as JSON: with `head` (latest block) each act gets its confirmations;
    with `keys` ((party, signer) -> key) invalid acts say why they are invalid."""
    attestations = []
    for a in record.attestations:
        item: dict[str, Any] = {
            "party": a.party,
            "intent": a.intent.label,
            "signer": a.signer,
            "time": timestamp_text(a.time),
            "valid": a.valid,
            "health": attestation_health(a, (keys or {}).get((a.party, a.signer))),
            "voided": a.voided,
            "reason": a.reason or None,
            "transaction": a.transaction,
            "block": a.block_number,
        }
        if head is not None:
            item["confirmations"] = head - a.block_number + 1 if a.block_number is not None else 0
        attestations.append(item)
    return {
        "recordId": record.record_id_hex,
        "digest": record.digest.hex(),
        "hashAlgorithm": record.hash_algorithm,
        "kind": record.kind,
        "submitter": record.submitter,
        "parties": list(record.parties),
        "quorum": record.quorum,
        "status": record.status.label,
        "ratificationRequired": record.ratification_required,
        "supersedes": _hex32(record.supersedes),
        "supersededBy": _hex32(record.superseded_by),
        "metadataHash": record.metadata_hash.hex(),
        "createdAt": timestamp_text(record.created_at),
        "updatedAt": timestamp_text(record.updated_at),
        "signatures": record.signatures,
        "ratifications": record.ratifications,
        "annulments": record.annulments,
        "withdrawals": record.withdrawals,
        "attestations": attestations,
    }


def key_status(key: SignerKey, now: int, compromised: bool = False) -> str:
    """A key's status at chain time `now`; `compromised`: its revocation reaches back into mined blocks."""
    if key.revoked_at and compromised:
        return "compromised"
    if key.revoked_at and now >= key.revoked_at:
        return "revoked"
    if now < key.valid_from:
        return "not yet valid"
    if now >= key.valid_until:
        return "expired"
    return "revocation pending" if key.revoked_at else "active"


def party_dict(view: PartyView, now: int, is_compromise: Callable[[int, int], bool]) -> dict[str, Any]:
    """A party with its keys and key history; `is_compromise(effective_at, block)` judges revocations."""
    compromised: dict[str, bool] = {}  # key -> whether its latest revocation is a compromise
    history = []
    for row in view.history:
        entry: dict[str, Any] = {
            "event": row["event"],
            "key": row["key"],
            "time": time_or_none(row["time"]),
            "transaction": row["transaction"],
            "block": row["block_number"],
        }
        if row["event"] == "SignerAdded":
            entry.update(validFrom=time_or_none(row["validFrom"]), validUntil=time_or_none(row["validUntil"]))
        else:
            compromised[row["key"]] = is_compromise(row["effectiveAt"], row["block_number"])
            entry.update(effectiveAt=time_or_none(row["effectiveAt"]), compromise=compromised[row["key"]])
        history.append(entry)
    keys = [
        {
            "key": k.key,
            "status": key_status(k, now, compromised.get(k.key, False)),
            "validFrom": time_or_none(k.valid_from),
            "validUntil": time_or_none(k.valid_until),
            "revokedAt": time_or_none(k.revoked_at),
            "addedAt": time_or_none(k.added_at),
        }
        for k in view.keys
    ]
    p = view.party
    return {
        "code": p.code,
        "name": p.name,
        "controller": p.controller,
        "status": "suspended" if p.suspended else "active",
        "registeredAt": time_or_none(p.registered_at),
        "chainTime": time_or_none(now),
        "keys": keys,
        "history": history,
    }
