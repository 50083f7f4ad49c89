"""Audit rows: one per event, in one canonical form for every export format.

A row holds the event's facts (name, block number and hash, transaction hash, log index,
time, record, digest, kind, party, signer, intent, reason, the remaining arguments as
canonical JSON in `detail`) and `check`: the off-chain re-check of its signature and of
the signing key's window, judged against the registry as known at the export's head
block. The facts are what the Merkle tree commits to (`leaf_bytes`); `check` is an
opinion as of that head (a key declared compromised later changes it), so it is left out
of the tree and re-derived by `notary audit verify` instead.

Check values: `n/a` (the event carries no signature), `valid`, `invalid: …`,
`unchecked: …` (e.g. an EIP-1271 contract signer, checked on chain only).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from notary.errors import InvalidInputError
from notary.index.normalise import SIGNED_EVENTS, canonical_json
from notary.models import timestamp_text

COLUMNS = (
    "event",
    "contract",
    "block_number",
    "block_hash",
    "tx_hash",
    "log_index",
    "time",
    "record",
    "digest",
    "kind",
    "party",
    "signer",
    "intent",
    "reason",
    "detail",
    "check",
)
INT_COLUMNS = ("block_number", "log_index")
FACT_COLUMNS = tuple(c for c in COLUMNS if c != "check")

Row = dict[str, Any]


class KeyWindows:
    """Each (party, key) window as the registry's events up to some block define it."""

    def __init__(self) -> None:
        self._windows: dict[tuple[str, str], list[int]] = {}

    @classmethod
    def from_events(cls, events: Iterable[Mapping[str, Any]]) -> KeyWindows:
        """Build from SignerAdded / SignerRevoked events in chain order (other events are skipped)."""
        windows = cls()
        for ev in events:
            windows.add(ev)
        return windows

    def add(self, ev: Mapping[str, Any]) -> None:
        if ev["event"] not in ("SignerAdded", "SignerRevoked"):
            return
        d = ev["detail"] if isinstance(ev["detail"], dict) else json.loads(ev["detail"])
        key = (ev["party"], str(ev["signer"]).lower())
        if ev["event"] == "SignerAdded":
            self._windows[key] = [int(d["validFrom"]), int(d["validUntil"]), 0]
        elif key in self._windows:
            self._windows[key][2] = int(d["effectiveAt"])

    def judge(self, party: str, key: str, time: int) -> str:
        """The registry's rule (`isAuthorisedAt`) applied off chain."""
        window = self._windows.get((party, key.lower()))
        if window is None:
            return f"invalid: key {key} was never registered for {party}"
        valid_from, valid_until, revoked_at = window
        if not valid_from <= time < valid_until:
            return f"invalid: signed at {time}, outside the key's window [{valid_from}, {valid_until})"
        if revoked_at and time >= revoked_at:
            return f"invalid: the key was revoked (declared compromised) from {revoked_at}, before it signed at {time}"
        return "valid"


def check(ev: Mapping[str, Any], windows: KeyWindows) -> str:
    """Re-check one event's signature and key window off chain."""
    if ev["event"] not in SIGNED_EVENTS:
        return "n/a"
    if ev["recovery_note"]:
        return f"unchecked: {ev['recovery_note']}"
    if str(ev["recovered"]).lower() != str(ev["signer"]).lower():
        return f"invalid: the signature recovers to {ev['recovered']}, not the recorded signer"
    detail = json.loads(ev["detail"]) if isinstance(ev["detail"], str) else ev["detail"]
    return windows.judge(ev["party"], ev["signer"], int(detail.get("time", ev["time"])))


def to_row(ev: Mapping[str, Any], windows: KeyWindows) -> Row:
    """The audit row of an indexed event (a mapping with the index's event columns)."""
    row: Row = {c: ev[c] for c in COLUMNS if c not in ("time", "check")}
    row["time"] = timestamp_text(int(ev["time"]))
    row["block_number"] = int(ev["block_number"])
    row["log_index"] = int(ev["log_index"])
    row["check"] = check(ev, windows)
    return {c: row[c] for c in COLUMNS}


def leaf_bytes(row: Mapping[str, Any]) -> bytes:
    """What the Merkle tree commits to: the row's facts as canonical JSON (UTF-8)."""
    return canonical_json({c: row[c] for c in FACT_COLUMNS}).encode()


def parse_row(values: Mapping[str, Any], where: str) -> Row:
    """A row read back from an export, typed and canonical; `where` names it in errors."""
    missing = [c for c in COLUMNS if c not in values]
    extra = [c for c in values if c not in COLUMNS]
    if missing or extra:
        raise InvalidInputError(f"{where}: columns {missing or extra} are {'missing' if missing else 'unexpected'}")
    row: Row = {}
    for c in COLUMNS:
        v = values[c]
        if c in INT_COLUMNS:
            try:
                row[c] = int(v)
            except (TypeError, ValueError):
                raise InvalidInputError(f"{where}: {c} is {v!r}, not a number") from None
        elif c == "detail":
            try:
                row[c] = canonical_json(json.loads(v) if isinstance(v, str) else v)
            except (TypeError, ValueError):
                raise InvalidInputError(f"{where}: detail is not JSON") from None
        else:
            if not isinstance(v, str):
                raise InvalidInputError(f"{where}: {c} is {v!r}, not text")
            row[c] = v
    return row
