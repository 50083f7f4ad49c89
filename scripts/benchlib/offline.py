"""Rows that need no node: offline receipt checks, whole CLI processes, batch hashing."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchlib.report import Row, median

NOTARY = str(Path(sys.executable).with_name("notary"))


def isolated_env(folder: Path) -> dict[str, str]:
    """The environment with notary's config and data folders inside `folder` (never the user's own)."""
    return {**os.environ, "NOTARY_CONFIG_DIR": str(folder / "config"), "NOTARY_DATA_DIR": str(folder / "data")}


def demo_outputs(folder: Path) -> dict[str, Any]:
    """Run `notary demo` once: a manifest, a document and its receipt for the offline rows."""
    done = subprocess.run(
        [NOTARY, "demo", "--out", str(folder), "--json"],
        capture_output=True, text=True, timeout=600, check=True, env=isolated_env(folder),
    )  # fmt: skip
    out: dict[str, Any] = json.loads(done.stdout)
    return out


def child_cpu(argv: list[str], env: dict[str, str] | None = None) -> float:
    """User + system CPU seconds of one child process run to completion."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, capture_output=True, timeout=300, check=True, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _process_row(what: str, argvs: list[list[str]], repeats: int, env: dict[str, str] | None = None) -> Row:
    base = median([child_cpu([sys.executable, "-c", "pass"]) for _ in range(repeats)])
    measured = [median([child_cpu(argv, env) for _ in range(repeats)]) for argv in argvs]
    shown = " / ".join(f"{m:.2f} s CPU" for m in measured)
    ratios = " / ".join(f"{m / base:.0f}×" for m in measured)
    extra = max(measured) - base
    return Row(
        what,
        shown,
        f"`python -c pass` {base:.3f} s CPU",
        ratios,
        "≤ +0.3 s",
        extra <= 0.3,
        figures={"cpu_seconds": measured, "reference_cpu_seconds": base, "extra_seconds": round(extra, 3)},
    )


def cli_rows(demo: dict[str, Any], repeats: int) -> list[Row]:
    o = demo["outputs"]
    verify = [NOTARY, "--deployment", o["deployment"], "verify", demo["document"], "--receipt", o["receipt"]]
    env = isolated_env(Path(demo["out"]))
    rows = [
        _process_row("`notary verify --receipt --offline`, whole process", [[*verify, "--offline"]], repeats, env),
        _process_row(
            "`notary --help` / `status --help`", [[NOTARY, "--help"], [NOTARY, "status", "--help"]], repeats, env
        ),
    ]
    return rows


def receipt_row(demo: dict[str, Any], count: int) -> Row:
    """Offline receipt verification in this process, against one coincurve recovery."""
    from coincurve import PrivateKey, PublicKey

    from notary import receipts, trust
    from notary.deployment import Deployment
    from notary.hashing import sha256_file
    from notary.receipts.verify import verify_offline

    o = demo["outputs"]
    raw = Path(o["receipt"]).read_bytes()
    digest = sha256_file(Path(demo["document"]))
    anchors = trust.of_manifest(Deployment.load(Path(o["deployment"])))
    assert verify_offline(receipts.loads(raw), digest, anchors).ok
    started = time.process_time()
    for _ in range(count):
        verify_offline(receipts.loads(raw), digest, anchors)
    rate = count / (time.process_time() - started)
    key = PrivateKey()
    msg = hashlib.sha256(b"reference").digest()
    sig = key.sign_recoverable(msg, hasher=None)
    started = time.process_time()
    for _ in range(count * 4):
        PublicKey.from_signature_and_message(sig, msg, hasher=None)
    ref = count * 4 / (time.process_time() - started)
    return Row(
        "offline receipt verification, in process",
        f"{rate:,.0f} receipts/s",
        f"one coincurve recovery {ref:,.0f}/s",
        f"{rate / ref:.3f}",
        "≥ 2,000/s on one core",
        rate >= 2000,
        note="CPU time of this process (one core): parse the receipt, then steps 0-7 of `verify_offline`.",
        figures={"receipts_per_second": rate, "recoveries_per_second": ref},
    )


# --------------------------------------------------------------------- batch hashing


def make_files(folder: Path, count: int) -> list[Path]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from bench_batch import make_files as make

    return make(folder, count)


def _bare(paths: list[Path]) -> list[bytes]:
    out = []
    for p in paths:
        with open(p, "rb") as f:
            out.append(hashlib.sha256(f.read()).digest())
    return out


def hashing_row(count: int, repeats: int, folder: Path | None = None) -> Row:
    """`batch.hash_files` (its measured worker choice) against a bare read + SHA-256 loop, same files."""
    from notary import batch

    with tempfile.TemporaryDirectory(prefix="notary-bench-hash-") as tmp:
        paths = make_files(folder or Path(tmp) / "docs", count)
        expected = _bare(paths)  # also warms the page cache: every variant reads cached files
        bare, auto, two = [], [], []
        for _ in range(max(1, repeats)):
            t = time.perf_counter()
            _bare(paths)
            bare.append(time.perf_counter() - t)
            t = time.perf_counter()
            assert batch.hash_files(paths) == expected
            auto.append(time.perf_counter() - t)
            t = time.perf_counter()
            batch.hash_files(paths, workers=2)
            two.append(time.perf_counter() - t)
    b, a, w = median(bare), median(auto), median(two)
    return Row(
        f"batch hashing, {count:,} files",
        f"{a:.2f} s",
        f"bare read + SHA-256, {b:.2f} s",
        f"{b / a:.2f} × bare",
        "≥ 0.5 × bare",
        b / a >= 0.5,
        note=f"`hash_files` chooses its workers by measurement; forcing a pool of 2 took {w:.2f} s "
        f"({b / w:.2f} × bare) on the same files (cores here: {os.cpu_count()}).",
        figures={"auto_seconds": a, "bare_seconds": b, "two_workers_seconds": w},
    )
