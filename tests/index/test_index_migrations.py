"""Alembic migrations build exactly the schema the code uses, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from notary.index import open_index
from notary.index.db import current_revision, head_revision
from notary.index.schema import metadata


def test_migrated_schema_equals_the_tables_the_code_uses(db_url: str) -> None:
    """After `open_index`, autogenerate finds no difference, and the revision is the newest."""
    engine = open_index(db_url)
    open_index(db_url)  # a second open is a no-op
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    assert current_revision(engine) == head_revision() == "0001"
