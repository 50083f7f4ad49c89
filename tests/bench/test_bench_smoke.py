"""`scripts/bench.py --quick`: every row of issue 12 measured against real components (no thresholds)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.anvil, pytest.mark.slow]

ROWS = (
    "`GET /v1/verify/{digest}`",
    "`GET /v1/records/{digest}` (index)",
    "`GET /v1/parties/FRA`",
    "`POST /v1/verify`, 10 MiB",
    "cores the API can use",
    "offline receipt verification, in process",
    "`notary verify --receipt --offline`, whole process",
    "`notary --help` / `status --help`",
    "CLI notarise, one process each",
    "library notarise in one process",
    "CLI notarise through the key agent, one process each",
    "`notary status` whole process",
    "CLI notarise whole process",
    "`notary index`, ",  # followed by the event count and the backend
    "batch hashing, ",
)


def test_quick_bench_measures_every_row_and_writes_the_table(tmp_path: Path) -> None:
    """The quick size runs end to end: every row has a figure, a reference and a ratio, and the file says how."""
    from notary.chain.node import find_anvil
    from notary.errors import NodeError

    try:
        find_anvil()
    except NodeError as exc:
        pytest.skip(f"anvil is not available: {exc}")
    out, figures = tmp_path / "BENCHMARKS.md", tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench.py"), "--quick", "--out", str(out), "--json", str(figures)],
        capture_output=True, text=True, timeout=900, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    rows = json.loads(figures.read_text())["rows"]
    measured = [r for r in rows if r["measured"] != "not measured"]
    for title in ROWS:
        assert any(r["what"].startswith(title) for r in measured), f"row {title!r} missing or not measured"
    assert any(r["what"].endswith("to SQLite") for r in measured)
    for r in measured:
        assert r["reference"] and r["ratio"] and r["target"], r
        assert r["verdict"] in ("met", "**missed**", "n/a"), r
    text = out.read_text()
    assert "python scripts/bench.py --quick" in text and "cores" in text and "web3 " in text
    assert "| operation | gas used |" in text and "notarise" in text  # the gas table
    assert text.count("\n| ") >= len(ROWS) + 2
