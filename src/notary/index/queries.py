"""Read the index: its state and the derived views, by digest, party, kind and time.

This is what the API reads when the index is present and current (`IndexReader.is_current`),
and what `notary index` prints. Every answer can be re-derived from the chain's events.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select, text

from notary.index import schema as s
from notary.index.ingest import IndexState


@dataclass(frozen=True)
class EventFilter:
    """Which events to read: all given conditions must hold (times are UNIX seconds, `until` exclusive)."""

    party: str | None = None
    kind: str | None = None
    digest: str | None = None
    event: str | None = None
    since: int | None = None
    until: int | None = None
    from_block: int | None = None
    to_block: int | None = None

    @classmethod
    def from_text(
        cls,
        *,
        party: str | None = None,
        kind: str | None = None,
        digest: str | None = None,
        since: str | None = None,
        until: str | None = None,
        from_block: int | None = None,
        to_block: int | None = None,
    ) -> EventFilter:
        """A filter from what a person typed (CLI flags, query parameters): codes upper-cased,
        digests without 0x, times as ISO 8601, UNIX seconds or offsets."""
        from notary.timeparse import parse_time

        return cls(
            party=party.strip().upper() if party else None,
            kind=kind,
            digest=digest.lower().removeprefix("0x") if digest else None,
            since=parse_time(since) if since else None,
            until=parse_time(until) if until else None,
            from_block=from_block,
            to_block=to_block,
        )

    def where(self) -> Any:
        e = s.events.c
        conds = []
        if self.party:
            conds.append(e.party == self.party)
        if self.kind:
            conds.append(e.kind == self.kind)
        if self.digest:
            conds.append(e.digest == self.digest.lower().removeprefix("0x"))
        if self.event:
            conds.append(e.event == self.event)
        if self.since is not None:
            conds.append(e.time >= self.since)
        if self.until is not None:
            conds.append(e.time < self.until)
        if self.from_block is not None:
            conds.append(e.block_number >= self.from_block)
        if self.to_block is not None:
            conds.append(e.block_number <= self.to_block)
        return and_(True, *conds)

    def matches(self, ev: Any) -> bool:
        """The same conditions in Python, on an event mapping (for re-deriving an export from the chain)."""
        checks = (
            (self.party, lambda: ev["party"] == self.party),
            (self.kind, lambda: ev["kind"] == self.kind),
            (self.digest, lambda: ev["digest"] == (self.digest or "").lower().removeprefix("0x")),
            (self.event, lambda: ev["event"] == self.event),
            (self.since is not None, lambda: ev["time"] >= (self.since or 0)),
            (self.until is not None, lambda: ev["time"] < (self.until or 0)),
            (self.from_block is not None, lambda: ev["block_number"] >= (self.from_block or 0)),
            (self.to_block is not None, lambda: ev["block_number"] <= (self.to_block or 0)),
        )
        return all(test() for given, test in checks if given)

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


class IndexReader:
    """Read-only access to an index database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def state(self) -> IndexState | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(s.index_state).where(s.index_state.c.id == 1)).mappings().first()
        return IndexState(**{k: v for k, v in row.items() if k != "id"}) if row else None

    def snapshot(self) -> tuple[IndexState | None, tuple[int, ...]]:
        """The state, and a stamp of the published documents that changes whenever a batch or an
        instrument is published (complete batches: count, newest id and time; instruments: count and
        newest time), in one query: what an answer kept for a block must still match. (One
        statement written once: building it with the expression API cost ten times the query.)"""
        with self.engine.connect() as conn:
            row = conn.execute(_SNAPSHOT).first()
        if row is None:
            return None, ()
        state = IndexState(*row[:6])
        return state, tuple(int(x) for x in row[6:])

    def is_current(self, head: int, max_lag: int = 2) -> bool:
        """True when the index has reached `head - max_lag` (the API's test before trusting it)."""
        state = self.state()
        return state is not None and state.last_block >= head - max_lag

    def block_hash(self, number: int) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(s.blocks.c.hash).where(s.blocks.c.number == number)).scalar()

    def block_times(self, numbers: Iterable[int]) -> dict[int, int]:
        """The times of those of `numbers` whose blocks the index stores (blocks with an event, range
        ends, and the block before each revocation)."""
        wanted = sorted(set(numbers))
        if not wanted:
            return {}
        b = s.blocks.c
        with self.engine.connect() as conn:
            return {int(n): int(t) for n, t in conn.execute(select(b.number, b.timestamp).where(b.number.in_(wanted)))}

    def count(self, flt: EventFilter | None = None) -> int:
        with self.engine.connect() as conn:
            query = select(func.count()).select_from(s.events).where((flt or EventFilter()).where())
            return int(conn.execute(query).scalar_one())

    def iter_events(self, flt: EventFilter | None = None, batch: int = 2000) -> Iterator[dict[str, Any]]:
        """Matching events in chain order, streamed from the server (memory stays flat)."""
        query = (
            select(s.events)
            .where((flt or EventFilter()).where())
            .order_by(s.events.c.block_number, s.events.c.log_index)
        )
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
            for row in result.mappings():
                yield dict(row)

    def summary(self, flt: EventFilter | None = None) -> dict[str, dict[str, int]]:
        """Event counts by party and by event name (for the PDF report)."""
        where = (flt or EventFilter()).where()
        out: dict[str, dict[str, int]] = {}
        with self.engine.connect() as conn:
            for column in ("party", "event"):
                col = s.events.c[column]
                rows = conn.execute(select(col, func.count()).where(where).group_by(col).order_by(col))
                out[column] = {str(k or "-"): int(v) for k, v in rows}
        return out

    # ------------------------------------------------------------------ derived views

    def records(
        self,
        *,
        digest: str | None = None,
        record_id: str | None = None,
        party: str | None = None,
        kind: str | None = None,
        status: str | None = None,
        since: int | None = None,
        until: int | None = None,
        limit: int = 1000,
    ) -> list[dict[str, Any]]:
        """Records (their latest notarisation) with their state, in creation order; `party`
        matches the submitter or any required party, `since`/`until` the latest notarisation."""
        r = s.records.c
        conds = []
        if digest:
            conds.append(r.digest == digest.lower().removeprefix("0x"))
        if record_id:
            conds.append(r.record_id == record_id)
        if party:
            conds.append(or_(r.submitter == party, r.parties.like(f'%"{party}"%')))
        if kind:
            conds.append(r.kind == kind)
        if status:
            conds.append(r.status == status)
        if since is not None:
            conds.append(r.created_at >= since)
        if until is not None:
            conds.append(r.created_at < until)
        query = select(s.records).where(and_(True, *conds)).order_by(r.block_number, r.log_index).limit(limit)
        with self.engine.connect() as conn:
            rows = [dict(x) for x in conn.execute(query).mappings()]
        for row in rows:
            row["parties"] = json.loads(row["parties"])
            row["terms"] = json.loads(row["terms"]) if row["terms"] else None
            row["superseded_by"] = row["superseded_by"] or None
        return rows

    def record_link(self, record_id: str) -> dict[str, Any] | None:
        """A record's id, digest, submitter and status (for supersession links); None if unknown."""
        r = s.records.c
        query = select(r.record_id, r.digest, r.submitter, r.status).where(r.record_id == record_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        return dict(row) if row else None

    def superseded_by(self, record_id: str) -> str | None:
        """The ledger's `supersededBy` of `record_id`, as its SupersededByChanged events left it."""
        with self.engine.connect() as conn:
            value = conn.execute(select(s.records.c.superseded_by).where(s.records.c.record_id == record_id)).scalar()
        return value or None

    def attestations(self, record_id: str) -> list[dict[str, Any]]:
        """Every act on the record's latest notarisation in chain order, voided ones marked
        (`voided`, `voided_at`); `deadline` as int."""
        a = s.attestations.c
        query = select(s.attestations).where(a.record_id == record_id).order_by(a.block_number, a.log_index)
        with self.engine.connect() as conn:
            rows = [dict(x) for x in conn.execute(query).mappings()]
        for row in rows:
            row["deadline"] = int(row["deadline"])
            row["voided"] = bool(row["voided"])
        return rows

    def parties(self) -> list[dict[str, Any]]:
        """Every party, with its pending controller change (`pending_controller` "" for none)."""
        with self.engine.connect() as conn:
            rows = [dict(x) for x in conn.execute(select(s.parties).order_by(s.parties.c.code)).mappings()]
        for row in rows:
            row["pending_effective_at"] = int(row["pending_effective_at"])
            row["pending_by_depositary"] = bool(row["pending_by_depositary"])
        return rows

    def party(self, code: str) -> dict[str, Any] | None:
        """One party as `parties()` gives it, or None if the index has no such party."""
        with self.engine.connect() as conn:
            row = conn.execute(select(s.parties).where(s.parties.c.code == code)).mappings().first()
        if row is None:
            return None
        out = dict(row)
        out["pending_effective_at"] = int(out["pending_effective_at"])
        out["pending_by_depositary"] = bool(out["pending_by_depositary"])
        return out

    def keys(self, party: str) -> list[dict[str, Any]]:
        """The current window of every key of `party` and any back-dated revocation awaiting the
        depositary (`pending_revocation`, 0 for none); uint64 values as int."""
        k = s.signer_keys.c
        with self.engine.connect() as conn:
            query = select(s.signer_keys).where(k.party == party).order_by(k.added_at, k.key)
            rows = [dict(x) for x in conn.execute(query).mappings()]
        for row in rows:
            for col in ("valid_from", "valid_until", "revoked_at", "pending_revocation"):
                row[col] = int(row[col])
        return rows

    def key_history(self, party: str) -> list[dict[str, Any]]:
        """Every key event of `party` (SignerAdded, SignerRevoked, BackdatedRevocationRequested,
        BackdatedRevocationConfirmed), in chain order."""
        e = s.events.c
        query = (
            select(s.events)
            .where(e.contract == "registry", e.party == party, e.event.in_(KEY_EVENTS))
            .order_by(e.block_number, e.log_index)
        )
        with self.engine.connect() as conn:
            rows = [dict(x) for x in conn.execute(query).mappings()]
        for row in rows:
            row["detail"] = json.loads(row["detail"])
        return rows

    def delays(self, now: int | None = None) -> dict[str, Any]:
        """The registry's repudiation window and controller-reset delay (seconds) in force at
        chain time `now` (default: the checkpoint block's time), and any change still pending,
        folded from its DelaysChanged events as `IdentityRegistry` applies them: new delays
        take effect at the event's `effectiveAt`, and a later change replaces a pending one.
        Before any change, the contract's defaults (72 h each)."""
        e = s.events.c
        query = (
            select(e.detail, e.time)
            .where(e.contract == "registry", e.event == "DelaysChanged")
            .order_by(e.block_number, e.log_index)
        )
        with self.engine.connect() as conn:
            changes = [(json.loads(d), int(t)) for d, t in conn.execute(query)]
            if now is None:
                checkpoint = select(s.index_state.c.last_block).where(s.index_state.c.id == 1).scalar_subquery()
                now = conn.execute(select(s.blocks.c.timestamp).where(s.blocks.c.number == checkpoint)).scalar()
        in_force = (DEFAULT_DELAY, DEFAULT_DELAY)
        pending: tuple[int, int, int] | None = None
        for d, time in changes:
            if pending is not None and time >= pending[2]:
                in_force = pending[:2]
            new = (int(d["repudiationWindow"]), int(d["controllerResetDelay"]))
            pending = (*new, int(d.get("effectiveAt", time)))
        if pending is not None and now is not None and now >= pending[2]:
            in_force, pending = pending[:2], None
        return {
            "repudiation_window": in_force[0],
            "controller_reset_delay": in_force[1],
            "pending": None
            if pending is None
            else {"repudiation_window": pending[0], "controller_reset_delay": pending[1], "effective_at": pending[2]},
        }


_SNAPSHOT = text(
    "SELECT s.chain_id, s.registry, s.ledger, s.start_block, s.last_block, s.last_block_hash,"
    " (SELECT count(*) FROM published_batches WHERE complete),"
    " (SELECT coalesce(max(id), 0) FROM published_batches WHERE complete),"
    " (SELECT coalesce(max(published_at), 0) FROM published_batches WHERE complete),"
    " (SELECT count(*) FROM published_instruments),"
    " (SELECT coalesce(max(published_at), 0) FROM published_instruments)"
    " FROM index_state s WHERE s.id = 1"
)

#: The registry's key events, in the order a key's history shows them.
KEY_EVENTS = ("SignerAdded", "SignerRevoked", "BackdatedRevocationRequested", "BackdatedRevocationConfirmed")
#: `IdentityRegistry`'s repudiation window and controller-reset delay until the depositary changes them.
DEFAULT_DELAY = 72 * 3600
