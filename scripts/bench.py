#!/usr/bin/env python3
"""Every performance figure of issue 12 against its reference, measured in one run; writes docs/BENCHMARKS.md.

    .venv/bin/python scripts/bench.py                  # the full size (about 10 minutes here)
    .venv/bin/python scripts/bench.py --quick --out /tmp/b.md   # CI's smoke size (about a minute)

Each row is measured against the real components, next to its reference in the same run:
anvil nodes of its own (started and stopped here), `notary serve` (uvicorn) loaded by a
load generator in another process (`scripts/benchlib/load.py`, loopback only), SQLite, and
PostgreSQL when `NOTARY_BENCH_POSTGRES_URL` (or `NOTARY_TEST_POSTGRES_URL`) names a database
it may wipe; whole CLI processes for the command rows; `scripts/gas_report.py` for the gas
table. It prints the table and writes the Markdown file (`--out`), with the machine, the
versions and the command. No threshold fails the run: a missed target says **missed** in
the table. The exit code is 1 only if a row could not be measured because of an error.

The rows live in `scripts/benchlib/`: `api.py` (HTTP), `chain.py` (indexer, notarising),
`offline.py` (receipts, CLI processes, hashing), `workload.py` (a ledger with many events,
fast), `report.py` (the table and the file).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import api, chain, cli_speed, offline, report  # noqa: E402
from benchlib.report import Row  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Size:
    name: str
    api_seconds: float
    api_records: int
    uploads: int
    index_records: int
    repeats: int
    library_txs: int
    raw_txs: int
    cli_txs: int
    receipts: int
    files: int


QUICK = Size("quick", 1.0, 5, 2, 40, 1, 5, 20, 1, 50, 500)
FULL = Size("full", 10.0, 200, 10, 1100, 3, 100, 200, 5, 2000, 100_000)

#: Row titles per group, so a group that fails still shows its rows (as not measured).
GROUPS = {
    "api": [
        "`GET /v1/verify/{digest}`",
        "`GET /v1/records/{digest}` (index)",
        "`GET /v1/parties/FRA`",
        "`POST /v1/verify`, 10 MiB",
        "cores the API can use",
    ],
    "receipts": ["offline receipt verification, in process"],
    "cli": ["`notary verify --receipt --offline`, whole process", "`notary --help` / `status --help`"],
    "notarise": [
        "library notarise in one process",
        "CLI notarise, one process each",
        "CLI notarise through the key agent, one process each",
    ],
    "cli-speed": ["`notary status` whole process", "CLI notarise whole process"],
    "index": ["`notary index` to SQLite", "`notary index` to PostgreSQL"],
    "hashing": ["batch hashing"],
    # The detail of offline receipt verification (2 and 8 parties, batch member, with and without state
    # proofs) and the import CPU of its path: scripts/bench_receipts.py.
    "receipt-kinds": [],
}


def _anvil(fn: Callable[[str], list[Row]]) -> list[Row]:
    from notary.chain.node import ephemeral_anvil

    with ephemeral_anvil() as url:
        return fn(url)


def _receipt_kinds(quick: bool) -> list[Row]:
    import bench_receipts  # scripts/ is on the path (this script's folder)

    return [Row(**row) for row in bench_receipts.run(quick)]


def measure(size: Size, only: set[str] | None = None) -> tuple[list[Row], list[str]]:
    rows: list[Row] = []
    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="notary-bench-") as tmp:
        demo: dict[str, object] = {}

        def demo_outputs() -> dict[str, object]:
            if not demo:
                demo.update(offline.demo_outputs(Path(tmp) / "demo"))
            return demo

        s = size
        groups: dict[str, Callable[[], list[Row]]] = {
            "api": lambda: _anvil(lambda url: api.api_rows(url, s.api_seconds, s.uploads, s.api_records)),
            "receipts": lambda: [offline.receipt_row(demo_outputs(), s.receipts)],
            "cli": lambda: offline.cli_rows(demo_outputs(), s.repeats),
            "notarise": lambda: _anvil(lambda url: chain.notarise_rows(url, s.library_txs, s.raw_txs, s.cli_txs)),
            "cli-speed": lambda: _anvil(lambda url: cli_speed.cli_speed_rows(url, s.repeats)),
            "index": lambda: _anvil(lambda url: chain.index_rows(url, s.index_records, s.repeats)),
            "hashing": lambda: [offline.hashing_row(s.files, s.repeats)],
            "receipt-kinds": lambda: _receipt_kinds(s is QUICK),
        }
        for name, fn in groups.items():
            if only and name not in only:
                continue
            started = time.perf_counter()
            print(f"measuring {name} …", file=sys.stderr, flush=True)
            try:
                rows += fn()
            except Exception as exc:  # noqa: BLE001 — the row says what failed; the exit code too
                traceback.print_exc()
                errors.append(f"{name}: {type(exc).__name__}: {exc}")
                rows += [Row(w, "not measured", "", "", "", None, note=f"error: {exc}") for w in GROUPS[name]]
            print(f"  {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return rows, errors


def gas() -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gas_report.py"), "--json"], capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        return {}
    out: dict[str, object] = json.loads(done.stdout)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="The smoke size (CI): every row, small counts.")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "BENCHMARKS.md", help="The Markdown file.")
    parser.add_argument("--json", type=Path, default=None, help="Also write the rows as JSON here.")
    parser.add_argument("--render", type=Path, default=None, help="Re-write --out from a --json file (no measuring).")
    parser.add_argument("--only", default="", help=f"Comma-separated groups: {', '.join(GROUPS)} (default: all).")
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    only = {g.strip() for g in args.only.split(",") if g.strip()} or None
    unknown = (only or set()) - set(GROUPS)
    if unknown:
        parser.error(f"unknown groups: {', '.join(sorted(unknown))}")
    if args.render:
        saved = json.loads(args.render.read_text())
        rows = [Row(**{k: v for k, v in r.items() if k != "verdict"}) for r in saved["rows"]]
        command = "python scripts/bench.py" + (" --quick" if saved["info"]["size"] == "quick" else "")
        args.out.write_text(report.markdown(rows, saved["gas"], saved["info"], command, saved.get("notes", [])))
        print(f"written: {args.out}")
        return 0
    info: dict[str, object] = {"machine": report.machine(), "versions": report.versions(), "size": size.name}
    started = time.perf_counter()
    rows, errors = measure(size, only)
    gas_figures = gas() if not only else {}
    info["seconds"] = time.perf_counter() - started
    command = "python scripts/bench.py" + (" --quick" if args.quick else "")
    notes = [f"error: {e}" for e in errors]
    text = report.markdown(rows, gas_figures, info, command, notes)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    if args.json:
        saved = {"info": info, "rows": report.as_json(rows), "gas": gas_figures, "notes": notes}
        args.json.write_text(json.dumps(saved, indent=2))
    print(report.table(rows))
    print(f"\nwritten: {args.out}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
