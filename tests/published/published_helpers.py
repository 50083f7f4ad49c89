"""Helpers of the published-documents tests (also used by the API tests): anchor a batch, notarise an instrument."""

from __future__ import annotations

import hashlib
from pathlib import Path

from notary import batch, ledger
from notary.receipts.build import anchor_evidence, chain_ref
from notary.testing import World


def sha(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def anchor_bundle(world: World, path: Path, digests: list[bytes], party: str = "FRA", title: str = "") -> batch.Bundle:
    """`party` anchors `digests` in one transaction; the bundle is written to `path`."""
    tree = batch.tree_of(digests)
    metadata = batch.anchor_metadata(len(digests), title)
    payload = batch.prepare_anchor(tree.root, party, world.deadline(), metadata)
    ledger.submit(world.gw, world.relayer, ledger.sign(payload, world.gw.domain, world.signers[party]))
    evidence = anchor_evidence(world.gw, tree.root, party)
    names = tuple(f"certificate-{i:05d}.pdf" for i in range(len(digests)))
    bundle = batch.Bundle(chain_ref(world.gw), metadata, evidence, names, tuple(digests))
    bundle.write(path)
    return bundle


def notarise_instrument(world: World, title: str = "Treaty of Friendship") -> tuple[bytes, dict[str, object], bytes]:
    """FRA notarises a bilingual treaty with an annex (SGP co-signs); (record id, manifest, instrument digest)."""
    from notary import instruments

    texts = [
        instruments.InstrumentText("treaty-en.pdf", instruments.TEXT, sha("treaty, English text")),
        instruments.InstrumentText("treaty-fr.pdf", instruments.TEXT, sha("traité, texte français")),
        instruments.InstrumentText("annex-1.pdf", instruments.ANNEX, sha("annex 1: maps")),
    ]
    instrument = instruments.build(texts)
    manifest = instrument.metadata(title)
    rid = world.notarise(instrument.digest, "FRA", kind="treaty", metadata=manifest, algorithm=instruments.ALGORITHM)
    world.act(rid, "SGP")
    return rid, manifest, instrument.digest
