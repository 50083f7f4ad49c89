"""Answers of the index at the head block are reused, as the same bytes, only while nothing they
depend on has changed: the head block (by hash) and the published documents."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from api_helpers import sha
from index_helpers_api import indexed_client

from notary.api import ApiSettings
from notary.published import publish_bundle
from notary.testing import World

sys.path.insert(0, str(Path(__file__).parents[1] / "published"))
from published_helpers import anchor_bundle  # noqa: E402


def test_a_repeated_question_is_served_again_until_a_new_block(
    world: World, settings: Callable[..., ApiSettings]
) -> None:
    """The same verify, records and party questions at the same head: answered once, then the kept
    bytes; a new block is never answered with them (the chain answers until the index catches up)."""
    rid = world.notarise(sha("cached"))
    client, _, indexer = indexed_client(world, settings)
    cache = client.app.state.services.answers  # type: ignore[attr-defined]
    indexer.run_once()
    paths = [f"/v1/verify/{sha('cached').hex()}", f"/v1/records/{sha('cached').hex()}", "/v1/parties/SGP"]
    first = [client.get(p) for p in paths]
    assert (cache.hits, cache.misses) == (0, 3)
    again = [client.get(p) for p in paths]
    assert (cache.hits, cache.misses) == (3, 3)
    assert [r.content for r in again] == [r.content for r in first]
    assert {r.headers["notary-source"] for r in first + again} == {"index"}
    world.act(rid, "SGP")  # a new block: the index is behind it
    behind = [client.get(p) for p in paths]
    assert {r.headers["notary-source"] for r in behind} == {"chain"} and cache.hits == 3
    assert behind[0].json()["verified"] and not first[0].json()["verified"]
    indexer.run_once()
    caught_up = [client.get(p) for p in paths]
    assert {r.headers["notary-source"] for r in caught_up} == {"index"} and cache.hits == 3
    assert [r.content for r in caught_up] == [r.content for r in behind]


def test_a_publication_changes_a_kept_verdict_without_a_new_block(
    world: World, settings: Callable[..., ApiSettings], tmp_path: Path
) -> None:
    """A batch anchored but not yet published: its member is not found; once the bundle is published
    (no block mined), the same question finds it: the kept answer is not served."""
    certificates = [sha(f"certificate {i}") for i in range(5)]
    anchor_bundle(world, tmp_path / "b.json", certificates, party="FRA")
    client, service, indexer = indexed_client(world, settings)
    indexer.run_once()
    path = f"/v1/verify/{certificates[2].hex()}"
    before = [client.get(path), client.get(path)]
    assert before[0].content == before[1].content and before[0].json()["verdict"] == "not-notarised"
    head = world.chain.block_number()
    publish_bundle(world.gw, service.published(), tmp_path / "b.json")
    assert world.chain.block_number() == head
    after = client.get(path)
    assert after.headers["notary-source"] == "index" and after.json()["verdict"] == "verified"


def test_an_upload_shares_the_verdict_of_its_digest_and_names_the_file(
    world: World, settings: Callable[..., ApiSettings]
) -> None:
    """POST /v1/verify of a file after GET /v1/verify of its digest: the same verdict, plus the file."""
    world.notarise(sha("uploaded"))
    client, _, indexer = indexed_client(world, settings)
    indexer.run_once()
    by_digest = client.get(f"/v1/verify/{sha('uploaded').hex()}").json()
    raw = {"content": b"uploaded", "headers": {"Content-Type": "application/octet-stream"}}
    form = {"files": {"file": ("doc.txt", b"uploaded")}}
    uploads = [client.post("/v1/verify", **raw).json(), client.post("/v1/verify", **form).json()]  # type: ignore[arg-type]
    assert by_digest["file"] is None
    assert [(u["file"]["name"], u["file"]["size"]) for u in uploads] == [(None, 8), ("doc.txt", 8)]
    assert all({**u, "file": None} == by_digest for u in uploads)
