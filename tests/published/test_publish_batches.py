"""Publishing a batch bundle: checked against the chain, stored by digest, proofs that verify."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from published_helpers import anchor_bundle, sha

from notary import merkle
from notary.batch import BundleFormatError
from notary.errors import InvalidInputError, RecordNotFoundError
from notary.published import PublishedStore, publish_bundle
from notary.testing import World


def test_every_document_is_found_with_a_proof_the_ledger_accepts(
    world: World, store: PublishedStore, tmp_path: Path
) -> None:
    digests = [sha(f"certificate {i}") for i in range(37)] + [sha("certificate 3")]  # one given twice
    bundle = anchor_bundle(world, tmp_path / "b.json", digests, title="Consular certificates, March")
    done = publish_bundle(world.gw, store, tmp_path / "b.json")
    assert not done.already and done.documents == 38 and done.party == "FRA"
    assert done.title == "Consular certificates, March"
    tree = bundle.tree()
    for i, d in enumerate(digests):
        found = store.memberships(d)
        assert [m.batch.anchor_id for m in found] == [done.anchor_id] * (2 if d == sha("certificate 3") else 1)
        m = next(m for m in found if m.ordinal == i)
        assert m.name == bundle.names[i]
        assert list(m.proof) == tree.proof(i)  # the same proof the bundle gives
        assert merkle.verify(d, m.proof, bundle.payload.root)
        aid = bytes.fromhex(done.anchor_id[2:])
        assert world.gw.verify_inclusion(aid, d, list(m.proof))
    assert store.memberships(sha("not in the batch")) == []


def test_publishing_again_changes_nothing(world: World, store: PublishedStore, tmp_path: Path) -> None:
    anchor_bundle(world, tmp_path / "b.json", [sha(f"doc {i}") for i in range(5)])
    first = publish_bundle(world.gw, store, tmp_path / "b.json")
    again = publish_bundle(world.gw, store, tmp_path / "b.json")
    assert again.already and again.anchor_id == first.anchor_id
    assert len(store.memberships(sha("doc 0"))) == 1


def test_an_altered_index_is_refused_and_nothing_is_stored(world: World, store: PublishedStore, tmp_path: Path) -> None:
    anchor_bundle(world, tmp_path / "b.json", [sha(f"doc {i}") for i in range(5)])
    body = json.loads((tmp_path / "b.json").read_text())
    body["documents"][2][1] = "0x" + sha("a forged certificate").hex()
    (tmp_path / "forged.json").write_text(json.dumps(body))
    with pytest.raises(BundleFormatError, match="do not rebuild the anchored root"):
        publish_bundle(world.gw, store, tmp_path / "forged.json")
    assert store.memberships(sha("a forged certificate")) == [] and list(store.batches()) == []


def test_a_bundle_never_anchored_is_refused(world: World, store: PublishedStore, tmp_path: Path) -> None:
    """The anchor's transaction is undone (snapshot reverted): the bundle names a batch the ledger does not hold."""
    before = world.chain.tester.take_snapshot()
    anchor_bundle(world, tmp_path / "b.json", [sha(f"doc {i}") for i in range(5)])
    world.chain.tester.revert_to_snapshot(before)
    with pytest.raises(RecordNotFoundError, match="is not anchored on this ledger"):
        publish_bundle(world.gw, store, tmp_path / "b.json")
    assert list(store.batches()) == []


def test_a_bundle_of_another_ledger_is_refused(world: World, store: PublishedStore, tmp_path: Path) -> None:
    anchor_bundle(world, tmp_path / "b.json", [sha(f"doc {i}") for i in range(5)])
    body = json.loads((tmp_path / "b.json").read_text())
    body["chain"]["ledger"] = "0x" + "12" * 20
    (tmp_path / "other.json").write_text(json.dumps(body))
    with pytest.raises(InvalidInputError, match="not of this ledger"):
        publish_bundle(world.gw, store, tmp_path / "other.json")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b.update(version=1), "protocol v1"),
        (lambda b: b.update(extra=1), "fields differ"),
        (lambda b: b.update(documents=[]), "1 to"),
        (lambda b: b.update(documents=[["a", "0x12"]]), "name, 0x-digest"),
        (lambda b: b.update(documents=[["a", "0x" + "zz" * 32]]), "not hex"),
        (lambda b: b.update(mediaType="x"), "not a batch bundle"),
    ],
)
def test_malformed_bundles_are_typed_errors(
    world: World, store: PublishedStore, tmp_path: Path, mutate, message
) -> None:  # type: ignore[no-untyped-def]
    anchor_bundle(world, tmp_path / "b.json", [sha(f"doc {i}") for i in range(3)])
    body = json.loads((tmp_path / "b.json").read_text())
    mutate(body)
    (tmp_path / "bad.json").write_text(json.dumps(body))
    with pytest.raises(BundleFormatError, match=message):
        publish_bundle(world.gw, store, tmp_path / "bad.json")


def test_trailing_data_and_non_json_are_refused(world: World, store: PublishedStore, tmp_path: Path) -> None:
    anchor_bundle(world, tmp_path / "b.json", [sha(f"doc {i}") for i in range(3)])
    (tmp_path / "trail.json").write_bytes((tmp_path / "b.json").read_bytes() + b" []")
    with pytest.raises(BundleFormatError, match="trailing"):
        publish_bundle(world.gw, store, tmp_path / "trail.json")
    (tmp_path / "utf16.json").write_bytes((tmp_path / "b.json").read_text().encode("utf-16"))
    with pytest.raises(BundleFormatError):
        publish_bundle(world.gw, store, tmp_path / "utf16.json")


def test_an_altered_copy_of_a_published_bundle_is_refused_not_welcomed(
    world: World, store: PublishedStore, tmp_path: Path
) -> None:
    anchor_bundle(world, tmp_path / "b.json", [sha(f"doc {i}") for i in range(5)])
    publish_bundle(world.gw, store, tmp_path / "b.json")
    body = json.loads((tmp_path / "b.json").read_text())
    body["documents"][0][1] = "0x" + sha("forged").hex()
    (tmp_path / "forged.json").write_text(json.dumps(body))
    with pytest.raises(BundleFormatError, match="do not rebuild"):
        publish_bundle(world.gw, store, tmp_path / "forged.json")
