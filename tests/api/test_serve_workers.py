"""`notary serve --workers N`: several uvicorn workers share one index that one process follows."""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from pathlib import Path

import pytest
from api_helpers import EXAMPLE
from test_serve import NOTARY, _exchange

from notary.chain.connect import rpc
from notary.testing import World, free_port, serving

pytestmark = pytest.mark.anvil


def _env(anvil_url: str, tmp_path: Path, world: World, **extra: str) -> dict[str, str]:
    manifest = tmp_path / "deployment.json"
    world.gw.deployment.save(manifest)
    return {
        **os.environ,
        "NOTARY_CONFIG_DIR": str(tmp_path / "config"),
        "NOTARY_DATA_DIR": str(tmp_path / "data"),
        "NOTARY_RPC_URL": anvil_url,
        "NOTARY_DEPLOYMENT": str(manifest),
        "NOTARY_INDEX_POLL": "0.2",
        **extra,
    }


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False)
    return [int(x) for x in out.stdout.split()]


def test_two_workers_answer_from_one_followed_index(anvil_url: str, tmp_path: Path) -> None:
    world = World.build(rpc(anvil_url))
    rid = world.notarise(hashlib.sha256(EXAMPLE.read_bytes()).digest())
    world.act(rid, "SGP")
    digest = hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    env = _env(anvil_url, tmp_path, world)
    with serving(env, tmp_path / "serve.log", "--workers", "2", ready="/readyz") as (base, proc):
        # uvicorn's supervisor runs two worker processes (plus its resource tracker).
        assert len(_children(proc.pid)) >= 2
        sources = set()
        for _ in range(100):  # until the followed index is current, answers come from the chain
            status, verdict, headers = _exchange("GET", f"{base}/v1/verify/{digest}")
            assert status == 200 and verdict["verified"], verdict
            sources.add(headers.get("notary-source"))
            if headers.get("notary-source") == "index":
                break
            time.sleep(0.2)
        assert "index" in sources, (tmp_path / "serve.log").read_text()
        # The workers only read: the one indexer (in the serving process) keeps following new acts.
        other = world.notarise(hashlib.sha256(b"a later record").digest())
        world.act(other, "SGP")
        for _ in range(100):
            status, verdict, headers = _exchange(
                "GET", f"{base}/v1/verify/{hashlib.sha256(b'a later record').hexdigest()}"
            )
            if headers.get("notary-source") == "index" and verdict["verified"]:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the index did not follow the new record")


def test_workers_with_the_relay_are_refused(anvil_url: str, tmp_path: Path) -> None:
    world = World.build(rpc(anvil_url))
    env = _env(
        anvil_url, tmp_path, world, NOTARY_RELAY_ENABLED="true",
        NOTARY_API_KEYS=f"ops:{hashlib.sha256(b'k').hexdigest()}:relay", NOTARY_RELAYER_PRIVATE_KEY="0x" + "11" * 32,
    )  # fmt: skip
    done = subprocess.run(
        [NOTARY, "serve", "--port", str(free_port()), "--workers", "2"], env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 3 and "--workers 1" in done.stderr and "Traceback" not in done.stderr
