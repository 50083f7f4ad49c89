"""Whole `notary status` and `notary notarise` processes against anvil, next to one `eth_blockNumber`
round trip and `python -c pass` measured in the same run (issue 13, "Speed"), with the JSON-RPC
calls each process makes, counted by a loopback proxy (tests/faults/rpc_proxy.py, no faults).

    rows = cli_speed_rows(anvil_url, repeats)   # bench.py: a group run on its own anvil
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from benchlib import workload
from benchlib.offline import NOTARY, child_cpu
from benchlib.report import ROOT, Row, median

PASSWORD = "bench password"


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, stdout) of one child process run to completion."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[1:3])} failed: {done.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done.stdout


def _counted(url: str, argv: list[str], env: dict[str, str]) -> Counter[str]:
    """The JSON-RPC calls (by method) that one run of `argv` sends, through a counting proxy."""
    sys.path.insert(0, str(ROOT / "tests" / "faults"))
    from rpc_proxy import FaultProxy

    proxy = FaultProxy(url)
    with proxy.running() as proxied:
        _timed([a if a != url else proxied for a in argv], env)
    return proxy.forwarded


def _round_trip(url: str, count: int = 50) -> float:
    """Median wall seconds of one `eth_blockNumber` round trip to the node."""
    times = []
    for _ in range(count):
        started = time.perf_counter()
        workload.call(url, "eth_blockNumber")
        times.append(time.perf_counter() - started)
    return median(times)


def _calls_note(calls: Counter[str]) -> str:
    return ", ".join(f"{method} {n}" for method, n in sorted(calls.items()))


def cli_speed_rows(url: str, repeats: int) -> list[Row]:
    """`notary status DIGEST` and `notary notarise DIGEST` as one process each, as a ministry runs them."""
    from benchlib.chain import _unlock_seconds
    from notary.chain.connect import rpc
    from notary.testing import World

    world = World.build(rpc(url))
    with tempfile.TemporaryDirectory(prefix="notary-bench-speed-") as tmp:
        home = Path(tmp)
        manifest = home / "deployment.json"
        world.gw.deployment.save(manifest)
        env = {k: v for k, v in os.environ.items() if not k.startswith("NOTARY_")}
        env.update(NOTARY_DEPLOYMENT=str(manifest), NOTARY_DATA_DIR=str(home), NOTARY_CONFIG_DIR=str(home / "config"))
        (home / "password").write_text(PASSWORD + "\n")
        (home / "key").write_text(world.signers["FRA"].key.hex())
        world.chain.fund(world.signers["FRA"].address)
        _timed([NOTARY, "keys", "import", "fra", "--private-key-file", str(home / "key"), "--password-file",
                str(home / "password"), "--json"], env)  # fmt: skip
        root = [NOTARY, "--rpc-url", url]

        def notarise(label: str) -> list[str]:
            return [*root, "notarise", workload.digest(label).hex(), "--as", "FRA", "--key", "fra", "--parties",
                    "FRA", "--kind", "mou", "--password-file", str(home / "password"), "--json"]  # fmt: skip

        tag = time.time_ns()
        notarise_calls = _counted(url, notarise(f"speed counted {tag}"), env)
        status = [*root, "status", workload.digest(f"speed counted {tag}").hex()]
        status_calls = _counted(url, status, env)
        base = median([child_cpu([sys.executable, "-c", "pass"]) for _ in range(max(3, repeats))])
        trip = _round_trip(url)
        sent = [_timed(notarise(f"speed {tag} {i}"), env) for i in range(max(1, repeats))]
        read = [_timed(status, env) for _ in range(max(1, repeats))]
        unlock = _unlock_seconds(home, PASSWORD)
    return [
        _row(
            "`notary status` whole process",
            read,
            status_calls,
            base,
            trip,
            None,
            "none set (issue 13: before and after, as ratios)",
            "",
        ),
        _row(
            "CLI notarise whole process",
            sent,
            notarise_calls,
            base,
            trip,
            median([w for w, _, _ in sent]) <= 1 + unlock,
            "≤ 1 s wall here plus the key unlock",
            f"; the key unlock (scrypt, measured alone) {unlock:.2f} s",
        ),
    ]


def _row(
    what: str,
    runs: list[tuple[float, float, Any]],
    calls: Counter[str],
    base: float,
    trip: float,
    met: bool | None,
    target: str,
    extra: str,
) -> Row:
    wall, cpu = median([r[0] for r in runs]), median([r[1] for r in runs])
    return Row(
        what,
        f"{wall:.2f} s wall, {cpu:.2f} s CPU, {sum(calls.values())} RPC calls",
        f"`python -c pass` {base:.3f} s CPU; one `eth_blockNumber` {trip * 1000:.2f} ms",
        f"{cpu / base:.0f}× CPU / {wall / trip:.0f}× round trip",
        target,
        met,
        note=f"median of {len(runs)} process(es); JSON-RPC calls: {_calls_note(calls)}{extra}",
        figures={
            "wall_seconds": wall,
            "cpu_seconds": cpu,
            "reference_cpu_seconds": base,
            "round_trip_seconds": trip,
            "rpc_calls": dict(calls),
        },
    )
