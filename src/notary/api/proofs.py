"""Inclusion proofs of batch-anchored documents, by digest, from the batches published to the index.

Batches reach the index by `POST /v1/publish/batch` (or `notary batch publish`), or from
NOTARY_BUNDLE_DIR at start-up (`load_bundle_dir`: each bundle is published as an upload
would be; an altered or foreign bundle refuses the start). Nothing stays in memory: a
proof is read from the stored tree.
"""

from __future__ import annotations

import logging
from pathlib import Path

from notary import receipts
from notary.chain.gateway import LedgerGateway
from notary.errors import ConfigError, ContractRevertError, NotaryError, RecordNotFoundError
from notary.models import timestamp_text
from notary.published import Membership, PublishedStore, publish_bundle

from .presenters import chain_context
from .schemas import InclusionOut, ProofsOut

log = logging.getLogger("notary.api.proofs")


def load_bundle_dir(folder: Path, gw: LedgerGateway, store: PublishedStore) -> int:
    """Publish every bundle in `folder` (`*.json` but `*.receipt.json`); refuse the start on a bad one.
    A bundle whose batch is not anchored on this chain (yet, or any more) is skipped with a warning."""
    documents = 0
    for path in sorted(folder.glob("*.json")):
        if path.name.endswith(".receipt.json"):
            continue
        try:
            done = publish_bundle(gw, store, path, by=f"NOTARY_BUNDLE_DIR/{path.name}")
        except RecordNotFoundError as exc:
            log.warning("NOTARY_BUNDLE_DIR: %s skipped: %s", path.name, exc.message)
            continue
        except NotaryError as exc:
            raise ConfigError(f"NOTARY_BUNDLE_DIR: {path.name}: {exc.message}") from exc
        documents += done.documents
    log.info("published the batch bundles of %s (%d documents)", folder, documents)
    return documents


def _found(store: PublishedStore, digest: bytes) -> list[Membership]:
    found = store.memberships(digest)
    if not found:
        raise RecordNotFoundError(
            f"digest {digest.hex()} is in no batch published to this service",
            hint="check the file is the one anchored, or ask whoever anchored it to publish the batch "
            "(`notary batch publish BUNDLE`) or for the document's receipt",
        )
    return found


def receipt_of(m: Membership, digest: bytes) -> receipts.Receipt:
    """The portable receipt of `digest` in the published batch `m` (no chain access)."""
    from notary.receipts import proofs as receipt_proofs
    from notary.receipts.build import batch_receipt
    from notary.receipts.parse import parse_chain, parse_evidence

    anchor = parse_evidence(m.batch.anchor, "anchor")
    proofs = receipt_proofs.parse(m.batch.proofs)
    return batch_receipt(parse_chain(m.batch.chain), anchor, digest, m.proof, m.batch.metadata, proofs)


def receipt(store: PublishedStore, digest: bytes, anchor: bytes | None = None) -> bytes:
    """The canonical receipt of `digest` in the batch `anchor` (default: the first published holding it)."""
    found = _found(store, digest)
    if anchor is not None:
        found = [m for m in found if m.batch.anchor_id == "0x" + anchor.hex()]
        if not found:
            raise RecordNotFoundError(f"digest {digest.hex()} is not in batch 0x{anchor.hex()}")
    return receipts.dumps(receipt_of(found[0], digest))


def _on_chain(gw: LedgerGateway, aid: bytes, digest: bytes, proof: list[bytes]) -> tuple[bool, bool]:
    """(anchor found, proof verified) by the ledger's `verifyInclusion`."""
    try:
        return True, gw.verify_inclusion(aid, digest, proof)
    except ContractRevertError as exc:
        if exc.solidity_name == "NotaryUnknownAnchor":
            return False, False
        raise


def inclusion_out(gw: LedgerGateway, m: Membership, digest: bytes) -> InclusionOut:
    """One published batch holding `digest`, its proof re-checked on chain now."""
    aid = bytes.fromhex(m.batch.anchor_id[2:])
    found, verified = _on_chain(gw, aid, digest, list(m.proof))
    ev = m.batch.anchor
    return InclusionOut(
        anchorId=m.batch.anchor_id,
        root=m.batch.root,
        party=m.batch.party,
        count=m.batch.count,
        index=m.ordinal,
        name=m.name,
        proof=["0x" + h.hex() for h in m.proof],
        anchorTransaction=str(ev["transaction"]),
        anchorBlock=int(ev["blockNumber"]),
        anchoredAt=timestamp_text(int(ev["time"])),
        bundle=m.batch.title,
        anchorOnChain=found,
        verifiedOnChain=verified,
        receipt=f"/v1/proofs/{digest.hex()}/receipt?anchor={m.batch.anchor_id}",
    )


def proofs_of(gw: LedgerGateway, store: PublishedStore, digest: bytes) -> ProofsOut:
    """The inclusion proofs of `digest`, each re-checked on chain now."""
    context = chain_context(gw)
    out = [inclusion_out(gw, m, digest) for m in _found(store, digest)]
    return ProofsOut(digest=digest.hex(), verified=any(i.verifiedOnChain for i in out), inclusions=out, chain=context)
