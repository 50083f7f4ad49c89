"""Inclusion proofs of batch-anchored documents, by digest, from the bundles in NOTARY_BUNDLE_DIR.

At start-up every bundle (`*.json` but `*.receipt.json`) is read strictly, its tree
rebuilt (it must give the anchored root) and checked to belong to this ledger; a bundle
that fails refuses the start. The map digest → (bundle, leaf index) and the trees stay
in memory (about 150 bytes per document): a million-document batch costs some 150 MiB.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from notary import receipts
from notary.batch import Bundle
from notary.chain.gateway import LedgerGateway
from notary.errors import ConfigError, ContractRevertError, NotaryError, RecordNotFoundError
from notary.merkle import MerkleTree
from notary.models import anchor_id, timestamp_text

from .presenters import chain_context
from .schemas import InclusionOut, ProofsOut

log = logging.getLogger("notary.api.proofs")


@dataclass(frozen=True)
class Batch:
    file: str
    bundle: Bundle
    tree: MerkleTree


@dataclass(frozen=True)
class Inclusion:
    batch: Batch
    index: int


class ProofIndex:
    """Every document of the loaded bundles, by digest (a digest may be in several batches)."""

    def __init__(self, batches: list[Batch]) -> None:
        self.batches = batches
        self._where: dict[bytes, list[tuple[int, int]]] = {}
        for b, batch in enumerate(batches):
            for i, digest in enumerate(batch.bundle.digests):
                self._where.setdefault(digest, []).append((b, i))

    def __len__(self) -> int:
        return len(self._where)

    @classmethod
    def load(cls, folder: Path, gw: LedgerGateway) -> ProofIndex:
        """Read every bundle in `folder`; refuse one that is malformed, altered or of another ledger."""
        batches = []
        ours = (gw.chain.chain_id, gw.deployment.ledger.address.lower())
        for path in sorted(folder.glob("*.json")):
            if path.name.endswith(".receipt.json"):
                continue
            try:
                bundle = Bundle.read(path)
                tree = bundle.tree()
            except NotaryError as exc:
                raise ConfigError(f"NOTARY_BUNDLE_DIR: {path.name}: {exc.message}") from exc
            if (bundle.chain.chain_id, bundle.chain.ledger.lower()) != ours:
                raise ConfigError(
                    f"NOTARY_BUNDLE_DIR: {path.name} is a batch of ledger {bundle.chain.ledger} on chain "
                    f"{bundle.chain.chain_id}, not of this service's {ours[1]} on chain {ours[0]}"
                )
            batches.append(Batch(path.name, bundle, tree))
        documents = sum(len(b.tree) for b in batches)
        log.info("loaded %d batch bundles (%d documents) from %s", len(batches), documents, folder)
        return cls(batches)

    def find(self, digest: bytes) -> list[Inclusion]:
        """The batches holding `digest`, in bundle file order; none is a 404."""
        found = [Inclusion(self.batches[b], i) for b, i in self._where.get(digest, ())]
        if not found:
            raise RecordNotFoundError(
                f"digest {digest.hex()} is in no batch this service holds",
                hint="check the file is the one anchored, or ask whoever anchored it for its receipt",
            )
        return found

    def receipt(self, digest: bytes, anchor: bytes | None = None) -> bytes:
        """The canonical receipt of `digest` in the batch `anchor` (default: the first holding it)."""
        found = self.find(digest)
        if anchor is not None:
            found = [f for f in found if _anchor_of(f) == anchor]
            if not found:
                raise RecordNotFoundError(f"digest {digest.hex()} is not in batch 0x{anchor.hex()}")
        inc = found[0]
        return receipts.dumps(inc.batch.bundle.receipt(inc.index, inc.batch.tree))


def _anchor_of(inc: Inclusion) -> bytes:
    p = inc.batch.bundle.payload
    return anchor_id(p.root, p.party)


def _on_chain(gw: LedgerGateway, aid: bytes, digest: bytes, proof: list[bytes]) -> tuple[bool, bool]:
    """(anchor found, proof verified) by the ledger's `verifyInclusion`."""
    try:
        return True, gw.verify_inclusion(aid, digest, proof)
    except ContractRevertError as exc:
        if exc.solidity_name == "NotaryUnknownAnchor":
            return False, False
        raise


def proofs_of(gw: LedgerGateway, index: ProofIndex, digest: bytes) -> ProofsOut:
    """The inclusion proofs of `digest`, each re-checked on chain now."""
    context = chain_context(gw)
    out = []
    for inc in index.find(digest):
        bundle, p = inc.batch.bundle, inc.batch.bundle.payload
        proof = list(inc.batch.tree.proof(inc.index))
        aid = _anchor_of(inc)
        found, verified = _on_chain(gw, aid, digest, proof)
        ev = bundle.anchor
        out.append(
            InclusionOut(
                anchorId="0x" + aid.hex(),
                root="0x" + p.root.hex(),
                party=ev.party,
                count=len(bundle.digests),
                index=inc.index,
                name=bundle.names[inc.index],
                proof=["0x" + h.hex() for h in proof],
                anchorTransaction=ev.transaction,
                anchorBlock=ev.block_number,
                anchoredAt=timestamp_text(ev.time),
                bundle=inc.batch.file,
                anchorOnChain=found,
                verifiedOnChain=verified,
                receipt=f"/v1/proofs/{digest.hex()}/receipt?anchor=0x{aid.hex()}",
            )
        )
    return ProofsOut(digest=digest.hex(), verified=any(i.verifiedOnChain for i in out), inclusions=out, chain=context)
