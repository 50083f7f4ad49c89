"""`GET /v1/audit/export` (API key with the audit scope) and its manifest: streamed, deterministic, verifiable."""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from api_helpers import READ_KEY, RELAY_KEY, sha
from fastapi.testclient import TestClient
from index_helpers_api import indexed_client

from notary import registry
from notary.api import ApiSettings, create_app
from notary.api.settings import ApiKey
from notary.audit.verify import verify_export
from notary.chain.events import EventReader
from notary.codes import party_code
from notary.models import Intent
from notary.testing import World

AUDIT_KEY = "audit-key-for-tests"
KEYS = (
    ApiKey("auditor", hashlib.sha256(AUDIT_KEY.encode()).digest(), frozenset({"audit"})),
    ApiKey("ops", hashlib.sha256(RELAY_KEY.encode()).digest()),
    ApiKey("monitor", hashlib.sha256(READ_KEY.encode()).digest(), frozenset()),
)
AUTH = {"X-API-Key": AUDIT_KEY}


@pytest.fixture
def audit_client(world: World, settings: Callable[..., ApiSettings]) -> TestClient:
    """An API with an audit key and an index brought up to the head."""
    client, _, indexer = indexed_client(world, settings, api_keys=KEYS)
    indexer.run_once()
    return client


def _temp_exports() -> set[Path]:
    return set(Path(tempfile.gettempdir()).glob("notary-export-*"))


def test_csv_export_streams_with_manifest_headers_and_verifies(
    world: World, audit_client: TestClient, tmp_path: Path
) -> None:
    """The CSV export with its manifest (headers, and the Link URL) passes `audit verify` against the chain;
    the same pinned query gives the same bytes; no temporary file is left behind."""
    before = _temp_exports()
    r = audit_client.get("/v1/audit/export?format=csv", headers=AUTH)
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"].startswith('attachment; filename="notary-audit-')
    rows = r.text.splitlines()
    assert int(r.headers["notary-export-rows"]) == len(rows) - 1 > 10
    assert r.headers["notary-export-sha256"] == hashlib.sha256(r.content).hexdigest()
    link = r.headers["link"]
    assert link.startswith("</v1/audit/export/manifest?") and 'rel="describedby"' in link
    manifest = audit_client.get(link[1 : link.index(">")], headers=AUTH)
    assert manifest.status_code == 200
    assert manifest.headers["content-type"] == "application/vnd.notary.audit-export+json"
    assert manifest.json()["merkle_root"] == r.headers["notary-export-merkle-root"]
    export = tmp_path / "trail.csv"
    export.write_bytes(r.content)
    (tmp_path / "trail.csv.manifest.json").write_bytes(manifest.content)
    report = verify_export(export, EventReader(world.chain, world.gw.deployment))
    assert report.problems == [] and report.rows == len(rows) - 1
    blocks = r.headers["notary-export-blocks"].split("-")
    again = audit_client.get(f"/v1/audit/export?to_block={blocks[1]}", headers=AUTH)
    assert again.content == r.content
    assert _temp_exports() == before


def test_voided_act_rows_over_http_verify(world: World, settings: Callable[..., ApiSettings], tmp_path: Path) -> None:
    """A voided act is a `voided` row, its ActVoided event a row too; the export still verifies."""
    rid = world.notarise(sha("voided over http"))
    world.act(rid, "SGP")
    signed_at = world.gw.record(rid).attestations[-1].time
    registry.revoke_signer(world.gw, world.controllers["SGP"], "SGP", world.signers["SGP"].address, signed_at)
    world.gw.void_act(world.relayer, world.gw.terms(rid), party_code("SGP"), Intent.SIGNATURE)
    client, _, indexer = indexed_client(world, settings, api_keys=KEYS)
    indexer.run_once()
    r = client.get(f"/v1/audit/export?format=jsonl&digest={sha('voided over http').hex()}", headers=AUTH)
    assert r.status_code == 200
    rows = [json.loads(line) for line in r.text.splitlines()]
    checks = {
        (row["event"], row["party"]): row["check"] for row in rows if row["event"] in ("ActRecorded", "ActVoided")
    }
    assert checks[("ActRecorded", "FRA")] == "valid"
    assert checks[("ActRecorded", "SGP")].startswith("voided at ")
    assert checks[("ActVoided", "SGP")].startswith("voided: the key was revoked")
    export = tmp_path / "voided.jsonl"
    export.write_bytes(r.content)
    link = r.headers["link"]
    (tmp_path / "voided.jsonl.manifest.json").write_bytes(client.get(link[1 : link.index(">")], headers=AUTH).content)
    report = verify_export(export, EventReader(world.chain, world.gw.deployment))
    assert report.ok, report.problems
    assert sum("voided" in n for n in report.notes) == 2


def test_jsonl_and_pdf_exports_with_filters(audit_client: TestClient) -> None:
    """JSON Lines filtered by party and digest; the PDF report is a PDF."""
    mou = audit_client.get("/v1/audit/export?format=jsonl&party=sgp", headers=AUTH)
    assert mou.status_code == 200 and mou.headers["content-type"] == "application/jsonl"
    lines = mou.text.splitlines()
    assert lines and all('"party":"SGP"' in line for line in lines)
    none = audit_client.get(f"/v1/audit/export?format=jsonl&digest={sha('nobody').hex()}", headers=AUTH)
    assert none.status_code == 200 and none.content == b"" and none.headers["notary-export-rows"] == "0"
    pdf = audit_client.get("/v1/audit/export?format=pdf&kind=mou", headers=AUTH)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "unauthorised"),
        ({"X-API-Key": "wrong"}, 401, "unauthorised"),
        ({"Authorization": f"Bearer {RELAY_KEY}"}, 403, "forbidden"),
        ({"X-API-Key": READ_KEY}, 403, "forbidden"),
    ],
)
def test_export_needs_a_key_with_the_audit_scope(
    audit_client: TestClient, headers: dict[str, str], status: int, code: str
) -> None:
    """No key or an unknown one: 401 with a challenge; a key without the audit scope: 403."""
    for path in ("/v1/audit/export", "/v1/audit/export/manifest"):
        r = audit_client.get(path, headers=headers)
        assert r.status_code == status and r.json()["code"] == code
        assert r.headers["content-type"] == "application/problem+json"
    if status == 401:
        assert r.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("format=xml", 422, "invalid-request"),
        ("digest=zz", 422, "invalid-request"),
        ("from_block=-1", 422, "invalid-request"),
        ("since=yesterday-ish", 422, "invalid-request"),
        ("from_block=5&to_block=4", 422, "invalid-input"),
        ("to_block=100000", 409, "audit-export"),
    ],
)
def test_export_query_errors(audit_client: TestClient, query: str, status: int, code: str) -> None:
    """Malformed filters are 422; a block the index has not reached is 409 (wait, or export less)."""
    r = audit_client.get(f"/v1/audit/export?{query}", headers=AUTH)
    assert r.status_code == status and r.json()["code"] == code, r.json()


def test_export_without_an_index_is_503(world: World, settings: Callable[..., ApiSettings]) -> None:
    """NOTARY_INDEX=false: the endpoint answers 503 index-unavailable (after authentication)."""
    client = TestClient(create_app(settings(api_keys=KEYS), gateway=world.gw))
    assert client.get("/v1/audit/export").status_code == 401
    r = client.get("/v1/audit/export", headers=AUTH)
    assert r.status_code == 503 and r.json()["code"] == "index-unavailable"


def test_export_is_rate_limited_per_key(world: World, settings: Callable[..., ApiSettings]) -> None:
    """The per-key token bucket applies to exports too: 429 with Retry-After."""
    from notary.api.settings import RateLimit

    client, _, indexer = indexed_client(world, settings, api_keys=KEYS, rate_limit=RateLimit(1, 60.0))
    indexer.run_once()
    assert client.get("/v1/audit/export", headers=AUTH).status_code == 200
    r: Any = client.get("/v1/audit/export", headers=AUTH)
    assert r.status_code == 429 and r.headers["retry-after"]
