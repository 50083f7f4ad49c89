"""The public read endpoints: records, verification (upload and digest), parties, problems."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable

import pytest
from api_helpers import EXAMPLE, sha
from fastapi.testclient import TestClient

from notary import registry
from notary.api import ApiSettings, create_app
from notary.models import Intent
from notary.testing import World

MOU = EXAMPLE.read_bytes()
MOU_DIGEST = hashlib.sha256(MOU).hexdigest()
PROBLEM = "application/problem+json"


def test_record_by_digest_has_parties_attestations_and_confirmations(client: TestClient) -> None:
    """GET /v1/records/{digest}: the executed MoU with both signatures, signer, time, tx, health."""
    r = client.get(f"/v1/records/{MOU_DIGEST}")
    assert r.status_code == 200
    body = r.json()
    (record,) = body["records"]
    assert record["status"] == "executed" and record["parties"] == ["FRA", "SGP"] and record["quorum"] == 2
    acts = [(a["party"], a["intent"], a["health"]) for a in record["attestations"]]
    assert acts == [("FRA", "signature", "valid"), ("SGP", "signature", "valid")]
    first, second = record["attestations"]
    assert first["signer"].startswith("0x") and first["transaction"].startswith("0x")
    assert first["confirmations"] == second["confirmations"] + 1 >= 2
    assert record["links"] == {"supersedes": None, "supersededBy": None}
    assert body["chain"]["block"] == second["block"]


def test_record_accepts_0x_digest_and_filters_by_submitter(client: TestClient) -> None:
    """A 0x-prefixed digest is the same digest; ?submitter= keeps only that party's record."""
    assert client.get(f"/v1/records/0x{MOU_DIGEST}?submitter=FRA").json()["records"][0]["submitter"] == "FRA"
    r = client.get(f"/v1/records/{MOU_DIGEST}?submitter=SGP")
    assert r.status_code == 404 and "by SGP" in r.json()["detail"]


def test_unknown_digest_is_404_problem(client: TestClient) -> None:
    """A digest nobody notarised: 404 as RFC 9457 problem details with a stable code."""
    r = client.get(f"/v1/records/{sha('nobody').hex()}")
    assert r.status_code == 404
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["code"] == "record-not-found" and body["type"] == "urn:notary:problem:record-not-found"
    assert body["status"] == 404 and body["instance"].startswith("/v1/records/") and body["hint"]


@pytest.mark.parametrize("bad", ["abc", "zz" * 32, "0" * 63])
def test_malformed_digest_is_422_problem(client: TestClient, bad: str) -> None:
    """A path digest that is not 64 hex digits: 422 invalid-request with the field named."""
    r = client.get(f"/v1/verify/{bad}")
    assert r.status_code == 422 and r.headers["content-type"] == PROBLEM
    assert r.json()["code"] == "invalid-request" and r.json()["errors"][0]["loc"] == ["path", "digest"]


def test_supersession_links_both_ways(world: World, client: TestClient) -> None:
    """An executed amendment links to the record it supersedes, which links back (and is superseded)."""
    old = world.notarise(sha("v1"))
    world.act(old, "SGP")
    new = world.notarise(sha("v2"), supersedes=old)
    world.act(new, "SGP")
    v1 = client.get(f"/v1/records/{sha('v1').hex()}").json()["records"][0]
    v2 = client.get(f"/v1/records/{sha('v2').hex()}").json()["records"][0]
    assert v1["status"] == "superseded" and v1["links"]["supersededBy"]["digest"] == sha("v2").hex()
    assert v2["links"]["supersedes"] == {
        "recordId": "0x" + old.hex(),
        "digest": sha("v1").hex(),
        "submitter": "FRA",
        "status": "superseded",
        "href": f"/v1/records/{sha('v1').hex()}",
    }


def test_verify_upload_returns_verdict_with_file(client: TestClient) -> None:
    """POST /v1/verify (multipart): the MoU is verified, with the file's name and size."""
    r = client.post("/v1/verify", files={"file": ("mou.md", MOU, "text/markdown")})
    assert r.status_code == 200
    body = r.json()
    assert body["verified"] and body["notarised"] and body["digest"] == MOU_DIGEST
    assert body["file"] == {"name": "mou.md", "size": len(MOU), "hashAlgorithm": "sha256"}
    assert body["records"][0]["ok"] and body["records"][0]["record"]["status"] == "executed"


def test_verify_upload_ignores_other_fields_and_accepts_raw_body(client: TestClient) -> None:
    """Other form fields do not enter the hash; a raw octet-stream body is hashed as is."""
    r = client.post("/v1/verify", files={"file": ("m.md", MOU)}, data={"note": "x" * 1000})
    assert r.json()["digest"] == MOU_DIGEST
    raw = client.post("/v1/verify", content=MOU, headers={"Content-Type": "application/octet-stream"})
    assert raw.json()["digest"] == MOU_DIGEST and raw.json()["file"]["name"] is None


def test_verify_unknown_file_is_not_notarised(client: TestClient) -> None:
    """An unknown file: 200, verified and notarised false, the reason says so."""
    body = client.post("/v1/verify", files={"file": ("x.txt", b"unknown")}).json()
    assert not body["verified"] and not body["notarised"] and body["records"] == []
    assert body["reasons"] == ["the document is not notarised on this ledger"]


def test_verify_upload_past_the_limit_is_413(world: World, settings: Callable[..., ApiSettings]) -> None:
    """A file one byte over NOTARY_UPLOAD_LIMIT is refused with 413; at the limit it is hashed."""
    c = TestClient(create_app(settings(upload_limit=100), gateway=world.gw))
    assert c.post("/v1/verify", files={"file": ("ok", b"a" * 100)}).status_code == 200
    r = c.post("/v1/verify", files={"file": ("big", b"a" * 101)})
    assert r.status_code == 413 and r.json()["code"] == "payload-too-large"
    raw = c.post("/v1/verify", content=b"a" * 101, headers={"Content-Type": "application/octet-stream"})
    assert raw.status_code == 413


def test_verify_declared_length_past_the_limit_is_413_before_reading(
    world: World, settings: Callable[..., ApiSettings]
) -> None:
    """A Content-Length far beyond the limit is refused up front."""
    c = TestClient(create_app(settings(upload_limit=10), gateway=world.gw))
    r = c.post("/v1/verify", content=b"a" * 70_000, headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 413


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"content": b"x", "headers": {"Content-Type": "text/plain"}}, 415, "unsupported-media-type"),
        ({"data": {"other": "field"}, "files": {"notfile": ("a", b"a")}}, 422, "invalid-input"),
        ({"content": b"--x\r\ngarbage", "headers": {"Content-Type": "multipart/form-data; boundary=x"}}, 422, None),
    ],
)
def test_verify_upload_errors(client: TestClient, kwargs: dict, status: int, code: str | None) -> None:  # type: ignore[type-arg]
    """Wrong media type 415; a form without the file field, or a broken body, 422."""
    r = client.post("/v1/verify", **kwargs)
    assert r.status_code == status and r.headers["content-type"] == PROBLEM
    if code:
        assert r.json()["code"] == code


def test_verify_by_digest_reports_open_record_with_reasons(world: World, client: TestClient) -> None:
    """An open record is notarised but not verified; the reason names the missing party."""
    world.notarise(sha("open"))
    body = client.get(f"/v1/verify/{sha('open').hex()}").json()
    assert body["notarised"] and not body["verified"]
    assert body["records"][0]["status"] == "open" and any("waiting for SGP" in r for r in body["reasons"])


def test_compromised_key_is_reported_in_health(world: World, client: TestClient) -> None:
    """A key declared compromised before it signed: the act's health says so and the digest fails."""
    rid = world.notarise(sha("compromise"))
    world.act(rid, "SGP")
    signed_at = world.gw.record(rid).attestations[-1].time
    registry.revoke_signer(world.gw, world.controllers["SGP"], "SGP", world.signers["SGP"].address, signed_at - 1)
    body = client.get(f"/v1/verify/{sha('compromise').hex()}").json()
    sgp = body["records"][0]["record"]["attestations"][1]
    assert not body["verified"] and not sgp["valid"]
    assert sgp["health"].startswith("invalid: signed by a key declared compromised from")
    party = client.get("/v1/parties/SGP").json()
    assert party["keys"][0]["status"] == "compromised" and party["history"][-1]["compromise"] is True


def test_ratification_warning_and_withdrawal_reason(world: World, client: TestClient) -> None:
    """Not yet ratified is a warning; a withdrawal's reason is shown with the act."""
    rid = world.notarise(sha("treaty"), parties=("FRA", "SGP", "DEU"), quorum=2, ratification=True)
    world.act(rid, "SGP")
    world.act(rid, "DEU")
    world.act(rid, "DEU", Intent.WITHDRAWAL, reason="not our text")
    body = client.get(f"/v1/verify/{sha('treaty').hex()}").json()
    assert body["verified"] and "ratifications" in body["records"][0]["warnings"][0]
    acts = body["records"][0]["record"]["attestations"]
    assert acts[-1]["intent"] == "withdrawal" and acts[-1]["reason"] == "not our text"


def test_party_with_key_history(world: World, client: TestClient) -> None:
    """GET /v1/parties/{code}: the party, its key and the SignerAdded event."""
    body = client.get("/v1/parties/fra").json()
    assert body["code"] == "FRA" and body["name"] == "French Republic" and body["status"] == "active"
    assert [k["key"] for k in body["keys"]] == [world.signers["FRA"].address]
    assert body["keys"][0]["status"] == "active" and body["history"][0]["event"] == "SignerAdded"


def test_unknown_party_404_and_malformed_code_422(client: TestClient) -> None:
    """An unregistered party is 404 RegistryUnknownParty; a malformed code 422 invalid-input."""
    r = client.get("/v1/parties/XYZ")
    assert r.status_code == 404 and r.json()["code"] == "RegistryUnknownParty"
    assert r.json()["title"] == "Not found on the ledger (RegistryUnknownParty)"
    bad = client.get("/v1/parties/x")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid-request"  # the path's declared pattern


def test_unknown_route_and_method_are_problems(client: TestClient) -> None:
    """Even 404/405 from the router come as problem details."""
    assert client.get("/v2/nothing").json()["code"] == "not-found"
    r = client.delete("/v1/verify")
    assert r.status_code == 405 and r.headers["content-type"] == PROBLEM and r.json()["code"] == "method-not-allowed"


def test_unexpected_error_is_500_without_stack_trace(world: World, settings: Callable[..., ApiSettings]) -> None:
    """A bug surfaces as a generic 500 problem: no exception text, no traceback."""

    class Broken:
        def __getattr__(self, name: str) -> object:
            raise RuntimeError("secret internal detail")

    app = create_app(settings(), gateway=world.gw)
    app.state.services = dataclasses.replace(app.state.services, gateway=Broken())
    r = TestClient(app, raise_server_exceptions=False).get(f"/v1/verify/{MOU_DIGEST}")
    assert r.status_code == 500 and r.json()["code"] == "internal-error"
    assert "secret" not in r.text and "Traceback" not in r.text
