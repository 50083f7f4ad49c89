"""Published documents: batch bundles and multi-text instrument manifests, found by digest.

Revision ID: 0003
Revises: 0002
Create Date: 2027-02-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "published_batches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("anchor_id", sa.String(66), nullable=False, unique=True),
        sa.Column("root", sa.String(66), nullable=False),
        sa.Column("party", sa.String(32), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("chain", sa.Text, nullable=False),
        sa.Column("metadata", sa.Text, nullable=False),
        sa.Column("anchor", sa.Text, nullable=False),
        sa.Column("proofs", sa.Text, nullable=False),
        sa.Column("published_at", sa.BigInteger, nullable=False),
        sa.Column("published_by", sa.Text, nullable=False),
        sa.Column("complete", sa.Boolean, nullable=False),
    )
    op.create_table(
        "batch_documents",
        sa.Column("batch", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("ordinal", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("node", sa.Integer, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
    )
    op.create_index("ix_batch_documents_digest", "batch_documents", ["digest"])
    op.create_table(
        "batch_nodes",
        sa.Column("batch", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("chunk", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("hashes", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "published_instruments",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("metadata", sa.Text, nullable=False),
        sa.Column("metadata_hash", sa.String(66), nullable=False),
        sa.Column("published_at", sa.BigInteger, nullable=False),
        sa.Column("published_by", sa.Text, nullable=False),
    )
    op.create_table(
        "instrument_texts",
        sa.Column("instrument", sa.String(64), primary_key=True),
        sa.Column("ordinal", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
    )
    op.create_index("ix_instrument_texts_digest", "instrument_texts", ["digest"])


def downgrade() -> None:
    for table in ("instrument_texts", "published_instruments", "batch_nodes", "batch_documents", "published_batches"):
        op.drop_table(table)
