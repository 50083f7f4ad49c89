"""Operations and documents: /healthz, /readyz, /metrics, /openapi.json, the page and its headers."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from api_helpers import EXAMPLE
from fastapi.testclient import TestClient

from notary.api import ApiSettings, create_app
from notary.api.app import STATIC
from notary.testing import World


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_ready_with_chain_and_deployment(world: World, client: TestClient) -> None:
    """Ready: the chain answers and both contracts have code; no indexer yet, so indexerLag is null."""
    r = client.get("/readyz")
    body = r.json()
    assert r.status_code == 200 and body["status"] == "ready"
    assert body["checks"] == {"chain": "ok", "deployment": "ok"} and body["indexerLag"] is None
    assert body["chainId"] == world.chain.chain_id and body["ledger"] == world.gw.deployment.ledger.address


def test_readyz_unready_when_the_deployment_has_no_code(world: World, settings: Callable[..., ApiSettings]) -> None:
    """A manifest pointing at an address without code (e.g. the node was reset): 503 unready."""
    empty = "0x" + "00" * 19 + "01"
    dep = dataclasses.replace(
        world.gw.deployment, ledger=dataclasses.replace(world.gw.deployment.ledger, address=empty)
    )
    gw = type(world.gw)(world.chain, dep)
    r = TestClient(create_app(settings(), gateway=gw)).get("/readyz")
    assert r.status_code == 503 and r.json()["status"] == "unready"
    assert r.json()["checks"]["deployment"].startswith("no contract code")


def test_readyz_unready_when_the_node_does_not_answer(world: World, settings: Callable[..., ApiSettings]) -> None:
    """A node that stopped answering: 503, the chain check says unreachable; /healthz stays 200."""
    from web3 import Web3

    dead = dataclasses.replace(world.chain, w3=Web3(Web3.HTTPProvider("http://127.0.0.1:9")), tester=None)
    c = TestClient(create_app(settings(), gateway=type(world.gw)(dead, world.gw.deployment)))
    r = c.get("/readyz")
    assert r.status_code == 503 and r.json()["checks"]["chain"].startswith("unreachable")
    assert c.get("/healthz").status_code == 200


def test_readyz_reports_relayer_check(relay_client: TestClient) -> None:
    """With the relay enabled, the relayer's balance is a readiness check (funded on dev chains)."""
    assert relay_client.get("/readyz").json()["checks"]["relayer"] == "ok"


def test_metrics_count_routes_by_template_and_verifications(client: TestClient) -> None:
    """Prometheus text: requests by route template (not raw digest) and verification outcomes."""
    client.get("/v1/verify/" + "ab" * 32)
    client.post("/v1/verify", files={"file": ("m", EXAMPLE.read_bytes())})
    text = client.get("/metrics").text
    assert 'notary_http_requests_total{method="GET",route="/v1/verify/{digest}",status="200"} 1.0' in text
    assert 'notary_verifications_total{outcome="not-notarised"} 1.0' in text
    assert 'notary_verifications_total{outcome="verified"} 1.0' in text
    assert "ab" * 32 not in text


def test_openapi_documents_models_and_error_responses(client: TestClient) -> None:
    """Every route has a response model and its problem responses; request bodies are described."""
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    assert set(paths) == {
        "/v1/verify",
        "/v1/verify/{digest}",
        "/v1/records/{digest}",
        "/v1/records/{digest}/receipt",
        "/v1/proofs/{digest}",
        "/v1/proofs/{digest}/receipt",
        "/v1/parties/{code}",
        "/v1/relay",
        "/v1/publish/batch",
        "/v1/publish/instrument",
        "/v1/audit/export",
        "/v1/audit/export/manifest",
        "/healthz",
        "/readyz",
        "/metrics",
    }
    schemas = spec["components"]["schemas"]
    models = ("Problem", "SignedPayload", "VerdictOut", "RecordsOut", "PartyOut", "RelayOut", "ReadyOut", "ProofsOut")
    for name in models:
        assert name in schemas
    export = paths["/v1/audit/export"]["get"]
    assert {"401", "403", "409", "422", "429", "503"} <= set(export["responses"])
    assert "text/csv; charset=utf-8" in export["responses"]["200"]["content"] and export["security"]
    assert (
        "application/vnd.notary.receipt+json"
        in paths["/v1/records/{digest}/receipt"]["get"]["responses"]["200"]["content"]
    )
    relay = paths["/v1/relay"]["post"]
    for status in ("401", "403", "409", "413", "422", "429"):
        assert relay["responses"][status]["content"]["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"
        }
    assert relay["requestBody"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/SignedPayload"
    upload = paths["/v1/verify"]["post"]
    assert "file" in upload["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]
    assert "413" in upload["responses"] and "404" in paths["/v1/records/{digest}"]["get"]["responses"]
    assert spec["components"]["securitySchemes"]["apiKey"]["name"] == "X-API-Key"
    for kind in ("batch", "instrument"):
        publish = paths[f"/v1/publish/{kind}"]["post"]
        assert publish["security"] and {"401", "403", "413", "422"} <= set(publish["responses"])
        assert publish["responses"]["200"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/PublishedOut"
        }


def test_page_and_assets_are_local_with_strict_headers(client: TestClient) -> None:
    """The page and its assets come from this service only (CSP self, no CDN, no external font)."""
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    for asset in ("/static/verifier.js", "/static/verifier.css"):
        assert client.get(asset).status_code == 200
    for path in STATIC.iterdir():
        text = path.read_text()
        assert not re.search(r"(src|href)=\"(https?:)?//", text), path
        assert "@import" not in text and "url(http" not in text and "fonts.googleapis" not in text
    assert client.get("/docs").status_code == 404  # Swagger UI would load from a CDN
