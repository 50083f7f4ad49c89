"""Publish a batch bundle: check it against the anchor on chain, then store every document by digest.

Checks, in order, before anything is written (each failure an `InvalidInputError` or
`RecordNotFoundError` that names what differs):

1. the file is a well-formed bundle (`bundle_stream.scan`, every document read);
2. it is a batch of this ledger (chain id, ledger and registry of the deployment);
3. the batch is anchored on this ledger, with exactly the signed fields the bundle claims
   (root, party, hash algorithm, metadata hash, deadline);
4. its metadata, when included, hashes to the anchored metadata hash;
5. its documents rebuild the anchored root (OpenZeppelin StandardMerkleTree rules).

Then the tree's nodes and the documents are written in bounded chunks and the batch is
marked complete last. The anchor's evidence stored is the one read from the chain, not the
bundle's copy. Publishing the same batch again changes nothing and says so.

Memory: the bundle is never loaded whole; the leaves and the tree's nodes are held while the
tree is built (about 150 bytes per document: some 150 MB for a million documents), then
released as they are written.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from notary import merkle
from notary.batch import BundleFormatError
from notary.chain.gateway import LedgerGateway
from notary.codes import bytes32_to_text
from notary.errors import InvalidInputError, RecordNotFoundError
from notary.hashing import metadata_hash
from notary.models import anchor_id

from .bundle_stream import documents, scan
from .store import PublishedStore, canonical

Progress = Callable[[int], None]
_FLUSH = 5000


@dataclass(frozen=True)
class PublishedBatch:
    anchor_id: str
    root: str
    party: str
    documents: int
    title: str
    already: bool


def _check_deployment(gw: LedgerGateway, chain: object) -> None:
    d = gw.deployment
    ours = (gw.chain.chain_id, d.ledger.address.lower(), d.registry.address.lower())
    theirs = (chain.chain_id, chain.ledger.lower(), chain.registry.lower())  # type: ignore[attr-defined]
    if ours != theirs:
        raise InvalidInputError(
            f"the bundle is a batch of ledger {theirs[1]} on chain {theirs[0]}, not of this ledger "
            f"{ours[1]} on chain {ours[0]}",
            hint="publish it to the service of the ledger that anchored it",
        )


def publish_bundle(
    gw: LedgerGateway, store: PublishedStore, path: Path, by: str = "cli", progress: Progress | None = None
) -> PublishedBatch:
    """Check the bundle at `path` against the chain and store its documents (see the module's steps)."""
    from notary.receipts import evidence_json
    from notary.receipts import proofs as receipt_proofs
    from notary.receipts.build import anchor_evidence, anchor_payload_of, anchor_proofs

    tick = progress or (lambda n: None)
    leaf = merkle.fast_leaf()
    leaves: list[bytes] = []
    # Step 1: every document read and checked; only its leaf is kept.
    header = scan(path, lambda i, name, digest: leaves.append(leaf(digest)))
    # Step 2.
    _check_deployment(gw, header.chain)
    p = header.payload
    party = bytes32_to_text(p.party)
    aid = anchor_id(p.root, p.party)
    aid_hex = "0x" + aid.hex()
    title = str((header.metadata or {}).get("title", ""))
    # Step 3.
    log = gw.anchor_log(aid)
    if log is None:
        raise RecordNotFoundError(
            f"batch {aid_hex} (root 0x{p.root.hex()} by {party}) is not anchored on this ledger",
            hint="anchor it first (`notary batch anchor`), or check the bundle is the one the anchor wrote",
        )
    if anchor_payload_of(log) != p:
        raise InvalidInputError(
            f"the bundle's anchor differs from batch {aid_hex} on chain (hash algorithm, metadata hash or deadline)",
            hint="publish the bundle `notary batch anchor` wrote, unaltered",
        )
    # Step 4.
    if header.metadata is not None and metadata_hash(header.metadata) != p.metadata_hash:
        raise InvalidInputError(
            f"the bundle's metadata does not hash to the anchored metadata hash 0x{p.metadata_hash.hex()}",
            hint="publish the bundle `notary batch anchor` wrote, unaltered",
        )
    # Step 5 (before "already published": an altered copy of a published bundle is refused, not welcomed).
    leaves.sort()
    nodes = merkle.nodes_of_sorted_leaves(leaves)
    if nodes[0] != p.root:
        raise BundleFormatError(
            f"the bundle's {header.count} documents do not rebuild the anchored root 0x{p.root.hex()}: "
            "the index was altered",
            hint="publish the bundle `notary batch anchor` wrote, unaltered",
        )
    existing = store.batch(aid_hex)
    if existing is not None:
        return PublishedBatch(aid_hex, existing.root, party, existing.count, existing.title, already=True)
    observed = gw.chain.block_number()
    evidence = anchor_evidence(gw, p.root, party, observed)
    proofs = receipt_proofs.to_json(anchor_proofs(gw, evidence, observed))
    values = {
        "anchor_id": aid_hex,
        "root": "0x" + p.root.hex(),
        "party": party,
        "count": header.count,
        "title": title,
        "chain": canonical(header.raw_chain),
        "metadata": canonical(header.metadata),
        "anchor": canonical(evidence_json(evidence)),
        "proofs": canonical(proofs),
        "published_by": by,
    }
    batch = store.begin_batch(values)
    try:
        store.add_nodes(batch, nodes)
        del nodes
        _write_documents(store, batch, path, leaves, tick)
        store.complete(batch)
    except BaseException:
        store.discard(batch)
        raise
    return PublishedBatch(aid_hex, values["root"], party, header.count, title, already=False)


def _write_documents(store: PublishedStore, batch: int, path: Path, leaves: list[bytes], tick: Progress) -> None:
    """Second pass over the file: each document with its leaf's index in the node array."""
    leaf = merkle.fast_leaf()
    last = 2 * len(leaves) - 2
    repeats: dict[bytes, int] = {}
    buffer: list[tuple[int, str, int, str]] = []

    for ordinal, name, digest in documents(path):
        value = leaf(digest)
        rank = bisect_left(leaves, value)
        if rank + 1 < len(leaves) and leaves[rank + 1] == value:
            # A document given twice: equal leaves keep the bundle's order (merkle rule 3).
            seen = repeats.get(value, 0)
            repeats[value] = seen + 1
            rank += seen
        buffer.append((ordinal, digest.hex(), last - rank, name))
        if len(buffer) >= _FLUSH:
            store.add_documents(batch, buffer)
            tick(len(buffer))
            buffer.clear()
    if buffer:
        store.add_documents(batch, buffer)
        tick(len(buffer))
