"""Derived views: apply each event to the record, attestation, party and key tables.

`apply(conn, events, infos)` brings the views up to date with one range's events, inside the
transaction that inserts them, so the views never lag the events. It reads the rows the
range touches once (a few `IN` queries), applies the events to them in memory in chain
order, and writes the changed rows back in bulk: a range costs a handful of statements,
not several per event. `rebuild` replays the surviving events of the records and parties
touched by a rollback (reorganisation), so orphaned rows leave no trace in the views either.

The views follow the contracts' own state (protocol v2):

- a record is its *latest* notarisation: a record notarised again after a void takes the
  new `RecordNotarised`'s terms, and only the acts after it (the older ones stay in
  `events`); `superseded_by` is the ledger's `supersededBy`, as `SupersededByChanged` sets it;
  `updated_at` the time of its latest status change (the ledger's `updatedAt`);
- an act named by `ActVoided` is marked voided (it no longer counts); the party's act
  recorded after it is a new row;
- a party's pending controller change and a key's back-dated revocation awaiting the
  depositary are kept until the event that settles them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, delete, or_, select

from notary.codes import bytes32_to_text
from notary.index import schema as s
from notary.index.db import bulk_insert
from notary.index.normalise import Event, RecordInfo, record_info, terms_json

_CHUNK = 500
_ZERO32 = "0x" + "00" * 32
_NO_PENDING = {"pending_controller": "", "pending_effective_at": "0", "pending_by_depositary": False}

Row = dict[str, Any]


def apply(conn: Connection, events: Sequence[Event], infos: Mapping[str, RecordInfo] | None = None) -> None:
    """Bring the derived tables up to date with `events` (one range, in chain order).

    `infos` may give the `RecordInfo` of RecordNotarised events already computed (by block
    and log index as `"{block}:{log}"`), so terms are rebuilt and hashed once per event.
    """
    if events:
        _Views(conn, events, infos or {}).run()


def _in_chunks(conn: Connection, table: Table, column: str, values: Iterable[str]) -> list[Row]:
    out: list[Row] = []
    for chunk in _chunks(set(values)):
        out += [dict(r) for r in conn.execute(select(table).where(table.c[column].in_(chunk))).mappings()]
    return out


class _Views:
    """The view rows one range touches: read once, changed in memory, written back once."""

    def __init__(self, conn: Connection, events: Sequence[Event], infos: Mapping[str, RecordInfo]) -> None:
        self.conn, self.events, self.infos = conn, events, infos
        ledger = [ev for ev in events if ev.contract == "ledger" and ev.record and ev.event != "BatchAnchored"]
        codes = {ev.party for ev in events if ev.contract == "registry"}
        self.records = {r["record_id"]: r for r in _in_chunks(conn, s.records, "record_id", {e.record for e in ledger})}
        # Records whose earlier acts this range may change (a void, a renewed notarisation) own
        # their attestation rows here: read now, written back whole. Other acts are appended.
        owning = {e.record for e in ledger if e.event == "ActVoided"}
        owning |= {e.record for e in ledger if e.event == "RecordNotarised" and e.record in self.records}
        self.acts: dict[str, list[Row]] = {rid: [] for rid in owning}
        for row in _in_chunks(conn, s.attestations, "record_id", owning):
            self.acts[row["record_id"]].append(row)
        for rows in self.acts.values():
            rows.sort(key=lambda r: (r["block_number"], r["log_index"]))
        self.appended: list[Row] = []
        self.parties = {p["code"]: p for p in _in_chunks(conn, s.parties, "code", codes)}
        self.keys = {(k["party"], k["key"]): k for k in _in_chunks(conn, s.signer_keys, "party", codes)}
        self.dirty_records: set[str] = set()
        self.dirty_parties: set[str] = set()
        self.dirty_key_parties: set[str] = set()

    def run(self) -> None:
        for ev in self.events:
            d: dict[str, Any] = json.loads(ev.detail)
            if ev.contract == "ledger":
                self._ledger(ev, d)
            else:
                self._registry(ev, d)
        self._write()

    # ------------------------------------------------------------------ ledger

    def _ledger(self, ev: Event, d: dict[str, Any]) -> None:
        name = ev.event
        if name == "RecordNotarised":
            self._notarised(ev, d)
            return
        if name == "BatchAnchored" or not ev.record:
            return
        if name == "ActRecorded":
            row = dict(
                block_number=ev.block_number,
                log_index=ev.log_index,
                record_id=ev.record,
                party=ev.party,
                intent=ev.intent,
                signer=ev.signer,
                reason=ev.reason,
                time=int(d.get("time", ev.time)),
                deadline=str(d.get("deadline", 0)),
                signature=str(d.get("signature", "0x")),
                tx_hash=ev.tx_hash,
                voided=False,
                voided_at=0,
            )
            self.acts.get(ev.record, self.appended).append(row)
        elif name == "ActVoided":
            act_time = int(d["actTime"])
            for row in reversed(self.acts[ev.record]):  # the latest matching act still counting
                if (row["party"], row["intent"], row["signer"], row["time"], row["voided"]) == (
                    ev.party, ev.intent, ev.signer, act_time, False,
                ):  # fmt: skip
                    row.update(voided=True, voided_at=int(d.get("time", ev.time)))
                    break
        record = self.records.get(ev.record)
        if record is None:
            return
        if name == "StatusChanged":
            record.update(status=d["current"], updated_at=int(d.get("time", ev.time)))
            self.dirty_records.add(ev.record)
        elif name == "SupersededByChanged":
            new_id = str(d.get("newId", _ZERO32))
            record["superseded_by"] = "" if new_id == _ZERO32 else new_id
            self.dirty_records.add(ev.record)

    def _notarised(self, ev: Event, d: dict[str, Any]) -> None:
        """A record's (first or renewed) notarisation: its terms; the acts of an older one leave the view."""
        info = self.infos.get(f"{ev.block_number}:{ev.log_index}") or record_info(ev)
        t = info.terms
        supersedes = str(d.get("supersedes", _ZERO32))
        # Codes as the gateway shows them (text); exact values are in `terms`.
        algorithm = bytes32_to_text(t.hash_algorithm) if t else str(d.get("hashAlgorithm", ""))[:32]
        parties = [bytes32_to_text(x) for x in t.parties] if t else list(d.get("parties", []))
        values = dict(
            digest=ev.digest,
            submitter=ev.party,
            kind=ev.kind,
            hash_algorithm=algorithm,
            parties=json.dumps(parties),
            quorum=int(d.get("quorum", 0)),
            supersedes="" if supersedes == _ZERO32 else supersedes,
            metadata_hash=str(d.get("metadataHash", "")),
            ratification_required=bool(d.get("ratificationRequired", False)),
            terms=terms_json(info.terms),
            terms_hash=str(d.get("termsHash", "")),
            created_at=ev.time,
            updated_at=ev.time,
            notarised_block=ev.block_number,
            notarised_log_index=ev.log_index,
        )
        self.dirty_records.add(ev.record)
        before = self.records.get(ev.record)
        if before is None:
            self.records[ev.record] = dict(
                record_id=ev.record,
                status="none",
                superseded_by="",
                notarisations=1,
                block_number=ev.block_number,
                log_index=ev.log_index,
                **values,
            )
        else:
            # Notarised again after a void. `superseded_by` stays: the ledger keeps its stored value.
            before.update(notarisations=before["notarisations"] + 1, **values)
        self.acts[ev.record] = []  # the acts of an earlier notarisation leave the view

    # ------------------------------------------------------------------ registry

    def _registry(self, ev: Event, d: dict[str, Any]) -> None:
        name = ev.event
        party = self.parties.get(ev.party)
        key = self.keys.get((ev.party, ev.signer))
        if name == "PartyRegistered":
            self.parties[ev.party] = party = dict(
                code=ev.party,
                name=d.get("name", ""),
                controller=d.get("controller", ""),
                suspended=False,
                registered_at=int(d.get("time", ev.time)),
                **_NO_PENDING,
            )
        elif name == "SignerAdded":
            self.keys[(ev.party, ev.signer)] = dict(
                party=ev.party,
                key=ev.signer,
                valid_from=str(d["validFrom"]),
                valid_until=str(d["validUntil"]),
                revoked_at="0",
                pending_revocation="0",
                added_at=int(d.get("time", ev.time)),
            )
            self.dirty_key_parties.add(ev.party)
            return
        changes = _party_changes(name, d)
        if changes and party is not None:
            party.update(changes)
        key_changes = _key_changes(name, d)
        if key_changes and key is not None:
            key.update(key_changes)
            self.dirty_key_parties.add(ev.party)
        if party is not None:
            self.dirty_parties.add(ev.party)

    # ------------------------------------------------------------------ writing back

    def _write(self) -> None:
        owned = set(self.acts)
        self._replace(s.records, "record_id", self.dirty_records, [self.records[r] for r in self.dirty_records])
        acts = [row for rows in self.acts.values() for row in rows] + self.appended
        self._replace(s.attestations, "record_id", owned, acts)
        self._replace(s.parties, "code", self.dirty_parties, [self.parties[c] for c in self.dirty_parties])
        keys = [k for (party, _), k in self.keys.items() if party in self.dirty_key_parties]
        self._replace(s.signer_keys, "party", self.dirty_key_parties, keys)

    def _replace(self, table: Table, column: str, replaced: set[str], rows: list[Row]) -> None:
        """Delete the rows whose `column` is in `replaced`, then insert `rows` (one statement each)."""
        for chunk in _chunks(replaced):
            self.conn.execute(delete(table).where(table.c[column].in_(chunk)))
        bulk_insert(self.conn, table, rows)


def _party_changes(name: str, d: dict[str, Any]) -> dict[str, Any]:
    if name in ("PartySuspended", "PartyReinstated"):
        return {"suspended": name == "PartySuspended"}
    if name == "ControllerChanged":
        return {"controller": d["newController"], **_NO_PENDING}
    if name == "ControlTransferStarted":
        return {"pending_controller": d["newController"], "pending_effective_at": "0", "pending_by_depositary": False}
    if name == "ControllerResetScheduled":
        return {
            "pending_controller": d["newController"],
            "pending_effective_at": str(d["effectiveAt"]),
            "pending_by_depositary": True,
        }
    if name == "ControllerResetCancelled":
        return dict(_NO_PENDING)
    return {}


def _key_changes(name: str, d: dict[str, Any]) -> dict[str, Any]:
    if name == "SignerRevoked":
        return {"revoked_at": str(d["effectiveAt"])}
    if name == "BackdatedRevocationRequested":
        return {"pending_revocation": str(d["requestedAt"])}
    if name == "BackdatedRevocationConfirmed":
        return {"pending_revocation": "0"}
    return {}


def touched(events: Iterable[Event]) -> tuple[set[str], set[str]]:
    """The record ids and party codes whose views the given events changed."""
    record_ids: set[str] = set()
    party_codes: set[str] = set()
    for ev in events:
        if ev.contract == "ledger" and ev.record and ev.event != "BatchAnchored":
            record_ids.add(ev.record)
        elif ev.contract == "registry" and ev.party:
            party_codes.add(ev.party)
    return record_ids, party_codes


def _chunks(values: set[str]) -> Iterable[list[str]]:
    ordered = sorted(values)
    for i in range(0, len(ordered), _CHUNK):
        yield ordered[i : i + _CHUNK]


def rebuild(conn: Connection, record_ids: set[str], party_codes: set[str]) -> None:
    """Recompute the views of these records and parties from the events that remain."""
    for chunk in _chunks(record_ids):
        conn.execute(delete(s.records).where(s.records.c.record_id.in_(chunk)))
        conn.execute(delete(s.attestations).where(s.attestations.c.record_id.in_(chunk)))
    for chunk in _chunks(party_codes):
        conn.execute(delete(s.parties).where(s.parties.c.code.in_(chunk)))
        conn.execute(delete(s.signer_keys).where(s.signer_keys.c.party.in_(chunk)))
    conditions: list[Any] = [(s.events.c.contract == "ledger") & s.events.c.record.in_(c) for c in _chunks(record_ids)]
    conditions += [(s.events.c.contract == "registry") & s.events.c.party.in_(c) for c in _chunks(party_codes)]
    if not conditions:
        return
    query = select(s.events).where(or_(*conditions)).order_by(s.events.c.block_number, s.events.c.log_index)
    apply(conn, [Event(**dict(row)) for row in conn.execute(query).mappings().all()])
