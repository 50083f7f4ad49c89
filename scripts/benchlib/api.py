"""Rows of the verification API: `notary serve` (uvicorn) on anvil, loaded from another process."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from benchlib import workload
from benchlib.report import Row

LOAD = str(Path(__file__).with_name("load.py"))
UPLOAD_MIB = 10


def load(url: str, connections: int, seconds: float, body: Path | None = None, requests: int | None = None) -> Any:
    argv = [sys.executable, LOAD, url, "--connections", str(connections), "--seconds", str(seconds)]
    if body is not None:
        argv += ["--body-file", str(body)]
    if requests is not None:
        argv += ["--requests", str(requests)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 300, check=True)
    return json.loads(done.stdout)


def _wait_indexed(base: str, digest: str, timeout: float = 120) -> None:
    """Until the background indexer has caught up (records answer from the index)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/v1/records/{digest}", timeout=10) as r:
                if r.headers.get("Notary-Source", "") == "index":
                    return
        except OSError:
            pass
        time.sleep(0.5)


def _processes(pid: int) -> int:
    """The server's processes: itself and its descendants (uvicorn workers)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    todo, seen = [pid], 0
    while todo:
        p = todo.pop()
        seen += 1
        todo += children.get(p, [])
    return seen


def api_rows(url: str, seconds: float, upload_requests: int, records: int) -> list[Row]:
    from notary.chain.connect import rpc
    from notary.testing import World
    from notary.testing import serving as serve_process

    world = World.build(rpc(url))
    ids = workload.fill(world, url, records, tag="api")
    digest = workload.digest("api 0").hex()
    with tempfile.TemporaryDirectory(prefix="notary-bench-api-") as tmp:
        home = Path(tmp)
        manifest = home / "deployment.json"
        world.gw.deployment.save(manifest)
        env = {
            **os.environ,
            "NOTARY_RPC_URL": url,
            "NOTARY_DEPLOYMENT": str(manifest),
            "NOTARY_DATA_DIR": str(home),
            "NOTARY_CONFIG_DIR": str(home / "config"),
            "NOTARY_PUBLIC_RATE_LIMIT": "off",
            "NOTARY_INDEX_POLL": "0.5",
        }
        workers = os.cpu_count() or 1  # one per core, as the README says
        with serve_process(env, home / "serve.log", "--workers", str(workers), timeout=90) as (base, proc):
            _wait_indexed(base, digest)
            processes = _processes(proc.pid)
            serving = workers if workers > 1 and processes > workers else processes
            health = load(base + "/healthz", 50, seconds)
            rows = []
            for what, path in (
                ("`GET /v1/verify/{digest}`", f"/v1/verify/{digest}"),
                ("`GET /v1/records/{digest}` (index)", f"/v1/records/{digest}"),
                ("`GET /v1/parties/FRA`", "/v1/parties/FRA"),
            ):
                got = load(base + path, 50, seconds)
                ratio = got["rps"] / health["rps"] if health["rps"] else 0.0
                rows.append(
                    Row(
                        what,
                        f"{got['rps']:,.1f} req/s, p99 {got['p99']:.2f} s",
                        f"`GET /healthz` {health['rps']:,.0f} req/s, 50 connections",
                        f"{ratio:.3f}",
                        "≥ 0.5",
                        ratio >= 0.5,
                        note=f"{got['requests']} requests, {got['failures']} not 2xx" if got["failures"] else "",
                        figures={"load": got, "healthz": health},
                    )
                )
            fresh = load(base + "/v1/verify/{random}", 50, seconds)
            fresh_ratio = fresh["rps"] / health["rps"] if health["rps"] else 0.0
            rows.append(
                Row(
                    "`GET /v1/verify/{digest}`, a new digest each request",
                    f"{fresh['rps']:,.1f} req/s, p99 {fresh['p99']:.2f} s",
                    f"`GET /healthz` {health['rps']:,.0f} req/s, 50 connections",
                    f"{fresh_ratio:.3f}",
                    "information",
                    None,
                    note="digests never asked before (not notarised): every answer is computed from the index, "
                    "none is one kept for the block (the rows above ask one digest again and again)",
                    figures={"load": fresh, "healthz": health},
                )
            )
            rows.append(_upload_row(base, home, upload_requests))
            cores = os.cpu_count() or 1
            rows.append(
                Row(
                    "cores the API can use",
                    f"{serving} worker process{'es' if serving > 1 else ''} (`notary serve --workers {workers}`)",
                    f"{cores} cores",
                    f"{serving / cores:.2f}",
                    "all",
                    serving >= cores,
                    note=f"counted from the server's process tree ({processes} processes: the workers, and the "
                    "serving process that follows the chain into the index)",
                    figures={"processes": processes, "workers": serving, "cores": cores},
                )
            )
    del ids
    return rows


def _upload_row(base: str, home: Path, requests: int) -> Row:
    body = home / "upload.bin"
    data = os.urandom(UPLOAD_MIB * 2**20)
    body.write_bytes(data)
    got = load(base + "/v1/verify", 1, 600, body=body, requests=requests)
    started = time.perf_counter()
    for _ in range(requests):
        hashlib.sha256(data).digest()
    ref = requests * UPLOAD_MIB / (time.perf_counter() - started)
    ratio = got["mibps"] / ref
    return Row(
        f"`POST /v1/verify`, {UPLOAD_MIB} MiB",
        f"{got['mibps']:,.0f} MiB/s",
        f"`hashlib.sha256` {ref:,.0f} MiB/s",
        f"{ratio:.2f}",
        "≥ 0.5",
        ratio >= 0.5,
        note=f"raw body, one connection, {got['requests']} uploads ({got['failures']} not 2xx); the verdict "
        "of an unknown digest is included",
        figures={"load": got, "hashlib_mibps": ref},
    )
