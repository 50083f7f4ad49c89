"""Alembic environment: migrations run on a connection handed over by `notary.index.db`."""

from __future__ import annotations

from alembic import context

from notary.index.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through notary.index.db.migrate
    raise RuntimeError("run notary's index migrations through notary.index.db.migrate()")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
