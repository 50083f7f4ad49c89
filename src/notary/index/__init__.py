"""The event index: both contracts' events in SQL (SQLite by default, PostgreSQL by URL).

Public surface:

- `open_index(url)`: an engine on a migrated database (Alembic; the migrations ship here).
  Schema 0002 is protocol v2's; a database a protocol v1 notary filled is refused with
  `IndexDatabaseError` (a v1 ledger's events cannot become a v2 index: index afresh);
- `default_url(data_dir, chain_id)`: the SQLite file used when no URL is configured;
- `Indexer(reader, engine, range_size=…, confirmations=…)`: `run_once()` indexes every
  final block not yet indexed (bounded ranges, checkpoint, reorg rollback); `follow(stop)`
  keeps doing so until a `threading.Event` is set (the API's background task);
- `IndexReader(engine)`: the state, `is_current(head)`, records (each its latest
  notarisation, with state and superseding record), attestations (voided ones marked),
  parties (with pending controller changes), keys (with back-dated revocations awaiting
  the depositary), key history, the registry's delays, and events streamed for exports.

`reader` is a `notary.chain.events.EventReader` over a connected chain and deployment.
"""

from __future__ import annotations

from sqlalchemy import Engine

from notary.index.db import IndexDatabaseError, default_url, migrate, open_engine
from notary.index.ingest import Indexer, IndexReport, IndexState
from notary.index.queries import EventFilter, IndexReader

__all__ = [
    "EventFilter",
    "IndexDatabaseError",
    "IndexReader",
    "IndexReport",
    "IndexState",
    "Indexer",
    "default_url",
    "open_index",
]


def open_index(url: str) -> Engine:
    """Open the index database at `url` and migrate it to the newest schema."""
    engine = open_engine(url)
    migrate(engine)
    return engine
