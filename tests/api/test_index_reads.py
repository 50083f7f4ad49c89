"""Reads from the event index: the same JSON as the chain path, the fallback, and the background indexer."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from api_helpers import EXAMPLE, sha
from eth_account import Account
from eth_account.signers.local import LocalAccount
from fastapi.testclient import TestClient
from index_helpers_api import indexed_client

from notary import ledger, registry
from notary.api import ApiSettings, create_app
from notary.api.settings import IndexSettings
from notary.codes import party_code
from notary.models import Intent
from notary.testing import World

MOU_DIGEST = hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()


def _story(world: World) -> list[str]:
    """Records in every shape the API shows; returns their digests (hex)."""
    v1 = world.notarise(sha("v1"))
    world.act(v1, "SGP")
    v2 = world.notarise(sha("v2"), supersedes=v1)
    world.act(v2, "SGP")
    world.act(v2, "FRA", Intent.ANNULMENT, reason="void")  # an executed amendment, later annulled
    world.act(v2, "SGP", Intent.ANNULMENT, reason="void")
    treaty = world.notarise(sha("treaty"), parties=("FRA", "SGP", "DEU"), quorum=2, ratification=True)
    world.act(treaty, "SGP")
    world.act(treaty, "DEU")
    world.act(treaty, "DEU", Intent.WITHDRAWAL, reason="not our text")
    cancelled = world.notarise(sha("typo"))
    world.act(cancelled, "FRA", Intent.CANCELLATION, reason="typo")
    world.notarise(sha("shared"), "FRA")
    world.notarise(sha("shared"), "SGP")
    world.notarise(sha("open"), parties=("FRA", "DEU"))
    bad = world.notarise(sha("compromise"))
    world.act(bad, "SGP")
    signed_at = world.gw.record(bad).attestations[-1].time
    registry.revoke_signer(world.gw, world.controllers["SGP"], "SGP", world.signers["SGP"].address, signed_at - 1)
    # SGP's act voided on chain, then signed again with a new key (the world's signers stay as they were).
    world.gw.void_act(world.relayer, world.gw.terms(bad), party_code("SGP"), Intent.SIGNATURE)
    sgp = _new_key(world, "SGP")
    world.act(bad, "SGP", key=sgp)
    # DEU's notarisation voided (the record is void), notarised again by DEU with a new key and other terms.
    again = world.notarise(sha("again"), "DEU", parties=("DEU", "SGP"))
    notarised_at = world.gw.record(again).created_at
    registry.revoke_signer(world.gw, world.controllers["DEU"], "DEU", world.signers["DEU"].address, notarised_at)
    world.gw.void_act(world.relayer, world.gw.terms(again), party_code("DEU"), Intent.SIGNATURE)
    deu = _new_key(world, "DEU")
    n = world.notarisation(sha("again"), "DEU", parties=("DEU", "SGP", "FRA"), quorum=2, kind="agreement")
    ledger.submit(world.gw, world.relayer, ledger.sign(n, world.gw.domain, deu))
    world.act(again, "SGP", key=sgp)
    return [sha(x).hex() for x in ("v1", "v2", "treaty", "typo", "shared", "open", "compromise", "again")]


def _new_key(world: World, party: str) -> LocalAccount:
    key: LocalAccount = Account.create()
    registry.add_signer(world.gw, world.controllers[party], party, key.address, 0)
    return key


def test_index_answers_with_exactly_the_chain_paths_json(world: World, settings: Callable[..., ApiSettings]) -> None:
    """Supersession (with an annulled amendment), ratification, withdrawal, cancellation, two submitters,
    an open record, a voided act signed again, a record notarised again after a void: the index path's
    body equals the chain path's, byte for byte."""
    digests = _story(world)
    client, _, indexer = indexed_client(world, settings)
    paths = [f"/v1/records/{d}" for d in digests] + [f"/v1/records/{sha('shared').hex()}?submitter=SGP"]
    from_chain = [client.get(p) for p in paths]
    assert {r.headers["notary-source"] for r in from_chain} == {"chain"}
    indexer.run_once()
    from_index = [client.get(p) for p in paths]
    assert {r.headers["notary-source"] for r in from_index} == {"index"}
    for chain, index in zip(from_chain, from_index, strict=True):
        assert index.status_code == chain.status_code == 200
        assert index.content == chain.content
    v1 = from_index[0].json()["records"][0]
    assert v1["status"] == "superseded" and v1["links"]["supersededBy"]["status"] == "annulled"
    bad = from_index[6].json()["records"][0]
    assert bad["status"] == "executed" and bad["signatures"] == 2
    assert [a["valid"] for a in bad["attestations"]] == [True, False, True]
    assert bad["attestations"][1]["health"].startswith(
        "invalid (voided on chain): signed by a key declared compromised"
    )
    again = from_index[7].json()["records"][0]
    assert (again["kind"], again["parties"], again["quorum"], again["status"]) == (
        "agreement",
        ["DEU", "SGP", "FRA"],
        2,
        "executed",
    )
    assert [(a["party"], a["valid"]) for a in again["attestations"]] == [("DEU", True), ("SGP", True)]


def test_index_path_errors_match_the_chain_path(world: World, settings: Callable[..., ApiSettings]) -> None:
    """Unknown digest and unknown submitter: the same 404 problem from the index as from the chain."""
    client, _, indexer = indexed_client(world, settings)
    mou = client.get("/v1/records/" + sha("nobody").hex()).json()
    by_deu = client.get(f"/v1/records/{sha('v1').hex()}?submitter=DEU").json()
    indexer.run_once()
    assert client.get("/v1/records/" + sha("nobody").hex()).json() == mou
    assert client.get(f"/v1/records/{sha('v1').hex()}?submitter=DEU").json() == by_deu
    assert mou["status"] == 404 and mou["code"] == "record-not-found"


def test_a_lagging_index_falls_back_to_the_chain(world: World, settings: Callable[..., ApiSettings]) -> None:
    """A block the index has not reached: the chain answers (with the new act), until the index catches up."""
    rid = world.notarise(sha("late"))
    client, service, indexer = indexed_client(world, settings)
    indexer.run_once()
    assert client.get(f"/v1/records/{sha('late').hex()}").headers["notary-source"] == "index"
    world.act(rid, "SGP")
    r = client.get(f"/v1/records/{sha('late').hex()}")
    assert r.headers["notary-source"] == "chain" and r.json()["records"][0]["status"] == "executed"
    assert service.lag(world.chain.block_number()) == 1
    indexer.run_once()
    again = client.get(f"/v1/records/{sha('late').hex()}")
    assert again.headers["notary-source"] == "index" and again.json() == r.json()


def test_max_lag_lets_a_slightly_behind_index_answer(world: World, settings: Callable[..., ApiSettings]) -> None:
    """NOTARY_INDEX_MAX_LAG=1: one block behind, the index still answers (without the newest act)."""
    rid = world.notarise(sha("late"))
    client, _, indexer = indexed_client(world, settings, index=IndexSettings(max_lag=1))
    indexer.run_once()
    world.act(rid, "SGP")
    r = client.get(f"/v1/records/{sha('late').hex()}")
    assert r.headers["notary-source"] == "index" and r.json()["records"][0]["status"] == "open"


def test_background_indexer_runs_with_the_app(world: World, settings: Callable[..., ApiSettings]) -> None:
    """The lifespan starts the indexer thread: /readyz reports it and its lag, which reaches 0; reads then
    come from the index; shutting the app down stops the thread."""
    app = create_app(settings(index=IndexSettings(poll_interval=0.05)), gateway=world.gw)
    service = app.state.services.index
    with TestClient(app) as client:
        deadline = time.monotonic() + 15
        while (ready := client.get("/readyz").json())["indexerLag"] != 0:
            assert time.monotonic() < deadline, ready
            time.sleep(0.05)
        assert ready["status"] == "ready" and ready["checks"]["indexer"] == "ok" and service.running
        r = client.get(f"/v1/records/{MOU_DIGEST}")
        assert r.status_code == 200 and r.headers["notary-source"] == "index"
        assert [a["party"] for a in r.json()["records"][0]["attestations"]] == ["FRA", "SGP"]
    assert not service.running


def test_readyz_unready_when_the_indexer_is_not_running(world: World, settings: Callable[..., ApiSettings]) -> None:
    """Index enabled but its thread not running (the app was not started): unready, the lag still shown."""
    client, _, _ = indexed_client(world, settings)
    body = client.get("/readyz").json()
    assert body["status"] == "unready" and body["checks"]["indexer"] == "not running"
    assert body["indexerLag"] == world.chain.block_number() - world.gw.deployment.start_block + 1
