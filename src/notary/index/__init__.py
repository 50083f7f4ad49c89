"""The event index: both contracts' events in SQL (SQLite by default, PostgreSQL by URL).

Public surface:

- `open_index(url)`: an engine on a migrated database (Alembic; the migrations ship here);
- `default_url(data_dir, chain_id)`: the SQLite file used when no URL is configured;
- `Indexer(reader, engine, range_size=…, confirmations=…)`: `run_once()` indexes every
  final block not yet indexed (bounded ranges, checkpoint, reorg rollback); `follow(stop)`
  keeps doing so until a `threading.Event` is set (the API's background task);
- `IndexReader(engine)`: the state, `is_current(head)`, records, attestations, parties,
  keys and key history by digest, party, kind and time, and events streamed for exports.

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
