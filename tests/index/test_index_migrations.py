"""Alembic migrations build exactly the schema the code uses, on SQLite and PostgreSQL; a v1 index is refused."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from notary.index import IndexDatabaseError, open_index
from notary.index.db import _alembic_config, current_revision, head_revision, open_engine
from notary.index.schema import SCHEMA_REVISION, metadata


def test_migrated_schema_equals_the_tables_the_code_uses(db_url: str) -> None:
    """After `open_index`, autogenerate finds no difference, and the revision is the newest."""
    engine = open_index(db_url)
    open_index(db_url)  # a second open is a no-op
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    assert current_revision(engine) == head_revision() == SCHEMA_REVISION == "0003"


def _v1_database(url: str, used: bool) -> None:
    """A database as protocol v1's notary left it: schema revision 0001, with a ledger followed or not."""
    engine = open_engine(url)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
        if used:
            conn.execute(
                text(
                    "INSERT INTO index_state (id, chain_id, registry, ledger, start_block, last_block, last_block_hash)"
                    " VALUES (1, 1, :a, :b, 1, 5, :h)"
                ),
                {"a": "0x" + "11" * 20, "b": "0x" + "22" * 20, "h": "0x" + "33" * 32},
            )
    engine.dispose()


def test_a_protocol_v1_index_is_refused_with_a_clear_message(db_url: str) -> None:
    """A v1 index that followed a ledger cannot be upgraded (other events): opening it says so and what to do."""
    _v1_database(db_url, used=True)
    with pytest.raises(IndexDatabaseError, match="protocol v1") as info:
        open_index(db_url)
    assert info.value.hint is not None and "new database" in info.value.hint
    assert current_revision(open_engine(db_url)) == "0001"  # left untouched


def test_an_empty_v1_schema_is_rebuilt_as_v2(db_url: str) -> None:
    """A v1 schema that never followed a ledger holds nothing to lose: it is migrated to the v2 schema."""
    _v1_database(db_url, used=False)
    engine = open_index(db_url)
    assert current_revision(engine) == head_revision() == "0003"
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
