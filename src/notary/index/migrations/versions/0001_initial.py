"""Initial index schema: state, blocks, events and the derived views.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
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
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
        sa.Column("block_number", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_records_digest", "records", ["digest"])
    op.create_index("ix_records_submitter", "records", ["submitter"])
    op.create_index("ix_records_kind", "records", ["kind"])
    op.create_index("ix_records_status", "records", ["status"])
    op.create_index("ix_records_created", "records", ["created_at"])
    op.create_index("ix_records_supersedes", "records", ["supersedes"])
    op.create_table(
        "attestations",
        sa.Column("record_id", sa.String(66), primary_key=True),
        sa.Column("party", sa.String(32), primary_key=True),
        sa.Column("intent", sa.String(16), primary_key=True),
        sa.Column("signer", sa.String(42), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("time", sa.BigInteger, nullable=False),
        sa.Column("block_number", sa.BigInteger, nullable=False),
        sa.Column("log_index", sa.Integer, nullable=False),
        sa.Column("tx_hash", sa.String(66), nullable=False),
    )
    op.create_index("ix_attestations_party", "attestations", ["party"])
    op.create_index("ix_attestations_signer", "attestations", ["signer"])
    op.create_table(
        "parties",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("controller", sa.String(42), nullable=False),
        sa.Column("suspended", sa.Boolean, nullable=False),
        sa.Column("registered_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "signer_keys",
        sa.Column("party", sa.String(32), primary_key=True),
        sa.Column("key", sa.String(42), primary_key=True),
        sa.Column("valid_from", sa.String(20), nullable=False),
        sa.Column("valid_until", sa.String(20), nullable=False),
        sa.Column("revoked_at", sa.String(20), nullable=False),
        sa.Column("added_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_signer_keys_key", "signer_keys", ["key"])


def downgrade() -> None:
    for table in ("signer_keys", "parties", "attestations", "records", "events", "blocks", "index_state"):
        op.drop_table(table)
