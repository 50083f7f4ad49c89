"""Verdicts on published documents: a batch member and each text of an instrument verify by digest."""

from __future__ import annotations

from pathlib import Path

from published_helpers import anchor_bundle, notarise_instrument, sha

from notary import registry
from notary.models import Intent
from notary.published import PublishedStore, publish_bundle, publish_manifest
from notary.testing import World
from notary.verify import Policy, verify_digest

DOCS = [sha(f"consular certificate {i}") for i in range(20)]


def test_a_batch_member_is_not_notarised_until_published_then_verified(
    world: World, store: PublishedStore, tmp_path: Path
) -> None:
    anchor_bundle(world, tmp_path / "b.json", DOCS, title="Certificates")
    before = verify_digest(world.gw, DOCS[7], published=store)
    assert before.state == "not-notarised" and not before.ok
    publish_bundle(world.gw, store, tmp_path / "b.json")
    v = verify_digest(world.gw, DOCS[7], published=store)
    assert v.state == "verified" and v.ok and v.notarised
    (b,) = v.batches
    assert b.ok and b.included and b.membership.name == "certificate-00007.pdf" and b.membership.batch.party == "FRA"
    assert b.signer == world.signers["FRA"].address
    # The policy: only the anchoring party is bound; a batch is never "in force".
    assert verify_digest(world.gw, DOCS[7], Policy.of("FRA"), store).ok
    sgp = verify_digest(world.gw, DOCS[7], Policy.of("FRA,SGP"), store)
    assert not sgp.ok and any("binds only FRA" in r for r in sgp.reasons)
    assert not verify_digest(world.gw, DOCS[7], Policy(in_force=True), store).ok
    assert not verify_digest(world.gw, DOCS[7], Policy.of(submitter="SGP"), store).ok
    # Not in the batch: still not notarised.
    assert verify_digest(world.gw, sha("a forged certificate"), published=store).state == "not-notarised"


def test_a_batch_anchored_by_a_compromised_key_fails(world: World, store: PublishedStore, tmp_path: Path) -> None:
    """FRA declares the anchoring key compromised from before the anchor: the member no longer verifies."""
    anchor_bundle(world, tmp_path / "b.json", DOCS)
    publish_bundle(world.gw, store, tmp_path / "b.json")
    key = world.signers["FRA"].address
    registry.revoke_signer(world.gw, world.controllers["FRA"], "FRA", key, world.gw.now() - 60)
    v = verify_digest(world.gw, DOCS[0], published=store)
    assert not v.ok and v.state == "not-verified"
    assert any("was not authorised when it anchored" in r for r in v.reasons)


def test_each_text_of_an_instrument_verifies_as_the_instrument(world: World, store: PublishedStore) -> None:
    rid, manifest, digest = notarise_instrument(world)
    french = sha("traité, texte français")
    assert verify_digest(world.gw, french, published=store).state == "not-notarised"
    publish_manifest(world.gw, store, manifest)
    for text in (sha("treaty, English text"), french, sha("annex 1: maps")):
        v = verify_digest(world.gw, text, published=store)
        assert v.ok and v.state == "verified"
        (t,) = v.texts
        assert t.instrument.digest == digest and t.instrument.records[0].bound == ("FRA", "SGP")
    # The instrument's own verdict drives the text's: SGP withdraws, the policy asking for SGP then fails.
    world.act(rid, "SGP", Intent.WITHDRAWAL, "no longer bound")
    v = verify_digest(world.gw, french, Policy.of("SGP"), store)
    assert not v.ok and any("treaty-fr.pdf" in r and "SGP" in r for r in v.reasons)


def test_an_annulled_instrument_makes_its_texts_fail(world: World, store: PublishedStore) -> None:
    rid, manifest, _ = notarise_instrument(world)
    publish_manifest(world.gw, store, manifest)
    world.act(rid, "FRA", Intent.ANNULMENT, "superseded by events")
    world.act(rid, "SGP", Intent.ANNULMENT, "superseded by events")
    v = verify_digest(world.gw, sha("traité, texte français"), published=store)
    assert not v.ok and v.state == "not-verified"
    assert any("annulled" in r for r in v.reasons)
