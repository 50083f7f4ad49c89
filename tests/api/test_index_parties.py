"""`/v1/parties/{code}` from the event index: the same JSON, byte for byte, as from the chain."""

from __future__ import annotations

from collections.abc import Callable

from api_helpers import sha
from eth_account import Account
from eth_account.signers.local import LocalAccount
from index_helpers_api import indexed_client
from sqlalchemy import delete

from notary import registry
from notary.api import ApiSettings
from notary.codes import party_code
from notary.index import schema as s
from notary.testing import World

DAY = 86400


def _key(world: World, party: str, valid_from: int = 0, valid_until: int | None = None) -> LocalAccount:
    key: LocalAccount = Account.create()
    registry.add_signer(world.gw, world.controllers[party], party, key.address, valid_from, valid_until)
    return key


def _story(world: World) -> None:
    """Keys added, rotated, compromised (within and beyond the repudiation window, one confirmed by the
    depositary, one pending), revoked in the future, not yet valid and expired; a proposed and a
    scheduled controller change; delays changed; a party suspended."""
    gw, now = world.gw, world.gw.now()
    # SGP: its key declared compromised from before an act it signed; a new key revoked from next year.
    rid = world.notarise(sha("compromised act"))
    world.act(rid, "SGP")
    signed_at = gw.record(rid).attestations[-1].time
    # FRA rotates: a new key, then the old one revoked from now; a key not yet valid, one expired.
    _key(world, "FRA")
    registry.revoke_signer(gw, world.controllers["FRA"], "FRA", world.signers["FRA"].address)
    _key(world, "FRA", valid_from=now + 30 * DAY)
    _key(world, "FRA", valid_from=1, valid_until=now - DAY)
    registry.revoke_signer(gw, world.controllers["SGP"], "SGP", world.signers["SGP"].address, signed_at - 1)
    later = _key(world, "SGP")
    registry.revoke_signer(gw, world.controllers["SGP"], "SGP", later.address, now + 365 * DAY)
    registry.transfer_control(gw, world.controllers["SGP"], "SGP", Account.create().address)
    # DEU: two keys compromised beyond the window (one confirmed by the depositary, one pending).
    old = _key(world, "DEU")
    registry.declare_revocation(gw, world.controllers["DEU"], "DEU", old.address, 1)
    registry.confirm_revocation(gw, world.depositary, "DEU", old.address)
    registry.declare_revocation(gw, world.controllers["DEU"], "DEU", world.signers["DEU"].address, 2)
    registry.schedule_controller_reset(gw, world.depositary, "DEU", Account.create().address)
    registry.set_delays(gw, world.depositary, 24 * 3600, 48 * 3600)
    gw.suspend_party(world.depositary, party_code("DEU"))


PATHS = ["/v1/parties/FRA", "/v1/parties/SGP", "/v1/parties/DEU", "/v1/parties/fra"]


def test_parties_from_the_index_equal_the_chains(world: World, settings: Callable[..., ApiSettings]) -> None:
    """Every party of the story: the index path's body equals the chain path's, byte for byte, and
    shows each status the story made."""
    _story(world)
    client, _, indexer = indexed_client(world, settings)
    from_chain = [client.get(p) for p in PATHS]
    assert {r.headers["notary-source"] for r in from_chain} == {"chain"}
    indexer.run_once()
    from_index = [client.get(p) for p in PATHS]
    assert {r.headers["notary-source"] for r in from_index} == {"index"}
    for path, chain, index in zip(PATHS, from_chain, from_index, strict=True):
        assert chain.status_code == index.status_code == 200, path
        assert index.content == chain.content, path
    fra, sgp, deu, _ = (r.json() for r in from_index)
    assert [k["status"] for k in fra["keys"]] == ["compromised", "active", "not yet valid", "expired"]
    assert [k["status"] for k in sgp["keys"]] == ["compromised", "revocation pending"]
    assert sgp["pendingControl"]["byDepositary"] is False
    assert [k["status"] for k in deu["keys"]] == ["compromised", "compromised"]
    assert [k["pendingRevocation"] is not None for k in deu["keys"]] == [True, False]
    assert deu["pendingControl"]["byDepositary"] is True and deu["pendingControl"]["due"] is False
    assert [h["event"] for h in deu["history"]] == [
        "SignerAdded",
        "SignerAdded",
        "BackdatedRevocationRequested",
        "SignerRevoked",
        "BackdatedRevocationConfirmed",
        "SignerRevoked",
        "BackdatedRevocationRequested",
        "SignerRevoked",
    ]
    assert deu["status"] == "suspended" and fra["status"] == "active"


def test_the_index_stores_the_block_before_each_revocation(world: World, settings: Callable[..., ApiSettings]) -> None:
    """Whether a revocation is a compromise depends on the time of the block before it: the indexer
    stores that block, and an index built without it (older) still answers the chain's JSON, reading
    the missing times from the node."""
    _story(world)
    fresh = _key(world, "FRA")
    world.chain.fund(Account.create().address)  # a block without any event of the deployment's
    registry.revoke_signer(world.gw, world.controllers["FRA"], "FRA", fresh.address, world.gw.now() + DAY)
    client, service, indexer = indexed_client(world, settings)
    from_chain = [client.get(p).content for p in PATHS]
    indexer.run_once()
    reader = service.reader
    assert reader is not None
    history = [h for code in ("FRA", "SGP", "DEU") for h in reader.key_history(code)]
    revocations = [h["block_number"] for h in history if h["event"] == "SignerRevoked"]
    assert len(revocations) == 7
    assert set(reader.block_times(b - 1 for b in revocations)) == {b - 1 for b in revocations}
    parents_only = {b - 1 for b in revocations} - {h["block_number"] for h in history}
    assert max(revocations) - 1 in parents_only  # the funding's block: held only because a revocation follows
    with reader.engine.begin() as conn:
        conn.execute(delete(s.blocks).where(s.blocks.c.number.in_(parents_only)))
    assert not set(reader.block_times(parents_only))
    assert [client.get(p).content for p in PATHS] == from_chain


def test_an_unknown_party_is_the_chains_404(world: World, settings: Callable[..., ApiSettings]) -> None:
    """A party the index does not hold: the chain answers (404 RegistryUnknownParty), as without an index."""
    client, _, indexer = indexed_client(world, settings)
    before = client.get("/v1/parties/XYZ")
    indexer.run_once()
    after = client.get("/v1/parties/XYZ")
    assert before.status_code == after.status_code == 404
    assert after.json() == before.json() and after.headers.get("notary-source") is None


def test_a_lagging_index_leaves_parties_to_the_chain(world: World, settings: Callable[..., ApiSettings]) -> None:
    """A key revoked after the index's checkpoint: the chain answers with it until the index catches up."""
    client, _, indexer = indexed_client(world, settings)
    indexer.run_once()
    assert client.get("/v1/parties/SGP").headers["notary-source"] == "index"
    registry.revoke_signer(world.gw, world.controllers["SGP"], "SGP", world.signers["SGP"].address)
    lagging = client.get("/v1/parties/SGP")
    assert lagging.headers["notary-source"] == "chain" and lagging.json()["keys"][0]["revokedAt"] is not None
    indexer.run_once()
    caught_up = client.get("/v1/parties/SGP")
    assert caught_up.headers["notary-source"] == "index" and caught_up.content == lagging.content
