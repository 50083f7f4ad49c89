"""The index's tables (SQLAlchemy Core). Alembic migrations in `migrations/` create them.

- `index_state`: one row: which chain and contracts this database follows, and the
  checkpoint (last final block indexed and its hash).
- `blocks`: the hash of every block that holds an indexed event or ended a range, so
  that a reorganisation is found by comparing stored hashes with the chain's.
- `events`: every event of both contracts, one row each, keyed by (block, log index).
- Derived views, kept in the same transaction as the events they derive from:
  `records` (each record's latest notarisation: its exact terms, state and superseding
  record), `attestations` (every act on a record's latest notarisation, voided ones
  marked), `parties` (with a pending controller change), and `signer_keys` (each key's
  window per party and a back-dated revocation awaiting the depositary; the key history
  is in `events`).

Schema revision 0002 is protocol v2's; a database built by protocol v1 (revision 0001 with
data in it) is refused when opened (`notary.index.db`): index the v2 ledger afresh.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

SCHEMA_REVISION = "0002"

index_state = Table(
    "index_state",
    metadata,
    Column("id", Integer, primary_key=True),  # always 1
    Column("chain_id", BigInteger, nullable=False),
    Column("registry", String(42), nullable=False),
    Column("ledger", String(42), nullable=False),
    Column("start_block", BigInteger, nullable=False),
    Column("last_block", BigInteger, nullable=False),  # start_block - 1 before anything is indexed
    Column("last_block_hash", String(66), nullable=False),
)

blocks = Table(
    "blocks",
    metadata,
    Column("number", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", String(66), nullable=False),
    Column("timestamp", BigInteger, nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("block_number", BigInteger, primary_key=True, autoincrement=False),
    Column("log_index", Integer, primary_key=True, autoincrement=False),
    Column("contract", String(16), nullable=False),
    Column("event", String(48), nullable=False),
    Column("block_hash", String(66), nullable=False),
    Column("tx_hash", String(66), nullable=False),
    Column("tx_index", Integer, nullable=False),
    Column("time", BigInteger, nullable=False),
    Column("record", String(66), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("party", String(32), nullable=False),
    Column("signer", String(42), nullable=False),
    Column("intent", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("detail", Text, nullable=False),
    Column("recovered", String(42), nullable=False),
    Column("recovery_note", Text, nullable=False),
    Index("ix_events_digest", "digest"),
    Index("ix_events_party", "party"),
    Index("ix_events_kind", "kind"),
    Index("ix_events_time", "time"),
    Index("ix_events_record", "record"),
    Index("ix_events_event", "event"),
)

records = Table(
    "records",
    metadata,
    Column("record_id", String(66), primary_key=True),
    Column("digest", String(64), nullable=False),
    Column("submitter", String(32), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("hash_algorithm", String(32), nullable=False),
    Column("parties", Text, nullable=False),  # JSON list of codes
    Column("quorum", Integer, nullable=False),
    Column("supersedes", String(66), nullable=False),  # "" for none
    Column("metadata_hash", String(66), nullable=False),
    Column("ratification_required", Boolean, nullable=False),
    Column("terms", Text, nullable=False),  # exact terms, canonical JSON of 0x-hex; "" if not rebuildable
    Column("terms_hash", String(66), nullable=False),
    Column("status", String(16), nullable=False),
    Column("superseded_by", String(66), nullable=False),  # as the ledger's supersededBy; "" for none
    Column("notarisations", Integer, nullable=False),  # 2 or more: notarised again after a void
    Column("created_at", BigInteger, nullable=False),  # the latest notarisation's time
    Column("updated_at", BigInteger, nullable=False),
    Column("block_number", BigInteger, nullable=False),  # the first notarisation (creation order)
    Column("log_index", Integer, nullable=False),
    Column("notarised_block", BigInteger, nullable=False),  # the latest notarisation
    Column("notarised_log_index", Integer, nullable=False),
    Index("ix_records_digest", "digest"),
    Index("ix_records_submitter", "submitter"),
    Index("ix_records_kind", "kind"),
    Index("ix_records_status", "status"),
    Index("ix_records_created", "created_at"),
    Index("ix_records_supersedes", "supersedes"),
)

attestations = Table(
    "attestations",
    metadata,
    Column("block_number", BigInteger, primary_key=True, autoincrement=False),
    Column("log_index", Integer, primary_key=True, autoincrement=False),
    Column("record_id", String(66), nullable=False),
    Column("party", String(32), nullable=False),
    Column("intent", String(16), nullable=False),
    Column("signer", String(42), nullable=False),
    Column("reason", Text, nullable=False),
    Column("time", BigInteger, nullable=False),
    Column("deadline", String(20), nullable=False),  # uint64 as decimal text
    Column("signature", Text, nullable=False),  # 0x-hex
    Column("tx_hash", String(66), nullable=False),
    Column("voided", Boolean, nullable=False),
    Column("voided_at", BigInteger, nullable=False),  # 0 unless voided
    Index("ix_attestations_record", "record_id"),
    Index("ix_attestations_party", "party"),
    Index("ix_attestations_signer", "signer"),
)

parties = Table(
    "parties",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("name", Text, nullable=False),
    Column("controller", String(42), nullable=False),
    Column("suspended", Boolean, nullable=False),
    Column("registered_at", BigInteger, nullable=False),
    # A pending controller change: a controller's proposal or a depositary's scheduled reset.
    Column("pending_controller", String(42), nullable=False),  # "" for none
    Column("pending_effective_at", String(20), nullable=False),  # "0" for a proposal
    Column("pending_by_depositary", Boolean, nullable=False),
)

signer_keys = Table(
    "signer_keys",
    metadata,
    Column("party", String(32), primary_key=True),
    Column("key", String(42), primary_key=True),
    Column("valid_from", String(20), nullable=False),
    Column("valid_until", String(20), nullable=False),
    # uint64 values as decimal text: a window may end at 2**63 or later, past a signed BIGINT
    Column("revoked_at", String(20), nullable=False),  # "0": never revoked
    Column("pending_revocation", String(20), nullable=False),  # "0": no back-dated request pending
    Column("added_at", BigInteger, nullable=False),
    Index("ix_signer_keys_key", "key"),
)

DERIVED = (records, attestations, parties, signer_keys)
