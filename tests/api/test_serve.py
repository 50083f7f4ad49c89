"""`notary serve`: a real uvicorn process over a real anvil node, spoken to over HTTP."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_helpers import EXAMPLE, RELAY_KEY, act, signed_json
from eth_account import Account

from notary.chain.connect import rpc
from notary.testing import World, serving

NOTARY = shutil.which("notary", path=str(Path(sys.executable).parent)) or "notary"


def _http(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    status, answer, _ = _exchange(method, url, body, headers)
    return status, answer


def _exchange(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, Any, dict[str, str]]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, json.loads(r.read()), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read()), dict(e.headers)


def _multipart(name: str, content: bytes) -> tuple[bytes, str]:
    boundary = "notary-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def served(anvil_url: str, tmp_path: Path) -> Iterator[tuple[str, World]]:
    """`notary serve` on a free port over a fresh ledger on anvil, relay enabled."""
    world = World.build(rpc(anvil_url))
    manifest = tmp_path / "deployment.json"
    world.gw.deployment.save(manifest)
    env = {
        **os.environ,
        "NOTARY_CONFIG_DIR": str(tmp_path / "config"),
        "NOTARY_DATA_DIR": str(tmp_path / "data"),
        "NOTARY_RPC_URL": anvil_url,
        "NOTARY_DEPLOYMENT": str(manifest),
        "NOTARY_RELAY_ENABLED": "true",
        "NOTARY_API_KEYS": f"ops:{hashlib.sha256(RELAY_KEY.encode()).hexdigest()}:relay",
        "NOTARY_RELAYER_PRIVATE_KEY": Account.create().key.hex(),
        "NOTARY_INDEX_POLL": "0.2",
    }
    with serving(env, tmp_path / "serve.log") as (base, _):
        yield base, world


@pytest.mark.anvil
def test_serve_over_http_verifies_and_relays(served: tuple[str, World]) -> None:
    """Ready; FRA notarises, SGP's signature is relayed over HTTP (twice: one tx); the upload verifies;
    the background indexer catches up and then answers the record lookup with the same body."""
    base, world = served
    status, ready = _http("GET", base + "/readyz")
    assert status == 200 and ready["checks"] == {"chain": "ok", "deployment": "ok", "relayer": "ok", "indexer": "ok"}
    assert isinstance(ready["indexerLag"], int)
    mou = EXAMPLE.read_bytes()
    rid = world.notarise(hashlib.sha256(mou).digest())
    body, ctype = _multipart("mou.md", mou)
    status, verdict = _http("POST", base + "/v1/verify", body, {"Content-Type": ctype})
    assert status == 200 and verdict["notarised"] and not verdict["verified"]

    payload = signed_json(world, act(world, rid, "SGP"), "SGP").encode()
    headers = {"Authorization": f"Bearer {RELAY_KEY}", "Content-Type": "application/json"}
    status, first = _http("POST", base + "/v1/relay", payload, headers)
    assert status == 200 and first["outcome"] == "submitted", first
    status, again = _http("POST", base + "/v1/relay", payload, headers)
    assert status == 200 and again == first

    status, verdict = _http("POST", base + "/v1/verify", body, {"Content-Type": ctype})
    assert status == 200 and verdict["verified"] and verdict["file"]["name"] == "mou.md"
    parties = [(a["party"], a["health"]) for a in verdict["records"][0]["record"]["attestations"]]
    assert parties == [("FRA", "valid"), ("SGP", "valid")]
    status, records = _http("GET", f"{base}/v1/records/{verdict['digest']}")
    assert status == 200 and records["records"][0]["attestations"][1]["transaction"] == first["transaction"]
    assert _http("GET", base + "/v1/records/" + "00" * 32)[0] == 404
    deadline = time.monotonic() + 20
    while _http("GET", base + "/readyz")[1]["indexerLag"] != 0:
        assert time.monotonic() < deadline, "the background indexer did not catch up within 20 s"
        time.sleep(0.1)
    status, indexed, headers = _exchange("GET", f"{base}/v1/records/{verdict['digest']}")
    assert status == 200 and headers["notary-source"] == "index" and indexed == records


def test_serve_refuses_relay_without_api_keys(tmp_path: Path) -> None:
    """Unsafe settings stop `notary serve` before it listens or touches a chain (exit 3, a clear message)."""
    env = {
        **os.environ,
        "NOTARY_CONFIG_DIR": str(tmp_path),
        "NOTARY_DATA_DIR": str(tmp_path),
        "NOTARY_RPC_URL": "http://127.0.0.1:9",
        "NOTARY_RELAY_ENABLED": "true",
    }
    env.pop("NOTARY_API_KEYS", None)
    done = subprocess.run([NOTARY, "serve", "--port", "9"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 3
    assert "no API key with the relay scope" in done.stderr
