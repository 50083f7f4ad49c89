"""Receipts over HTTP: `GET /v1/records/{digest}/receipt`, and inclusion proofs by digest from batch bundles."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from api_helpers import EXAMPLE, sha
from fastapi.testclient import TestClient

from notary import batch, ledger, receipts
from notary.api import ApiSettings, create_app
from notary.api.settings import IndexSettings
from notary.errors import ConfigError
from notary.receipts.build import anchor_evidence, chain_ref
from notary.receipts.verify import verify_offline
from notary.testing import World

MOU = hashlib.sha256(EXAMPLE.read_bytes()).digest()
RECEIPT = "application/vnd.notary.receipt+json"
DOCS = [sha(f"consular document {i}") for i in range(5)]


def test_record_receipt_is_canonical_and_verifies_offline(world: World, client: TestClient) -> None:
    """The MoU's receipt: the receipt media type, RFC 8785 bytes that parse strictly and verify offline."""
    r = client.get(f"/v1/records/{MOU.hex()}/receipt")
    assert r.status_code == 200 and r.headers["content-type"] == RECEIPT
    assert r.headers["content-disposition"] == f'attachment; filename="{MOU.hex()[:16]}.receipt.json"'
    receipt = receipts.loads(r.content)  # strict: canonical, sealed, known fields
    assert receipts.dumps(receipt) == r.content
    assert receipt.record is not None and [e.party for e in receipt.record.attestations] == ["FRA", "SGP"]
    verdict = verify_offline(receipt, MOU, world.pinned)
    assert verdict.ok, verdict.reasons
    assert not verify_offline(receipt, sha("another file"), world.pinned).ok


def test_record_receipt_needs_submitter_when_several_notarised(world: World, client: TestClient) -> None:
    """Two submitters of one digest: 409 ambiguous-record without ?submitter=, the right record with it."""
    world.notarise(sha("shared"), "FRA")
    world.notarise(sha("shared"), "SGP")
    r = client.get(f"/v1/records/{sha('shared').hex()}/receipt")
    assert r.status_code == 409 and r.json()["code"] == "ambiguous-record" and "submitter" in r.json()["hint"]
    sgp = client.get(f"/v1/records/{sha('shared').hex()}/receipt?submitter=sgp")
    assert sgp.status_code == 200 and receipts.loads(sgp.content).record.submitter == "SGP"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        (f"/v1/records/{sha('nobody').hex()}/receipt", 404, "record-not-found"),
        (f"/v1/records/{MOU.hex()}/receipt?submitter=DEU", 404, "record-not-found"),
        ("/v1/records/xyz/receipt", 422, "invalid-request"),
    ],
)
def test_record_receipt_errors(client: TestClient, path: str, status: int, code: str) -> None:
    r = client.get(path)
    assert r.status_code == status and r.json()["code"] == code
    assert r.headers["content-type"] == "application/problem+json"


# --------------------------------------------------------------------- batch bundles


def _anchor(world: World, folder: Path, name: str = "batch.json") -> batch.Bundle:
    """FRA anchors DOCS in one transaction; the bundle is written to `folder`."""
    tree = batch.tree_of(DOCS)
    payload = batch.prepare_anchor(tree.root, "FRA", world.deadline())
    ledger.submit(world.gw, world.relayer, ledger.sign(payload, world.gw.domain, world.signers["FRA"]))
    evidence = anchor_evidence(world.gw, tree.root, "FRA")
    names = tuple(f"doc-{i}.pdf" for i in range(len(DOCS)))
    bundle = batch.Bundle(chain_ref(world.gw), {}, evidence, names, tuple(DOCS))
    folder.mkdir(exist_ok=True)
    bundle.write(folder / name)
    return bundle


def _with_bundles(settings: Callable[..., ApiSettings], folder: Path, db: str = "index") -> ApiSettings:
    """Settings with the index on (its own SQLite file) and NOTARY_BUNDLE_DIR=`folder`."""
    url = f"sqlite:///{folder.parent / (db + '.sqlite3')}"
    return settings(bundle_dir=folder, index=IndexSettings(enabled=True, url=url))


def test_proof_by_digest_verifies_on_chain(world: World, settings: Callable[..., ApiSettings], tmp_path: Path) -> None:
    """GET /v1/proofs/{digest}: the leaf's proof, the anchor, and the ledger's verifyInclusion says yes."""
    bundle = _anchor(world, tmp_path / "bundles")
    (tmp_path / "bundles" / "doc-3.receipt.json").write_text("{}")  # receipts beside bundles are not bundles
    client = TestClient(create_app(_with_bundles(settings, tmp_path / "bundles"), gateway=world.gw))
    body = client.get(f"/v1/proofs/{DOCS[3].hex()}").json()
    assert body["verified"] and body["digest"] == DOCS[3].hex()
    (inc,) = body["inclusions"]
    assert inc["index"] == 3 and inc["name"] == "doc-3.pdf" and inc["count"] == 5 and inc["party"] == "FRA"
    assert inc["root"] == "0x" + bundle.payload.root.hex() and inc["anchorOnChain"] and inc["verifiedOnChain"]
    assert len(inc["proof"]) <= batch.depth(5) and inc["anchorTransaction"] == bundle.anchor.transaction
    assert inc["bundle"] == "" and inc["receipt"].startswith(f"/v1/proofs/{DOCS[3].hex()}/receipt?anchor=")
    r = client.get(inc["receipt"])
    assert r.status_code == 200 and r.headers["content-type"] == RECEIPT
    receipt = receipts.loads(r.content)
    assert receipt.batch is not None and verify_offline(receipt, DOCS[3], world.pinned).ok
    assert client.get(f"/v1/proofs/{DOCS[3].hex()}/receipt").content == r.content
    wrong = client.get(f"/v1/proofs/{DOCS[3].hex()}/receipt?anchor={'ab' * 32}")
    assert wrong.status_code == 404
    assert client.get(f"/v1/proofs/{sha('not in a batch').hex()}").status_code == 404
    assert client.get(f"/v1/proofs/{sha('not in a batch').hex()}/receipt").json()["code"] == "record-not-found"


def test_proof_of_an_anchor_the_chain_lost(world: World, settings: Callable[..., ApiSettings], tmp_path: Path) -> None:
    """A batch published, then its anchor reorganised away (the chain reset): served, but not verified; a
    bundle whose anchor is not on chain at start-up is skipped (its documents are not found)."""
    snapshot = world.chain.tester.take_snapshot()
    _anchor(world, tmp_path / "bundles")
    client = TestClient(create_app(_with_bundles(settings, tmp_path / "bundles"), gateway=world.gw))
    world.chain.tester.revert_to_snapshot(snapshot)
    body = client.get(f"/v1/proofs/{DOCS[0].hex()}").json()
    assert not body["verified"] and not body["inclusions"][0]["anchorOnChain"]
    verdict = client.get(f"/v1/verify/{DOCS[0].hex()}").json()
    assert not verdict["verified"] and verdict["verdict"] == "not-notarised"  # the anchor is gone
    assert "not anchored on this ledger" in verdict["batches"][0]["reasons"][0]
    later = TestClient(create_app(_with_bundles(settings, tmp_path / "bundles", "other"), gateway=world.gw))
    assert later.get(f"/v1/proofs/{DOCS[0].hex()}").status_code == 404


def test_proofs_without_bundles_are_404(client: TestClient) -> None:
    """Nothing published (here: no index at all): every proof is 404 with a hint; a malformed digest 422."""
    r = client.get(f"/v1/proofs/{DOCS[0].hex()}")
    assert r.status_code == 404 and r.json()["code"] == "record-not-found" and r.json()["hint"]
    assert client.get("/v1/proofs/12").status_code == 422


def test_altered_or_foreign_bundles_refuse_the_start(
    world: World, settings: Callable[..., ApiSettings], tmp_path: Path
) -> None:
    """A bundle whose documents no longer rebuild the root, or of another ledger, stops create_app."""
    bundle = _anchor(world, tmp_path / "a")
    altered = dataclasses.replace(bundle, digests=(sha("forged"), *bundle.digests[1:]))
    (tmp_path / "b").mkdir()
    altered.write(tmp_path / "b" / "batch.json")
    with pytest.raises(ConfigError, match="do not rebuild the anchored root"):
        create_app(_with_bundles(settings, tmp_path / "b"), gateway=world.gw)
    foreign = dataclasses.replace(bundle, chain=dataclasses.replace(bundle.chain, chain_id=1))
    (tmp_path / "c").mkdir()
    foreign.write(tmp_path / "c" / "batch.json")
    with pytest.raises(ConfigError, match="not of this ledger"):
        create_app(_with_bundles(settings, tmp_path / "c"), gateway=world.gw)
    with pytest.raises(ConfigError, match="not a directory"):
        create_app(_with_bundles(settings, tmp_path / "missing"), gateway=world.gw)
    with pytest.raises(ConfigError, match="needs the index"):
        create_app(settings(bundle_dir=tmp_path / "a"), gateway=world.gw)
