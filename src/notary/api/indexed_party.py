"""`GET /v1/parties/{code}` from the event index, in exactly the shape the chain path gives.

The chain path (`presenters.party_of`) reads the registry: the party, its key history from
the four key events, each key's current window, any back-dated revocation awaiting the
depositary, the pending controller change and the delays, then judges each revocation by
the time of the block before it (`registry.revocation_is_compromise`). Here the same
`registry.PartyView` is built from the index (`parties`, `signer_keys`, the key events and
the DelaysChanged events, folded as the registry applies them) and handed to the same
`registry.party_document`: the JSON is the chain path's, byte for byte (a test compares
both on keys added, rotated, compromised and revoked). The block before a revocation is
stored by the indexer; an index built before it did reads that block's time from the node
once (a past block's time never changes: cached by the revocation's block hash).

Blocking (database) code: the route runs it in the thread pool.
"""

from __future__ import annotations

import threading
from typing import Any

from notary import registry
from notary.api import presenters
from notary.api.deps import Services
from notary.api.indexed import CHAIN, INDEX, Reading, reading
from notary.api.schemas import PartyOut
from notary.chain.head import Head
from notary.codes import bytes32_to_text, party_code
from notary.index import IndexReader
from notary.models import Party, SignerKey

_parent_times: dict[tuple[int, str], int] = {}  # (revocation block, its hash) -> the previous block's time
_parent_lock = threading.Lock()


def party_of(svc: Services, code: str, at: Reading | None = None) -> tuple[PartyOut, str]:
    """The party document, and which source answered: "index" when current, else "chain"."""
    head, reader = at or reading(svc)
    found = _from_index(svc, reader, bytes32_to_text(party_code(code)), head) if reader is not None else None
    if found is None:  # no index, not current, or a party it does not hold (the chain says 404)
        return presenters.party_of(svc.gateway, code), CHAIN
    return found, INDEX


def _from_index(svc: Services, reader: IndexReader, code: str, head: Head) -> PartyOut | None:
    view = party_view(reader, code, head.timestamp)
    if view is None:
        return None
    revocations = [h for h in view.history if h["event"] == "SignerRevoked"]
    stored = reader.block_times(h["block_number"] - 1 for h in revocations)
    hashes = {h["block_number"]: h["block_hash"] for h in revocations}

    def is_compromise(effective_at: int, block: int) -> bool:
        parent = max(block - 1, 0)
        time = stored.get(parent)
        if time is None:
            time = _parent_time(svc, block, hashes.get(block, ""), parent)
        return effective_at <= time

    data = registry.party_document(view, head.timestamp, is_compromise)
    return PartyOut.model_validate(data)


def party_view(reader: IndexReader, code: str, now: int) -> registry.PartyView | None:
    """The registry's view of a party as its events left it (None: the index holds no such party)."""
    row = reader.party(code)
    if row is None:
        return None
    history = [_history_row(e) for e in reader.key_history(code)]
    windows = {k["key"]: k for k in reader.keys(code)}
    keys: dict[str, SignerKey] = {}
    for h in history:  # in order of first appearance, as the chain path lists them
        w = windows.get(h["key"])
        keys.setdefault(
            h["key"],
            SignerKey(code, h["key"], w["valid_from"], w["valid_until"], w["revoked_at"], w["added_at"])
            if w is not None
            else SignerKey(code, h["key"], 0, 0, 0, 0),
        )
    pending = {k: windows[k]["pending_revocation"] for k in keys if k in windows and windows[k]["pending_revocation"]}
    control = (
        registry.PendingControl(row["pending_controller"], row["pending_effective_at"], row["pending_by_depositary"])
        if row["pending_controller"]
        else None
    )
    delays = reader.delays(now)
    return registry.PartyView(
        Party(code, row["name"], row["controller"], bool(row["suspended"]), int(row["registered_at"])),
        tuple(keys.values()),
        tuple(history),
        control,
        pending,
        registry.Delays(delays["repudiation_window"], delays["controller_reset_delay"]),
    )


def _history_row(e: dict[str, Any]) -> dict[str, Any]:
    """An indexed key event as `LedgerGateway.key_history` gives it (the event's arguments at the top)."""
    return {
        **e["detail"],
        "event": e["event"],
        "block_number": int(e["block_number"]),
        "log_index": int(e["log_index"]),
        "block_hash": e["block_hash"],
        "transaction": e["tx_hash"],
        "code": e["party"],
        "key": e["signer"],
    }


def _parent_time(svc: Services, block: int, block_hash: str, parent: int) -> int:
    """The time of the block before `block`, from the node, once per (block, hash)."""
    key = (block, block_hash)
    with _parent_lock:
        found = _parent_times.get(key)
    if found is None:
        found = svc.gateway.chain.block_timestamp(parent)
        with _parent_lock:
            if len(_parent_times) > 65536:
                _parent_times.clear()
            _parent_times[key] = found
    return found
