"""Publishing over HTTP: batch bundles and instrument manifests, then every document verifies by digest."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from notary import receipts
from notary.api import ApiSettings, create_app
from notary.api.settings import ApiKey, IndexSettings
from notary.receipts.verify import verify_offline
from notary.testing import World

sys.path.insert(0, str(Path(__file__).parents[1] / "published"))
from published_helpers import anchor_bundle, notarise_instrument, sha  # noqa: E402

PUBLISH_KEY, READ_KEY = "publish-key-for-tests", "read-only-key-for-tests"
DOCS = [sha(f"consular certificate {i}") for i in range(12)]
FRENCH = sha("traité, texte français")


@pytest.fixture
def publisher(world: World, settings: Callable[..., ApiSettings], tmp_path: Path) -> TestClient:
    keys = (
        ApiKey("consulate", hashlib.sha256(PUBLISH_KEY.encode()).digest(), frozenset({"publish"})),
        ApiKey("monitor", hashlib.sha256(READ_KEY.encode()).digest(), frozenset()),
    )
    index = IndexSettings(enabled=True, url=f"sqlite:///{tmp_path / 'index.sqlite3'}")
    return TestClient(create_app(settings(api_keys=keys, index=index), gateway=world.gw))


def _auth(key: str = PUBLISH_KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_published_batch_member_verifies_by_digest(world: World, publisher: TestClient, tmp_path: Path) -> None:
    anchor_bundle(world, tmp_path / "b.json", DOCS, title="Certificates of March")
    before = publisher.get(f"/v1/verify/{DOCS[4].hex()}").json()
    assert before["verdict"] == "not-notarised" and before["batches"] == []
    r = publisher.post("/v1/publish/batch", content=(tmp_path / "b.json").read_bytes(), headers=_auth())
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"] == "batch" and body["documents"] == 12 and body["party"] == "FRA" and not body["already"]
    again = publisher.post("/v1/publish/batch", content=(tmp_path / "b.json").read_bytes(), headers=_auth())
    assert again.status_code == 200 and again.json()["already"]
    v = publisher.get(f"/v1/verify/{DOCS[4].hex()}").json()
    assert v["verified"] and v["verdict"] == "verified" and v["notarised"]
    (b,) = v["batches"]
    assert b["ok"] and b["included"] and b["party"] == "FRA" and b["name"] == "certificate-00004.pdf"
    assert b["title"] == "Certificates of March" and b["signer"] == world.signers["FRA"].address
    # The receipt downloads and verifies offline; the proofs endpoint agrees.
    receipt = publisher.get(b["receipt"])
    assert receipt.status_code == 200
    assert verify_offline(receipts.loads(receipt.content), DOCS[4], world.pinned).ok
    assert publisher.get(f"/v1/proofs/{DOCS[4].hex()}").json()["verified"]
    # The upload path too.
    up = publisher.post("/v1/verify", files={"file": ("x.pdf", b"not a certificate")}).json()
    assert up["verdict"] == "not-notarised"


def test_each_text_of_a_published_instrument_verifies(world: World, publisher: TestClient) -> None:
    rid, manifest, digest = notarise_instrument(world)
    assert publisher.get(f"/v1/verify/{FRENCH.hex()}").json()["verdict"] == "not-notarised"
    r = publisher.post("/v1/publish/instrument", content=json.dumps(manifest).encode(), headers=_auth())
    assert r.status_code == 200, r.text
    assert r.json()["kind"] == "instrument" and r.json()["documents"] == 3 and r.json()["recordId"] == "0x" + rid.hex()
    v = publisher.get(f"/v1/verify/{FRENCH.hex()}").json()
    assert v["verified"] and v["verdict"] == "verified"
    (t,) = v["instrumentTexts"]
    assert t["name"] == "treaty-fr.pdf" and t["role"] == "text" and t["title"] == "Treaty of Friendship"
    assert t["instrumentDigest"] == digest.hex() and t["records"][0]["bound"] == ["FRA", "SGP"]
    # The instrument's receipt now lists every text: the French text verifies offline with it.
    receipt = receipts.loads(publisher.get(t["receipt"]).content)
    assert [x.name for x in receipt.document.texts] == ["treaty-en.pdf", "treaty-fr.pdf", "annex-1.pdf"]
    assert verify_offline(receipt, FRENCH, world.pinned).ok
    annex = publisher.get(f"/v1/verify/{sha('annex 1: maps').hex()}").json()
    assert annex["verified"] and annex["instrumentTexts"][0]["role"] == "annex"


def test_publishing_needs_the_publish_scope(world: World, publisher: TestClient, tmp_path: Path) -> None:
    anchor_bundle(world, tmp_path / "b.json", DOCS)
    raw = (tmp_path / "b.json").read_bytes()
    assert publisher.post("/v1/publish/batch", content=raw).status_code == 401
    assert publisher.post("/v1/publish/batch", content=raw, headers=_auth("wrong")).status_code == 401
    forbidden = publisher.post("/v1/publish/batch", content=raw, headers=_auth(READ_KEY))
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"
    assert publisher.get(f"/v1/verify/{DOCS[0].hex()}").json()["verdict"] == "not-notarised"


def test_forged_publications_are_refused(world: World, publisher: TestClient, tmp_path: Path) -> None:
    anchor_bundle(world, tmp_path / "b.json", DOCS)
    body = json.loads((tmp_path / "b.json").read_text())
    body["documents"][0][1] = "0x" + sha("forged certificate").hex()
    r = publisher.post("/v1/publish/batch", content=json.dumps(body).encode(), headers=_auth())
    assert r.status_code == 422 and "do not rebuild the anchored root" in r.json()["detail"]
    assert publisher.get(f"/v1/verify/{sha('forged certificate').hex()}").json()["verdict"] == "not-notarised"
    _, manifest, _ = notarise_instrument(world)
    manifest["texts"][1]["name"] = "renamed.pdf"
    r = publisher.post("/v1/publish/instrument", content=json.dumps(manifest).encode(), headers=_auth())
    assert r.status_code == 422 and "commits to this manifest" in r.json()["detail"]
    r = publisher.post("/v1/publish/batch", content=b"not json", headers=_auth())
    assert r.status_code == 422 and r.json()["code"] == "bundle-format"
    assert not list((tmp_path / "data" / "uploads").glob("*"))  # spooled uploads are removed


def test_without_an_index_publishing_is_unavailable(world: World, settings: Callable[..., ApiSettings]) -> None:
    keys = (ApiKey("consulate", hashlib.sha256(PUBLISH_KEY.encode()).digest(), frozenset({"publish"})),)
    client = TestClient(create_app(settings(api_keys=keys), gateway=world.gw))
    r = client.post("/v1/publish/instrument", content=b"{}", headers=_auth())
    assert r.status_code == 503 and r.json()["code"] == "index-unavailable"


def test_receipts_of_a_member_and_of_a_text_verify_with_ethers(
    world: World, publisher: TestClient, tmp_path: Path
) -> None:
    """The receipts the service hands out for published documents are standard EIP-712: ethers (an
    independent implementation) recovers every signer from the file alone."""
    sys.path.insert(0, str(Path(__file__).parents[1] / "unit"))
    from node_tools import node_with
    from test_eip712_ethers import ethers_recover, receipt_documents

    node = node_with("ethers", "ethers (JavaScript EIP-712)")
    anchor_bundle(world, tmp_path / "b.json", DOCS)
    publisher.post("/v1/publish/batch", content=(tmp_path / "b.json").read_bytes(), headers=_auth())
    _, manifest, _ = notarise_instrument(world)
    publisher.post("/v1/publish/instrument", content=json.dumps(manifest).encode(), headers=_auth())
    member = publisher.get(publisher.get(f"/v1/verify/{DOCS[2].hex()}").json()["batches"][0]["receipt"]).content
    text = publisher.get(publisher.get(f"/v1/verify/{FRENCH.hex()}").json()["instrumentTexts"][0]["receipt"]).content
    for raw, digest in ((member, DOCS[2]), (text, FRENCH)):
        docs = receipt_documents(json.loads(raw))
        assert docs and ethers_recover(node, [d for d, _ in docs]) == [signer for _, signer in docs]
        assert verify_offline(receipts.loads(raw), digest, world.pinned).ok
