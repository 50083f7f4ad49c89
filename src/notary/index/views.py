"""Derived views: apply each event to the record, attestation, party and key tables.

`apply` runs inside the transaction that inserts the event, so the views never lag the
events. `rebuild` replays the surviving events of the records and parties touched by a
rollback (reorganisation), so orphaned rows leave no trace in the views either.

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
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, delete, or_, select, update

from notary.codes import bytes32_to_text
from notary.index import schema as s
from notary.index.normalise import Event, record_info, terms_json

_CHUNK = 500
_ZERO32 = "0x" + "00" * 32
_NO_PENDING = {"pending_controller": "", "pending_effective_at": "0", "pending_by_depositary": False}


def apply(conn: Connection, ev: Event) -> None:
    """Bring the derived tables up to date with one event (called in chain order)."""
    d: dict[str, Any] = json.loads(ev.detail)
    if ev.contract == "ledger":
        _ledger(conn, ev, d)
    else:
        _registry(conn, ev, d)


def _ledger(conn: Connection, ev: Event, d: dict[str, Any]) -> None:
    name = ev.event
    r = s.records.c
    if name == "RecordNotarised":
        _notarised(conn, ev, d)
        return
    if name == "BatchAnchored" or not ev.record:
        return
    if name == "ActRecorded":
        conn.execute(
            s.attestations.insert().values(
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
        )
    elif name == "ActVoided":
        a = s.attestations.c
        target = conn.execute(
            select(a.block_number, a.log_index)
            .where(
                a.record_id == ev.record,
                a.party == ev.party,
                a.intent == ev.intent,
                a.signer == ev.signer,
                a.time == int(d["actTime"]),
                a.voided.is_(False),
            )
            .order_by(a.block_number.desc(), a.log_index.desc())
            .limit(1)
        ).first()
        if target is not None:
            conn.execute(
                update(s.attestations)
                .where(a.block_number == target[0], a.log_index == target[1])
                .values(voided=True, voided_at=int(d.get("time", ev.time)))
            )
    changes: dict[str, Any] = {}
    if name == "StatusChanged":
        changes = {"status": d["current"], "updated_at": int(d.get("time", ev.time))}
    elif name == "SupersededByChanged":
        new_id = str(d.get("newId", _ZERO32))
        changes = {"superseded_by": "" if new_id == _ZERO32 else new_id}
    if changes:
        conn.execute(update(s.records).where(r.record_id == ev.record).values(**changes))


def _notarised(conn: Connection, ev: Event, d: dict[str, Any]) -> None:
    """A record's (first or renewed) notarisation: its terms; the acts of an older one leave the view."""
    info = record_info(ev)
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
    r = s.records.c
    before = conn.execute(select(r.notarisations).where(r.record_id == ev.record)).scalar()
    if before is None:
        conn.execute(
            s.records.insert().values(
                record_id=ev.record,
                status="none",
                superseded_by="",
                notarisations=1,
                block_number=ev.block_number,
                log_index=ev.log_index,
                **values,
            )
        )
        return
    # Notarised again after a void. `superseded_by` stays: the ledger keeps its stored value.
    conn.execute(update(s.records).where(r.record_id == ev.record).values(notarisations=before + 1, **values))
    conn.execute(delete(s.attestations).where(s.attestations.c.record_id == ev.record))


def _registry(conn: Connection, ev: Event, d: dict[str, Any]) -> None:
    name = ev.event
    p, k = s.parties.c, s.signer_keys.c
    party = update(s.parties).where(p.code == ev.party)
    key = update(s.signer_keys).where(k.party == ev.party, k.key == ev.signer)
    if name == "PartyRegistered":
        conn.execute(
            s.parties.insert().values(
                code=ev.party,
                name=d.get("name", ""),
                controller=d.get("controller", ""),
                suspended=False,
                registered_at=int(d.get("time", ev.time)),
                **_NO_PENDING,
            )
        )
    elif name in ("PartySuspended", "PartyReinstated"):
        conn.execute(party.values(suspended=name == "PartySuspended"))
    elif name == "ControllerChanged":
        conn.execute(party.values(controller=d["newController"], **_NO_PENDING))
    elif name == "ControlTransferStarted":
        conn.execute(
            party.values(pending_controller=d["newController"], pending_effective_at="0", pending_by_depositary=False)
        )
    elif name == "ControllerResetScheduled":
        conn.execute(
            party.values(
                pending_controller=d["newController"],
                pending_effective_at=str(d["effectiveAt"]),
                pending_by_depositary=True,
            )
        )
    elif name == "ControllerResetCancelled":
        conn.execute(party.values(**_NO_PENDING))
    elif name == "SignerAdded":
        conn.execute(
            s.signer_keys.insert().values(
                party=ev.party,
                key=ev.signer,
                valid_from=str(d["validFrom"]),
                valid_until=str(d["validUntil"]),
                revoked_at="0",
                pending_revocation="0",
                added_at=int(d.get("time", ev.time)),
            )
        )
    elif name == "SignerRevoked":
        conn.execute(key.values(revoked_at=str(d["effectiveAt"])))
    elif name == "BackdatedRevocationRequested":
        conn.execute(key.values(pending_revocation=str(d["requestedAt"])))
    elif name == "BackdatedRevocationConfirmed":
        conn.execute(key.values(pending_revocation="0"))


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
    for row in conn.execute(query).mappings().all():
        apply(conn, Event(**dict(row)))
