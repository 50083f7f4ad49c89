"""Protocol v2 index schema: exact terms, voided acts, re-notarisations, pending changes.

A v1 index cannot be carried over: its events were read from a v1 ledger (other events,
other signed payloads). `notary.index.db.migrate` refuses a v1 database that holds data
before this migration runs; an empty one is rebuilt here.

Revision ID: 0002
Revises: 0001
Create Date: 2027-01-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_V1_TABLES = ("signer_keys", "parties", "attestations", "records", "events", "blocks", "index_state")


def upgrade() -> None:
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT COUNT(*) FROM index_state")).scalar():
        raise RuntimeError("this index database was built for a protocol v1 ledger; index the v2 ledger afresh")
    for table in _V1_TABLES:
        op.drop_table(table)
    op.create_table(
        "index_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("chain_id", sa.BigInteger, nullable=False),
        sa.Column("registry", sa.String(42), nullable=False),
        sa.Column("ledger", sa.String(42), nullable=False),
        sa.Column("start_block", sa.BigInteger, nullable=False),
        sa.Column("last_block", sa.BigInteger, nullable=False),
        sa.Column("last_block_hash", sa.String(66), nullable=False),
    )
    op.create_table(
        "blocks",
        sa.Column("number", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.String(66), nullable=False),
        sa.Column("timestamp", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("block_number", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("log_index", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("contract", sa.String(16), nullable=False),
        sa.Column("event", sa.String(48), nullable=False),
        sa.Column("block_hash", sa.String(66), nullable=False),
        sa.Column("tx_hash", sa.String(66), nullable=False),
        sa.Column("tx_index", sa.Integer, nullable=False),
        sa.Column("time", sa.BigInteger, nullable=False),
        sa.Column("record", sa.String(66), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("party", sa.String(32), nullable=False),
        sa.Column("signer", sa.String(42), nullable=False),
        sa.Column("intent", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("recovered", sa.String(42), nullable=False),
        sa.Column("recovery_note", sa.Text, nullable=False),
    )
    for column in ("digest", "party", "kind", "time", "record", "event"):
        op.create_index(f"ix_events_{column}", "events", [column])
    op.create_table(
        "records",
        sa.Column("record_id", sa.String(66), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("submitter", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("hash_algorithm", sa.String(32), nullable=False),
        sa.Column("parties", sa.Text, nullable=False),
        sa.Column("quorum", sa.Integer, nullable=False),
        sa.Column("supersedes", sa.String(66), nullable=False),
        sa.Column("metadata_hash", sa.String(66), nullable=False),
        sa.Column("ratification_required", sa.Boolean, nullable=False),
        sa.Column("terms", sa.Text, nullable=False),
        sa.Column("terms_hash", sa.String(66), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("superseded_by", sa.String(66), nullable=False),
        sa.Column("notarisations", sa.Integer, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.Column("block_number", sa.BigInteger, nullable=False),
        sa.Column("log_index", sa.Integer, nullable=False),
        sa.Column("notarised_block", sa.BigInteger, nullable=False),
        sa.Column("notarised_log_index", sa.Integer, nullable=False),
    )
    op.create_index("ix_records_digest", "records", ["digest"])
    op.create_index("ix_records_submitter", "records", ["submitter"])
    op.create_index("ix_records_kind", "records", ["kind"])
    op.create_index("ix_records_status", "records", ["status"])
    op.create_index("ix_records_created", "records", ["created_at"])
    op.create_index("ix_records_supersedes", "records", ["supersedes"])
    op.create_table(
        "attestations",
        sa.Column("block_number", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("log_index", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("record_id", sa.String(66), nullable=False),
        sa.Column("party", sa.String(32), nullable=False),
        sa.Column("intent", sa.String(16), nullable=False),
        sa.Column("signer", sa.String(42), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("time", sa.BigInteger, nullable=False),
        sa.Column("deadline", sa.String(20), nullable=False),
        sa.Column("signature", sa.Text, nullable=False),
        sa.Column("tx_hash", sa.String(66), nullable=False),
        sa.Column("voided", sa.Boolean, nullable=False),
        sa.Column("voided_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_attestations_record", "attestations", ["record_id"])
    op.create_index("ix_attestations_party", "attestations", ["party"])
    op.create_index("ix_attestations_signer", "attestations", ["signer"])
    op.create_table(
        "parties",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("controller", sa.String(42), nullable=False),
        sa.Column("suspended", sa.Boolean, nullable=False),
        sa.Column("registered_at", sa.BigInteger, nullable=False),
        sa.Column("pending_controller", sa.String(42), nullable=False),
        sa.Column("pending_effective_at", sa.String(20), nullable=False),
        sa.Column("pending_by_depositary", sa.Boolean, nullable=False),
    )
    op.create_table(
        "signer_keys",
        sa.Column("party", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(42), primary_key=True),
        sa.Column("valid_from", sa.String(20), nullable=False),
        sa.Column("valid_until", sa.String(20), nullable=False),
        sa.Column("revoked_at", sa.String(20), nullable=False),
        sa.Column("pending_revocation", sa.String(20), nullable=False),
        sa.Column("added_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_signer_keys_key", "signer_keys", ["key"])


def downgrade() -> None:
    raise NotImplementedError("a protocol v2 index cannot be turned back into a v1 one; delete it instead")
