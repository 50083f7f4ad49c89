"""POST /v1/relay when the node's answer to the send is lost: the relay's pipelined submitter looks
the transaction up by its hash (never "reverted" or "refused", which would be false), and retries of
the same payload make one transaction in all."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from eth_account import Account
from fastapi.testclient import TestClient
from rpc_proxy import FaultProxy

from notary import config, ledger, signed_payload
from notary.api import ApiSettings, create_app
from notary.api.settings import ApiKey, IndexSettings, RateLimit, RelayerSource
from notary.chain.connect import rpc
from notary.chain.gateway import LedgerGateway
from notary.codes import party_code
from notary.models import record_id
from notary.testing import World

pytestmark = pytest.mark.anvil

KEY = "relay-key-for-fault-tests"
HEADERS = {"Authorization": f"Bearer {KEY}", "Content-Type": signed_payload.MEDIA_TYPE}


@pytest.fixture(scope="module")
def world(anvil_url: str) -> World:
    return World.build(rpc(anvil_url))


@pytest.mark.parametrize("fault", ["lost", "truncated", "http500-after"])
def test_retries_after_a_lost_send_answer_make_one_transaction(
    world: World, anvil_url: str, tmp_path: Path, fault: str
) -> None:
    relayer = Account.create()
    proxy = FaultProxy(anvil_url, script={"eth_sendRawTransaction": [fault]})
    with proxy.running() as url:
        gw = LedgerGateway(rpc(url), world.gw.deployment)
        settings = ApiSettings(
            base=config.Settings(data_dir=tmp_path / "data"),
            relay_enabled=True,
            api_keys=(ApiKey("ops", hashlib.sha256(KEY.encode()).digest()),),
            relayer=RelayerSource(private_key=relayer.key.hex()),
            rate_limit=RateLimit(100, 1.0),
            index=IndexSettings(enabled=False),
        )
        client = TestClient(create_app(settings, gateway=gw))
        digest = hashlib.sha256(f"relayed through a {fault} answer".encode()).digest()
        body = signed_payload.to_json(ledger.sign(world.notarisation(digest), world.gw.domain, world.signers["FRA"]))
        first = client.post("/v1/relay", content=body, headers=HEADERS)
        # The pipelined submitter looks a lost answer up by hash while the request waits: the node had it.
        assert first.status_code == 200, first.text
        assert first.json()["outcome"] == "submitted" and "reverted" not in first.text
        answers = [client.post("/v1/relay", content=body, headers=HEADERS) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200], answers[0].text
    assert {a.json()["transaction"] for a in answers} == {first.json()["transaction"]}
    assert [a.headers["Idempotent-Replayed"] for a in answers] == ["true"] * 3
    assert proxy.forwarded["eth_sendRawTransaction"] == 1  # never sent again: found by its hash
    assert int(world.chain.w3.eth.get_transaction_count(relayer.address, "latest")) == 1
    acts = world.gw.attestations(record_id(digest, party_code("FRA")))
    assert [(a.party, a.transaction) for a in acts] == [("FRA", first.json()["transaction"])]
