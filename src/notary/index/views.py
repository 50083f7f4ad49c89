"""Derived views: apply each event to the record, attestation, party and key tables.

`apply` runs inside the transaction that inserts the event, so the views never lag the
events. `rebuild` replays the surviving events of the records and parties touched by a
rollback (reorganisation), so orphaned rows leave no trace in the views either.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, delete, or_, select, update

from notary.index import schema as s
from notary.index.normalise import Event

_CHUNK = 500


def apply(conn: Connection, ev: Event) -> None:
    """Bring the derived tables up to date with one event (called in chain order)."""
    d: dict[str, Any] = json.loads(ev.detail)
    name = ev.event
    if name == "RecordNotarised":
        conn.execute(
            s.records.insert().values(
                record_id=ev.record,
                digest=ev.digest,
                submitter=ev.party,
                kind=ev.kind,
                hash_algorithm=d.get("hashAlgorithm", ""),
                parties=json.dumps(d.get("parties", [])),
                quorum=int(d.get("quorum", 0)),
                supersedes="" if d.get("supersedes", "0x" + "00" * 32) == "0x" + "00" * 32 else d["supersedes"],
                metadata_hash=d.get("metadataHash", ""),
                ratification_required=bool(d.get("ratificationRequired", False)),
                status="none",
                created_at=ev.time,
                updated_at=ev.time,
                block_number=ev.block_number,
            )
        )
    elif name == "StatusChanged":
        conn.execute(
            update(s.records)
            .where(s.records.c.record_id == ev.record)
            .values(status=d["current"], updated_at=int(d.get("time", ev.time)))
        )
    elif name == "ActRecorded":
        key = (s.attestations.c.record_id == ev.record, s.attestations.c.party == ev.party)
        conn.execute(delete(s.attestations).where(*key, s.attestations.c.intent == ev.intent))
        conn.execute(
            s.attestations.insert().values(
                record_id=ev.record,
                party=ev.party,
                intent=ev.intent,
                signer=ev.signer,
                reason=ev.reason,
                time=int(d.get("time", ev.time)),
                block_number=ev.block_number,
                log_index=ev.log_index,
                tx_hash=ev.tx_hash,
            )
        )
    elif name == "PartyRegistered":
        conn.execute(
            s.parties.insert().values(
                code=ev.party,
                name=d.get("name", ""),
                controller=d.get("controller", ""),
                suspended=False,
                registered_at=int(d.get("time", ev.time)),
            )
        )
    elif name in ("PartySuspended", "PartyReinstated"):
        suspended = name == "PartySuspended"
        conn.execute(update(s.parties).where(s.parties.c.code == ev.party).values(suspended=suspended))
    elif name == "ControllerChanged":
        conn.execute(update(s.parties).where(s.parties.c.code == ev.party).values(controller=d["newController"]))
    elif name == "SignerAdded":
        conn.execute(
            s.signer_keys.insert().values(
                party=ev.party,
                key=ev.signer,
                valid_from=str(d["validFrom"]),
                valid_until=str(d["validUntil"]),
                revoked_at="0",
                added_at=int(d.get("time", ev.time)),
            )
        )
    elif name == "SignerRevoked":
        conn.execute(
            update(s.signer_keys)
            .where(s.signer_keys.c.party == ev.party, s.signer_keys.c.key == ev.signer)
            .values(revoked_at=str(d["effectiveAt"]))
        )


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
    conditions: list[Any] = [s.events.c.record.in_(c) for c in _chunks(record_ids)]
    conditions += [(s.events.c.contract == "registry") & s.events.c.party.in_(c) for c in _chunks(party_codes)]
    if not conditions:
        return
    query = select(s.events).where(or_(*conditions)).order_by(s.events.c.block_number, s.events.c.log_index)
    for row in conn.execute(query).mappings().all():
        apply(conn, Event(**dict(row)))
