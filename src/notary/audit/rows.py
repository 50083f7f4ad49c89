"""Audit rows: one per event, in one canonical form for every export format.

A row holds the event's facts (name, block number and hash, transaction hash, log index,
time, record, digest, kind, party, signer, intent, reason, the remaining arguments as
canonical JSON in `detail`, among them each signed act's deadline and signature) and
`check`: the off-chain re-check of the act, judged against the chain as known at the
export's last block. The facts are what the Merkle tree commits to (`leaf_bytes`);
`check` is an opinion as of that block (a key declared compromised later changes it), so
it is left out of the tree and re-derived by `notary audit verify` instead.

The check of a signed act (`ActRecorded`, `BatchAnchored`), in numbered steps:

1. The signature, from the event alone: the signed payload rebuilt from the event (and the
   record's terms from its latest `RecordNotarised` before it) must recover to the recorded
   signer under the contract's strict ECDSA rules (`notary.index.normalise`). An EIP-1271
   contract signer is `unchecked` (only the chain can ask the contract).
2. The payload's deadline must not have passed when the act was recorded.
3. An act that the ledger voided (an `ActVoided` up to the last block) is `voided`, with why.
4. The key must have been authorised for the party at the act's time, per the registry's
   `SignerAdded` / `SignerRevoked` events up to the last block (`isAuthorisedAt`).

An `ActVoided` row's check says why its act is void (its key's window at the act's time).

Check values: `n/a` (the event carries no signature), `valid`, `voided: …`, `invalid: …`,
`unchecked: …`.
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


class Voids:
    """The acts the ledger voided up to some block: (record, party, intent, signer, act time) →
    where and when each `ActVoided` was emitted."""

    def __init__(self) -> None:
        self._voids: dict[tuple[str, str, str, str, int], list[tuple[int, int, int]]] = {}

    def add(self, ev: Mapping[str, Any]) -> None:
        if ev["event"] != "ActVoided":
            return
        d = _detail(ev)
        key = (ev["record"], ev["party"], ev["intent"], str(ev["signer"]).lower(), int(d["actTime"]))
        self._voids.setdefault(key, []).append((int(ev["block_number"]), int(ev["log_index"]), int(d["time"])))

    def voided_at(self, ev: Mapping[str, Any], time: int) -> int | None:
        """When the ActRecorded `ev` (recorded at `time`) was voided; None if it stands."""
        key = (ev["record"], ev["party"], ev["intent"], str(ev["signer"]).lower(), time)
        at = (int(ev["block_number"]), int(ev["log_index"]))
        for block, log, when in self._voids.get(key, ()):
            if (block, log) > at:
                return when
        return None


def _detail(ev: Mapping[str, Any]) -> dict[str, Any]:
    d = ev["detail"]
    return d if isinstance(d, dict) else json.loads(d)


def check(ev: Mapping[str, Any], windows: KeyWindows, voids: Voids | None = None) -> str:
    """Re-check one event off chain (see the numbered steps above)."""
    if ev["event"] == "ActVoided":
        d = _detail(ev)
        verdict = windows.judge(ev["party"], ev["signer"], int(d["actTime"]))
        if verdict == "valid":
            return "invalid: the voided act's key was authorised at its time, as the registry's events say"
        return "voided: " + verdict.removeprefix("invalid: ")
    if ev["event"] not in SIGNED_EVENTS:
        return "n/a"
    if ev["recovery_note"]:  # step 1
        return str(ev["recovery_note"])
    if str(ev["recovered"]).lower() != str(ev["signer"]).lower():
        return f"invalid: the signature recovers to {ev['recovered'] or 'nothing'}, not the recorded signer"
    d = _detail(ev)
    time = int(d.get("time", ev["time"]))
    deadline = int(d.get("deadline", 0))
    if deadline < time:  # step 2
        return f"invalid: the signed payload expired at {deadline}, before it was recorded at {time}"
    verdict = windows.judge(ev["party"], ev["signer"], time)
    if ev["event"] == "ActRecorded" and voids is not None:  # step 3
        when = voids.voided_at(ev, time)
        if when is not None:
            why = verdict.removeprefix("invalid: ") if verdict != "valid" else "its key was not authorised"
            return f"voided at {when}: {why}"
    if verdict != "valid" and ev["event"] == "ActRecorded":  # step 4
        return f"{verdict}; not voided on chain yet (anyone may void it)"
    return verdict


def to_row(ev: Mapping[str, Any], windows: KeyWindows, voids: Voids | None = None) -> Row:
    """The audit row of an indexed event (a mapping with the index's event columns)."""
    row: Row = {c: ev[c] for c in COLUMNS if c not in ("time", "check")}
    row["time"] = timestamp_text(int(ev["time"]))
    row["block_number"] = int(ev["block_number"])
    row["log_index"] = int(ev["log_index"])
    row["check"] = check(ev, windows, voids)
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
