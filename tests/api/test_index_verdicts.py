"""`/v1/verify` from the event index: the same verdict, byte for byte, as from the chain."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from api_helpers import sha
from index_helpers_api import indexed_client

from notary import registry
from notary.api import ApiSettings
from notary.models import Intent
from notary.published import publish_bundle, publish_manifest
from notary.testing import World

sys.path.insert(0, str(Path(__file__).parents[1] / "published"))
from published_helpers import anchor_bundle, notarise_instrument  # noqa: E402


def test_verdicts_from_the_index_equal_the_chains(
    world: World, settings: Callable[..., ApiSettings], tmp_path: Path
) -> None:
    """Records executed, in force, superseded and open, with a withdrawal; a disputed digest; an act whose
    key is known compromised but not yet voided on chain, a published batch and a published instrument's
    text, under several policies."""
    original = dict(world.signers)
    try:
        _check(world, settings, tmp_path)
    finally:
        world.signers.clear()
        world.signers.update(original)  # the session's world: its chain is reverted, its keys restored here


def _story(world: World) -> list[str]:
    """An executed MoU, a treaty in force with a withdrawal, an amendment superseding the MoU, an open record."""
    mou = world.notarise(sha("mou"))
    world.act(mou, "SGP")
    treaty = world.notarise(sha("treaty"), parties=("FRA", "SGP", "DEU"), quorum=2, ratification=True)
    world.act(treaty, "SGP")
    world.act(treaty, "DEU")
    world.act(treaty, "FRA", Intent.RATIFICATION)
    world.act(treaty, "SGP", Intent.RATIFICATION)
    world.act(treaty, "DEU", Intent.WITHDRAWAL, reason="not our text")
    amendment = world.notarise(sha("amendment"), supersedes=mou)
    world.act(amendment, "SGP")
    world.notarise(sha("open"), parties=("FRA", "DEU"))
    return [sha(x).hex() for x in ("mou", "treaty", "amendment", "open")]


def _check(world: World, settings: Callable[..., ApiSettings], tmp_path: Path) -> None:
    digests = _story(world)
    # Disputed: FRA and SGP annul their record; DEU notarises the same digest and it executes at once.
    disputed = world.notarise(sha("disputed"))
    world.act(disputed, "SGP")
    world.act(disputed, "FRA", Intent.ANNULMENT, reason="void")
    world.act(disputed, "SGP", Intent.ANNULMENT, reason="void")
    world.notarise(sha("disputed"), "DEU", parties=("DEU",), quorum=1)
    # A void pending: DEU's key declared compromised from before its signature; nobody sent `notary void`.
    pending = world.notarise(sha("pending void"), parties=("FRA", "SGP", "DEU"), quorum=2)
    world.act(pending, "SGP")
    world.act(pending, "DEU")
    signed_at = world.gw.record(pending).attestations[-1].time
    key = world.signers["DEU"].address
    registry.revoke_signer(world.gw, world.controllers["DEU"], "DEU", key, signed_at - 1)
    certificates = [sha(f"certificate {i}") for i in range(9)]
    anchor_bundle(world, tmp_path / "b.json", certificates, party="FRA")
    _, manifest, _ = notarise_instrument(world)
    client, service, indexer = indexed_client(world, settings)
    store = service.published()
    publish_bundle(world.gw, store, tmp_path / "b.json")
    publish_manifest(world.gw, store, manifest)
    extra = [sha(x).hex() for x in ("disputed", "pending void", "nothing")]
    extra += [certificates[4].hex(), sha("traité, texte français").hex()]
    policies = ["?signed_by=FRA,SGP", "?in_force=true", "?submitter=SGP"]
    paths = [f"/v1/verify/{d}" for d in digests + extra]
    paths += [f"/v1/verify/{d}{q}" for d in (digests[1], extra[0], extra[3], extra[4]) for q in policies]
    from_chain = [client.get(p) for p in paths]
    assert {r.headers["notary-source"] for r in from_chain} == {"chain"}
    indexer.run_once()
    from_index = [client.get(p) for p in paths]
    assert {r.headers["notary-source"] for r in from_index} == {"index"}
    for path, chain, index in zip(paths, from_chain, from_index, strict=True):
        assert chain.status_code == index.status_code == 200, path
        assert index.content == chain.content, path
    verdicts = {p: json.loads(r.content)["verdict"] for p, r in zip(paths, from_index, strict=True)}
    assert verdicts[f"/v1/verify/{sha('disputed').hex()}"] == "disputed"
    assert verdicts[f"/v1/verify/{certificates[4].hex()}"] == "verified"
    assert verdicts[f"/v1/verify/{sha('traité, texte français').hex()}"] == "verified"
    assert verdicts[f"/v1/verify/{sha('nothing').hex()}"] == "not-notarised"


def test_a_same_height_reorg_sends_reads_back_to_the_chain(world: World, settings: Callable[..., ApiSettings]) -> None:
    """The index is current by block hash, not only by height: after a reorganisation to a branch of
    the same height, its rows (of the orphaned branch) are not served until it rolls back."""
    world.notarise(sha("kept"))
    before = world.chain.tester.take_snapshot()
    world.notarise(sha("orphaned"))  # the block the index will hold
    client, service, indexer = indexed_client(world, settings)
    service.hash_check_interval = 0.0  # check the checkpoint's hash on every read (1 s in service)
    indexer.run_once()
    assert client.get(f"/v1/records/{sha('orphaned').hex()}").headers["notary-source"] == "index"
    world.chain.tester.revert_to_snapshot(before)
    world.notarise(sha("the other branch"))  # same height, another block
    r = client.get(f"/v1/records/{sha('orphaned').hex()}")
    assert r.status_code == 404  # the chain answered: the index still holds the orphaned row
    v = client.get(f"/v1/verify/{sha('the other branch').hex()}")
    assert v.headers["notary-source"] == "chain" and v.json()["notarised"]
    indexer.run_once()  # rolls back and follows the canonical branch
    assert client.get(f"/v1/verify/{sha('the other branch').hex()}").headers["notary-source"] == "index"
