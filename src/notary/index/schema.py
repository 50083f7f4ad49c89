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

Published documents (revision 0003), written by `notary.published` when a holder publishes
them (not derived from events, so a re-index keeps them): `published_batches` (a batch
bundle's anchor, checked against the anchored root), `batch_documents` (each document by
digest, with its leaf's place in the tree), `batch_nodes` (the tree itself, in chunks of
`NODE_CHUNK` hashes, so a proof is read without rebuilding the tree),
`published_instruments` and `instrument_texts` (a multi-text instrument's manifest: each
text and annex by digest).

Schema revision 0002 is protocol v2's; a database built by protocol v1 (revision 0001 with
data in it) is refused when opened (`notary.index.db`): index the v2 ledger afresh.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, LargeBinary, MetaData, String, Table, Text

metadata = MetaData()

SCHEMA_REVISION = "0003"
#: Tree hashes per `batch_nodes` row: a proof of a million-document batch reads about 20 rows of 8 KiB.
NODE_CHUNK = 256

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

published_batches = Table(
    "published_batches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("anchor_id", String(66), nullable=False, unique=True),
    Column("root", String(66), nullable=False),
    Column("party", String(32), nullable=False),
    Column("count", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("chain", Text, nullable=False),  # the bundle's chain section, canonical JSON
    Column("metadata", Text, nullable=False),  # canonical JSON, "null" for none
    Column("anchor", Text, nullable=False),  # the anchor's evidence as in a receipt, canonical JSON
    Column("proofs", Text, nullable=False),  # its state proofs as in a receipt ("null": the node had none)
    Column("published_at", BigInteger, nullable=False),  # UNIX seconds, the service's clock
    Column("published_by", Text, nullable=False),  # the API key's name, or "cli"
    Column("complete", Boolean, nullable=False),  # false while the documents are being written
)

batch_documents = Table(
    "batch_documents",
    metadata,
    Column("batch", Integer, primary_key=True, autoincrement=False),
    Column("ordinal", Integer, primary_key=True, autoincrement=False),  # place in the bundle
    Column("digest", String(64), nullable=False),
    Column("node", Integer, nullable=False),  # the leaf's index in the tree's node array
    Column("name", Text, nullable=False),
    Index("ix_batch_documents_digest", "digest"),
)

batch_nodes = Table(
    "batch_nodes",
    metadata,
    Column("batch", Integer, primary_key=True, autoincrement=False),
    Column("chunk", Integer, primary_key=True, autoincrement=False),
    Column("hashes", LargeBinary, nullable=False),  # NODE_CHUNK × 32 bytes (the last chunk fewer)
)

published_instruments = Table(
    "published_instruments",
    metadata,
    Column("digest", String(64), primary_key=True),  # the instrument digest (the texts' Merkle root)
    Column("title", Text, nullable=False),
    Column("metadata", Text, nullable=False),  # canonical JSON: the manifest the submitter signed the hash of
    Column("metadata_hash", String(66), nullable=False),
    Column("published_at", BigInteger, nullable=False),
    Column("published_by", Text, nullable=False),
)

instrument_texts = Table(
    "instrument_texts",
    metadata,
    Column("instrument", String(64), primary_key=True),
    Column("ordinal", Integer, primary_key=True, autoincrement=False),
    Column("digest", String(64), nullable=False),
    Column("name", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Index("ix_instrument_texts_digest", "digest"),
)

DERIVED = (records, attestations, parties, signer_keys)
PUBLISHED = (published_batches, batch_documents, batch_nodes, published_instruments, instrument_texts)
