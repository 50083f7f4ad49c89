"""Open the index database and bring its schema up to date with Alembic.

An SQLite file under the data directory by default (nothing to start); PostgreSQL by URL
(`postgresql://user:pass@host/db`, driven by psycopg 3) when several API instances
share one index. The migrations ship inside the package, so installed copies migrate.

A database filled by protocol v1's notary (schema revision 0001 with a ledger followed) is
refused with a clear message: its events are a v1 ledger's, so it cannot become a v2 index.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect

from notary.errors import ConfigError, NotaryError


class IndexDatabaseError(NotaryError, RuntimeError):
    """The index database cannot be opened, migrated, or belongs to another ledger."""

    code = "index-database"


def default_url(data_dir: Path, chain_id: int) -> str:
    """`sqlite:///<data dir>/index/<chain id>.sqlite3`."""
    path = Path(data_dir) / "index" / f"{chain_id}.sqlite3"
    return f"sqlite:///{path}"


def normalise_url(url: str) -> str:
    """Accept `postgresql://…` and `postgres://…` for psycopg 3; pass other URLs through."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def open_engine(url: str) -> Engine:
    """An engine for `url`; an SQLite file's folder is created, and WAL lets readers run beside the indexer."""
    url = normalise_url(url)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = create_engine(url, future=True)
    except Exception as exc:  # unknown dialect, missing driver, malformed URL
        raise ConfigError(f"cannot use index database URL {url!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    cfg.attributes["connection"] = connection
    return cfg


#: The last schema revision of protocol v1: such a database holds a v1 ledger's events.
V1_REVISION = "0001"


def refuse_v1(engine: Engine) -> None:
    """Refuse a database that a protocol v1 notary filled: its events are a v1 ledger's."""
    from sqlalchemy import text

    if current_revision(engine) != V1_REVISION:
        return
    with engine.connect() as connection:
        used = connection.execute(text("SELECT COUNT(*) FROM index_state")).scalar()
    if used:
        raise IndexDatabaseError(
            f"the index database {engine.url.render_as_string(hide_password=True)} was built by notary for "
            "protocol v1 (schema revision 0001); protocol v2 ledgers emit other events, so it cannot be upgraded",
            hint="index the v2 ledger into a new database: delete this one or point --db / NOTARY_INDEX_URL elsewhere",
        )


def migrate(engine: Engine) -> None:
    """Upgrade the schema to the newest revision (a no-op when current); a v1 index is refused."""
    from alembic import command

    try:
        refuse_v1(engine)
        with engine.begin() as connection:
            command.upgrade(_alembic_config(connection), "head")
    except NotaryError:
        raise
    except Exception as exc:
        raise IndexDatabaseError(
            f"cannot migrate the index database {engine.url.render_as_string(hide_password=True)}: {exc}",
            hint="check the URL and that the database server runs; NOTARY_INDEX_URL selects the database",
        ) from exc


def current_revision(engine: Engine) -> str | None:
    """The schema revision stamped in the database (None: not migrated yet)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        rev = MigrationContext.configure(connection).get_current_revision()
        return str(rev) if rev is not None else None


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(None))
    return str(script.get_current_head())


def bulk_insert(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with every column) in one `executemany` on the driver's cursor.

    The statement is compiled once for the dialect; SQLAlchemy's per-row parameter handling,
    which cost more than the database itself for a range of events, is skipped.
    """
    if not rows:
        return
    compiled = table.insert().compile(dialect=conn.dialect)
    names = list(compiled.positiontup or ()) if compiled.positional else None
    cursor = conn.connection.driver_connection.cursor()
    try:
        if names is not None:
            cursor.executemany(compiled.string, [tuple(row[n] for n in names) for row in rows])
        else:
            cursor.executemany(compiled.string, rows)
    finally:
        cursor.close()
