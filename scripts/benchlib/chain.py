"""Rows on a real anvil: the indexer (SQLite, PostgreSQL), notarising (library, CLI), raw sends."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchlib import workload
from benchlib.report import Row, median

NOTARY = str(Path(sys.executable).with_name("notary"))
POSTGRES_ENV = ("NOTARY_BENCH_POSTGRES_URL", "NOTARY_TEST_POSTGRES_URL")


def postgres_url() -> str | None:
    """A PostgreSQL database the benchmark may wipe, from the environment (None: not measured)."""
    return next((os.environ[v] for v in POSTGRES_ENV if os.environ.get(v)), None)


def _wipe(url: str) -> None:
    from sqlalchemy import create_engine, inspect, text

    from notary.index.db import normalise_url

    engine = create_engine(normalise_url(url))
    with engine.begin() as conn:
        tables = inspect(conn).get_table_names()
        if tables:
            conn.execute(text("DROP TABLE IF EXISTS " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
    engine.dispose()


def index_rows(url: str, records: int, repeats: int) -> list[Row]:
    """`notary index`'s pass (`Indexer.run_once`) into SQLite and PostgreSQL, against a bare
    `eth_getLogs` of the same range through web3 (the reference of issue 12) and over raw JSON-RPC."""
    from notary.chain.connect import rpc
    from notary.chain.events import EventReader
    from notary.index import Indexer, open_index
    from notary.testing import World

    world = World.build(rpc(url))
    workload.fill(world, url, records, tag="index")
    reader = EventReader(world.chain, world.gw.deployment)
    head = reader.head()
    query = {"fromBlock": reader.start_block, "toBlock": head, "address": list(reader.addresses)}
    backends = [("SQLite", None), ("PostgreSQL", postgres_url())]
    rows = []
    for name, pg in backends:
        if name == "PostgreSQL" and pg is None:
            rows.append(_not_measured(f"`notary index` to {name}", "set NOTARY_BENCH_POSTGRES_URL to a database"))
            continue
        walls, cpus, bares, raws, events = [], [], [], [], 0
        for _ in range(max(1, repeats)):
            t = time.perf_counter()
            n = len(world.chain.w3.eth.get_logs(query))  # type: ignore[arg-type]
            bares.append(time.perf_counter() - t)
            t = time.perf_counter()
            hexq = {**query, "fromBlock": hex(reader.start_block), "toBlock": hex(head)}
            workload.call(url, "eth_getLogs", hexq)
            raws.append(time.perf_counter() - t)
            with tempfile.TemporaryDirectory(prefix="notary-bench-index-") as tmp:
                db = pg or f"sqlite:///{Path(tmp) / 'index.sqlite3'}"
                if pg:
                    _wipe(pg)
                engine = open_index(db)
                c, t = time.process_time(), time.perf_counter()
                report = Indexer(reader, engine).run_once()
                walls.append(time.perf_counter() - t)
                cpus.append(time.process_time() - c)
                engine.dispose()
            assert report.events == n, (report.events, n)
            events = n
        wall, cpu, bare, raw = median(walls), median(cpus), median(bares), median(raws)
        rate = events / wall
        ratio = bare / wall
        rows.append(
            Row(
                f"`notary index`, {events:,} events to {name}",
                f"{rate:,.0f} events/s ({wall:.2f} s)",
                f"bare `eth_getLogs` of the range via web3, {bare:.2f} s",
                f"{ratio:.2f} × bare",
                "≥ 0.5 × bare and ≥ 5,000 events/s",
                ratio >= 0.5 and rate >= 5000,
                note=f"{events / cpu:,.0f} events per CPU second of the indexer's process; the same range over "
                f"raw JSON-RPC (no web3 decoding) took {raw:.3f} s ({raw / wall:.2f} × the indexer's time); "
                f"{head - reader.start_block + 1} blocks, one range.",
                figures={"events": events, "seconds": wall, "cpu_seconds": cpu, "bare_web3": bare, "bare_raw": raw},
            )
        )
    return rows


def _not_measured(what: str, why: str) -> Row:
    return Row(what, "not measured", "", "", "", None, note=f"not measured in this run: {why}")


def _raw_rate(world: Any, url: str, count: int) -> float:
    """Pre-signed notarisations sent one after another to anvil (automine), each receipt awaited."""
    raws = workload.raw_notarisations(world, count, tag=f"raw {time.time_ns()}")
    t = time.perf_counter()
    for raw in raws:
        tx = workload.call(url, "eth_sendRawTransaction", raw)
        while workload.call(url, "eth_getTransactionReceipt", tx) is None:
            time.sleep(0.001)
    return count / (time.perf_counter() - t)


def notarise_rows(url: str, library_count: int, raw_count: int, cli_count: int) -> list[Row]:
    from notary.chain.connect import rpc
    from notary.testing import World

    world = World.build(rpc(url))
    raw = _raw_rate(world, url, raw_count)
    t = time.perf_counter()
    for i in range(library_count):
        world.notarise(workload.digest(f"library {i} {time.time_ns()}"), parties=("FRA",))
    library = library_count / (time.perf_counter() - t)
    rows = [
        Row(
            "library notarise in one process",
            f"{library:.1f} tx/s",
            f"{raw_count} pre-signed raw txs to anvil, {raw:.0f} tx/s",
            f"{library / raw:.2f}",
            "pipelined ≥ 3 × sequential and ≥ 0.5 × raw",
            False if library / raw < 0.5 else None,
            note="sequential `ledger.submit` (`World.notarise`); no pipelined submitter exists yet, so the "
            "3 × sequential half of the target cannot be judged",
            figures={"library_tx_per_second": library, "raw_tx_per_second": raw},
        )
    ]
    rows.append(_cli_notarise(world, url, cli_count, raw))
    return rows


def _cli_notarise(world: Any, url: str, count: int, raw: float) -> Row:
    """`notary notarise` as a ministry runs it: one process per document, key unlocked each time."""
    with tempfile.TemporaryDirectory(prefix="notary-bench-cli-") as tmp:
        home = Path(tmp)
        manifest = home / "deployment.json"
        world.gw.deployment.save(manifest)
        env = {**os.environ, "NOTARY_RPC_URL": url, "NOTARY_DEPLOYMENT": str(manifest), "NOTARY_DATA_DIR": str(home)}
        env["NOTARY_CONFIG_DIR"] = str(home / "config")  # the keystore: never the user's own
        (home / "password").write_text("bench password\n")
        (home / "key").write_text(world.signers["FRA"].key.hex())
        world.chain.fund(world.signers["FRA"].address)
        subprocess.run(
            [NOTARY, "keys", "import", "fra", "--private-key-file", str(home / "key"), "--password-file",
             str(home / "password"), "--json"],
            env=env, capture_output=True, check=True, timeout=120,
        )  # fmt: skip
        walls = []
        for i in range(count):
            argv = [
                NOTARY, "notarise", workload.digest(f"cli {i} {time.time_ns()}").hex(), "--as", "FRA", "--key", "fra",
                "--parties", "FRA", "--kind", "mou", "--password-file", str(home / "password"), "--json",
            ]  # fmt: skip
            t = time.perf_counter()
            done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
            walls.append(time.perf_counter() - t)
            if done.returncode != 0:
                raise RuntimeError(f"notary notarise failed: {done.stderr[-2000:]}")
            json.loads(done.stdout)
        unlock = _unlock_seconds(home, "bench password")
    wall = median(walls)
    return Row(
        "CLI notarise, one process each",
        f"{1 / wall:.2f} tx/s ({wall:.2f} s each)",
        f"pre-signed raw txs to anvil, {raw:.0f} tx/s",
        f"{(1 / wall) / raw:.4f}",
        "≤ 1 s wall here plus the key unlock",
        wall <= 1 + unlock,
        note=f"the key unlock (the keystore's scrypt, measured alone in this process) took {unlock:.2f} s; "
        f"the rest of each process {max(0.0, wall - unlock):.2f} s",
        figures={"seconds_per_process": walls, "unlock_seconds": unlock},
    )


def _unlock_seconds(home: Path, password: str) -> float:
    """How long decrypting the imported keystore takes (what every CLI signing command pays)."""
    from eth_account import Account

    for path in home.rglob("*.json"):
        body = json.loads(path.read_text())
        if isinstance(body, dict) and "crypto" in body:
            t = time.perf_counter()
            Account.decrypt(body, password)
            return time.perf_counter() - t
    raise RuntimeError(f"no keystore file under {home}")
