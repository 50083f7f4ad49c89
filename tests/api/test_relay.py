"""POST /v1/relay: authentication, permissions, rate limit, idempotency and every error path."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from api_helpers import READ_KEY, RELAY_KEY, act, auth, sha, signed_json
from fastapi.testclient import TestClient

from notary import ledger, signed_payload
from notary.api import ApiSettings, create_app
from notary.api.settings import RateLimit
from notary.codes import party_code, text_to_bytes32
from notary.models import BatchAnchor, Intent, Status, anchor_id, record_id
from notary.testing import World


def _count_txs(world: World, sender: str) -> int:
    return int(world.chain.w3.eth.get_transaction_count(sender))  # type: ignore[arg-type]


def test_relay_disabled_is_403(client: TestClient) -> None:
    """Without NOTARY_RELAY_ENABLED the endpoint answers 403 relay-disabled, whatever the key."""
    r = client.post("/v1/relay", content="{}", headers=auth())
    assert r.status_code == 403 and r.json()["code"] == "relay-disabled"


def test_missing_or_unknown_key_is_401_with_challenge(relay_client: TestClient) -> None:
    """No key, or a key whose hash is not configured: 401 with WWW-Authenticate."""
    r = relay_client.post("/v1/relay", content="{}")
    assert r.status_code == 401 and r.json()["code"] == "unauthorised"
    assert r.headers["www-authenticate"].startswith("Bearer")
    r = relay_client.post("/v1/relay", content="{}", headers=auth("wrong-key"))
    assert r.status_code == 401 and "wrong-key" not in r.text


def test_key_without_relay_scope_is_403(relay_client: TestClient) -> None:
    """A configured key lacking the relay scope: 403 forbidden (X-API-Key header works too)."""
    r = relay_client.post("/v1/relay", content="{}", headers={"X-API-Key": READ_KEY})
    assert r.status_code == 403 and r.json()["code"] == "forbidden" and "monitor" in r.json()["detail"]


def test_relay_notarisation_then_cosignature_executes_the_record(world: World, relay_client: TestClient) -> None:
    """FRA's notarisation and SGP's signature, relayed: the record is executed; gas paid by the service."""
    n = world.notarisation(sha("relayed mou"))
    r = relay_client.post("/v1/relay", content=signed_json(world, n, "FRA"), headers=auth())
    assert r.status_code == 200, r.text
    body = r.json()
    rid = record_id(sha("relayed mou"), party_code("FRA"))
    assert body["outcome"] == "submitted" and body["primaryType"] == "Notarisation" and body["intent"] == "notarisation"
    assert body["recordId"] == "0x" + rid.hex() and body["record"] == f"/v1/records/{sha('relayed mou').hex()}"
    assert body["signer"] == world.signers["FRA"].address and body["transaction"].startswith("0x")
    assert r.headers["idempotent-replayed"] == "false"
    r = relay_client.post("/v1/relay", content=signed_json(world, act(world, rid, "SGP"), "SGP"), headers=auth())
    assert r.status_code == 200 and r.json()["intent"] == "signature"
    assert world.gw.record(rid).status is Status.EXECUTED


def test_same_payload_twice_returns_the_first_answer_without_a_second_tx(
    world: World, relay_client: TestClient
) -> None:
    """Idempotent: the same signed payload again is 200 with the identical body and no new transaction."""
    payload = signed_json(world, world.notarisation(sha("twice")), "FRA")
    first = relay_client.post("/v1/relay", content=payload, headers=auth())
    relayer = relay_client.app.state.services.relayer.address  # type: ignore[attr-defined]
    sent = _count_txs(world, relayer)
    again = relay_client.post("/v1/relay", content=payload, headers={"X-API-Key": RELAY_KEY})
    assert again.status_code == 200 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert _count_txs(world, relayer) == sent


def test_act_already_on_chain_returns_its_transaction(world: World, relay_settings: Callable[..., ApiSettings]) -> None:
    """An act relayed by someone else first (another payload, same act) reports that transaction."""
    rid = world.notarise(sha("elsewhere"))
    sent = world.act(rid, "SGP")
    fresh = TestClient(create_app(relay_settings(), gateway=world.gw))  # a restarted service
    r = fresh.post("/v1/relay", content=signed_json(world, act(world, rid, "SGP"), "SGP"), headers=auth())
    assert r.status_code == 200
    assert r.json()["outcome"] == "already-recorded" and r.json()["transaction"] == sent.transaction


def test_notarisation_with_other_terms_than_on_chain_is_409(world: World, relay_client: TestClient) -> None:
    """The same digest and party with other parties is a conflict, not 'already recorded'."""
    world.notarise(sha("terms"), parties=("FRA", "SGP"))
    other = world.notarisation(sha("terms"), parties=("FRA", "DEU"))
    r = relay_client.post("/v1/relay", content=signed_json(world, other, "FRA"), headers=auth())
    assert r.status_code == 409 and r.json()["code"] == "NotaryDuplicateRecord"


def test_cancelling_a_cosigned_record_is_409(world: World, relay_client: TestClient) -> None:
    """A cancellation after another party signed: 409 NotaryAlreadyCosigned, with the contract's hint."""
    rid = world.notarise(sha("cosigned"), parties=("FRA", "SGP", "DEU"))
    world.act(rid, "SGP")
    cancel = act(world, rid, "FRA", Intent.CANCELLATION, "drafting error")
    r = relay_client.post("/v1/relay", content=signed_json(world, cancel, "FRA"), headers=auth())
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "NotaryAlreadyCosigned" and body["title"].endswith("(NotaryAlreadyCosigned)")
    assert body["hint"] and "Traceback" not in r.text


def test_signing_a_cancelled_record_is_409_wrong_state(world: World, relay_client: TestClient) -> None:
    """An act on a cancelled record: 409 NotaryWrongState."""
    rid = world.notarise(sha("cancelled"))
    world.act(rid, "FRA", Intent.CANCELLATION, reason="withdrawn draft")
    r = relay_client.post("/v1/relay", content=signed_json(world, act(world, rid, "SGP"), "SGP"), headers=auth())
    assert r.status_code == 409 and r.json()["code"] == "NotaryWrongState"


def test_act_on_unknown_record_is_404(world: World, relay_client: TestClient) -> None:
    """A signature on a record that does not exist: 404 NotaryUnknownRecord."""
    terms = world.notarisation(sha("never notarised")).terms
    payload = signed_json(world, ledger.prepare_act(terms, "SGP", Intent.SIGNATURE, world.deadline()), "SGP")
    r = relay_client.post("/v1/relay", content=payload, headers=auth())
    assert r.status_code == 404 and r.json()["code"] == "NotaryUnknownRecord"


def test_signature_by_another_partys_key_is_422(world: World, relay_client: TestClient) -> None:
    """A payload for SGP signed with DEU's key: rejected by the contract (unauthorised signer), 422."""
    rid = world.notarise(sha("forged"))
    r = relay_client.post("/v1/relay", content=signed_json(world, act(world, rid, "SGP"), "DEU"), headers=auth())
    assert r.status_code == 422 and r.json()["code"] == "NotaryUnauthorisedSigner"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: b.update(version=3),
        lambda b: b.update(version=1),
        lambda b: b.update(extra=1),
        lambda b: b["typedData"]["message"].update(deadline=-1),
        lambda b: b.update(signature="0x1234"),
        lambda b: b["typedData"]["domain"].update(chainId=1),
    ],
    ids=["version", "protocol-v1", "unknown-field", "bad-deadline", "short-signature", "wrong-domain"],
)
def test_malformed_or_foreign_payload_is_422(world: World, relay_client: TestClient, mutate: Callable) -> None:  # type: ignore[type-arg]
    """Strict parsing: each malformed payload, and one signed for another chain, is 422."""
    body = json.loads(signed_json(world, world.notarisation(sha("malformed")), "FRA"))
    mutate(body)
    r = relay_client.post("/v1/relay", content=json.dumps(body), headers=auth())
    codes = ("invalid-input", "wrong-domain", "signed-payload-version", "signed-payload-protocol-v1")
    assert r.status_code == 422 and r.json()["code"] in codes


def test_not_json_is_422_and_oversize_is_413(relay_client: TestClient) -> None:
    assert relay_client.post("/v1/relay", content="not json", headers=auth()).json()["code"] == "invalid-input"
    r = relay_client.post("/v1/relay", content="x" * (signed_payload.MAX_BYTES + 1), headers=auth())
    assert r.status_code == 413


def test_rate_limit_is_per_key_with_retry_after(world: World, relay_settings: Callable[..., ApiSettings]) -> None:
    """Past its burst, a key gets 429 with Retry-After; requests are counted before parsing."""
    c = TestClient(create_app(relay_settings(rate_limit=RateLimit(2, 60.0)), gateway=world.gw))
    assert [c.post("/v1/relay", content="{}", headers=auth()).status_code for _ in range(2)] == [422, 422]
    r = c.post("/v1/relay", content="{}", headers=auth())
    assert r.status_code == 429 and r.json()["code"] == "rate-limited" and int(r.headers["retry-after"]) == 30


def test_relay_batch_anchor_and_again(world: World, relay_client: TestClient) -> None:
    """A batch anchor relays once; relayed again it returns the same transaction."""
    root = sha("batch root")
    b = BatchAnchor(root, party_code("DEU"), text_to_bytes32("sha256"), bytes(32), world.deadline())
    first = relay_client.post("/v1/relay", content=signed_json(world, b, "DEU"), headers=auth())
    assert first.status_code == 200 and first.json()["intent"] == "anchor"
    assert first.json()["anchorId"] == "0x" + anchor_id(root, party_code("DEU")).hex()
    later = BatchAnchor(root, party_code("DEU"), text_to_bytes32("sha256"), bytes(32), world.deadline(7200))
    again = relay_client.post("/v1/relay", content=signed_json(world, later, "DEU"), headers=auth())
    assert again.json()["outcome"] == "already-recorded"
    assert again.json()["transaction"] == first.json()["transaction"]
