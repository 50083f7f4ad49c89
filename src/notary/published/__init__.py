"""Documents published to the service by their holders, found later by their own digest.

A batch anchor puts one Merkle root on chain, and a multi-text instrument one digest for all
its texts: the chain alone cannot say that a consular certificate or the French text is
part of them. Their holders publish what binds them (the batch bundle; the instrument's
manifest), checked against the chain before it is accepted, into the index database
(SQLite or PostgreSQL), where verification finds a document by digest.

- `publish_bundle(gw, store, path)` (`batches`): a batch bundle, streamed (bounded memory);
- `publish_manifest(gw, store, manifest)` (`instruments`): an instrument's manifest;
- `PublishedStore(engine)` (`store`): the tables, and lookups by digest with Merkle proofs.
"""

from __future__ import annotations

from .batches import PublishedBatch, publish_bundle
from .instruments import PublishedInstrument, manifest_of, publish_manifest, read_manifest
from .store import Membership, PublishedStore, StoredBatch, StoredInstrument, TextOf

__all__ = [
    "Membership",
    "PublishedBatch",
    "PublishedInstrument",
    "PublishedStore",
    "StoredBatch",
    "StoredInstrument",
    "TextOf",
    "manifest_of",
    "publish_bundle",
    "publish_manifest",
    "read_manifest",
]
