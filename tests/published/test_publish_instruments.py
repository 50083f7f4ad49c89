"""Publishing a multi-text instrument's manifest: every text and annex found by its own digest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from published_helpers import notarise_instrument, sha

from notary import receipts
from notary.errors import InvalidInputError, RecordNotFoundError
from notary.published import PublishedStore, manifest_of, publish_manifest
from notary.receipts.build import record_receipt
from notary.testing import World


def test_each_text_is_found_after_publication(world: World, store: PublishedStore) -> None:
    rid, manifest, digest = notarise_instrument(world)
    assert store.texts_of(sha("traité, texte français")) == []
    done = publish_manifest(world.gw, store, manifest)
    assert not done.already and done.digest == digest.hex() and done.record_id == "0x" + rid.hex()
    assert done.title == "Treaty of Friendship"
    fr = store.texts_of(sha("traité, texte français"))
    assert [(t.instrument.digest, t.name, t.role, t.ordinal) for t in fr] == [
        (digest.hex(), "treaty-fr.pdf", "text", 1)
    ]
    annex = store.texts_of(sha("annex 1: maps"))
    assert [(t.name, t.role) for t in annex] == [("annex-1.pdf", "annex")]
    assert publish_manifest(world.gw, store, manifest).already


def test_a_receipt_of_the_instrument_is_a_manifest(world: World, store: PublishedStore) -> None:
    rid, manifest, _ = notarise_instrument(world)
    raw = receipts.dumps(record_receipt(world.gw, rid, metadata=manifest))
    assert manifest_of(raw) == manifest
    assert not publish_manifest(world.gw, store, manifest_of(raw)).already


def test_a_manifest_the_submitter_did_not_sign_is_refused(world: World, store: PublishedStore) -> None:
    """Renaming a text (or changing the title) changes the metadata hash: refused, nothing stored."""
    _, manifest, _ = notarise_instrument(world)
    forged = json.loads(json.dumps(manifest))
    forged["texts"][1]["name"] = "treaty-fr-FORGED.pdf"
    with pytest.raises(InvalidInputError, match="commits to this manifest"):
        publish_manifest(world.gw, store, forged)
    assert store.texts_of(sha("traité, texte français")) == []


def test_an_instrument_never_notarised_is_refused(world: World, store: PublishedStore) -> None:
    manifest = {
        "texts": [
            {"name": "a.pdf", "role": "text", "sha256": sha("a").hex()},
            {"name": "b.pdf", "role": "text", "sha256": sha("b").hex()},
        ]
    }
    with pytest.raises(RecordNotFoundError, match="not notarised"):
        publish_manifest(world.gw, store, manifest)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xff\xfe", "not UTF-8 JSON"),
        (b"[1]", "not an instrument manifest"),
        (b'{"texts": "x"}', "not an instrument manifest"),
        (b"x" * (1 << 20 + 1), "at most"),
    ],
)
def test_malformed_manifests_are_typed_errors(raw: bytes, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        manifest_of(raw)


def test_a_malformed_text_list_is_a_typed_error(world: World, store: PublishedStore, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError):
        publish_manifest(world.gw, store, {"texts": [{"name": "a"}]})
