"""Uploads to a real `notary serve`: hashed as they stream, in flat memory, refused past the limit."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from notary.chain.connect import rpc
from notary.testing import World, serving

MIB = 2**20
CHUNK = os.urandom(MIB)


def _peak_rss_mib(pid: int) -> float:
    """The process's peak resident memory (VmHWM), MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc status")


def _upload(base: str, mib: int) -> tuple[int, dict[str, object]]:
    """POST `mib` MiB as a raw body, sent a MiB at a time (never held whole by the client either)."""
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=60)
    try:
        conn.putrequest("POST", "/v1/verify")
        conn.putheader("Content-Type", "application/octet-stream")
        conn.putheader("Content-Length", str(mib * MIB))
        conn.endheaders()
        for _ in range(mib):
            conn.send(CHUNK)
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


@pytest.fixture
def served(anvil_url: str, tmp_path: Path) -> Iterator[tuple[str, int]]:
    """`notary serve` (one process, index off) with a 256 MiB upload limit; (base URL, its pid)."""
    world = World.build(rpc(anvil_url))
    manifest = tmp_path / "deployment.json"
    world.gw.deployment.save(manifest)
    env = {
        **os.environ,
        "NOTARY_CONFIG_DIR": str(tmp_path / "config"),
        "NOTARY_DATA_DIR": str(tmp_path / "data"),
        "NOTARY_RPC_URL": anvil_url,
        "NOTARY_DEPLOYMENT": str(manifest),
        "NOTARY_INDEX": "false",
        "NOTARY_UPLOAD_LIMIT": str(256 * MIB),
        "NOTARY_PUBLIC_RATE_LIMIT": "off",
    }
    with serving(env, tmp_path / "serve.log") as (base, proc):
        yield base, proc.pid


@pytest.mark.anvil
def test_a_large_upload_streams_in_flat_memory(served: tuple[str, int]) -> None:
    """After an 8 MiB upload warms the process, a 160 MiB upload raises its peak memory by far less than
    its size (the body is hashed piece by piece, never held), and its digest is the file's."""
    base, pid = served
    status, small = _upload(base, 8)
    assert status == 200 and small["file"]["size"] == 8 * MIB  # type: ignore[index]
    before = _peak_rss_mib(pid)
    status, big = _upload(base, 160)
    grown = _peak_rss_mib(pid) - before
    expected = hashlib.sha256()
    for _ in range(160):
        expected.update(CHUNK)
    assert status == 200 and big["digest"] == expected.hexdigest() and big["file"]["size"] == 160 * MIB  # type: ignore[index]
    assert grown < 48, f"peak memory grew by {grown:.0f} MiB for a 160 MiB upload"


@pytest.mark.anvil
def test_an_upload_past_the_limit_is_413_before_it_is_read(served: tuple[str, int]) -> None:
    """A declared length past NOTARY_UPLOAD_LIMIT is refused at once with the 413 problem."""
    base, _ = served
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname or "", url.port, timeout=30)
    try:
        conn.putrequest("POST", "/v1/verify")
        conn.putheader("Content-Type", "application/octet-stream")
        conn.putheader("Content-Length", str(300 * MIB))
        conn.endheaders()
        response = conn.getresponse()  # nothing of the body was sent
        problem = json.loads(response.read())
    finally:
        conn.close()
    assert response.status == 413 and problem["code"] == "payload-too-large"
