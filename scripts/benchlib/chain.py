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


def _payloads(world: Any, count: int, tag: str) -> list[Any]:
    from notary import ledger

    deadline = world.deadline()
    return [
        ledger.sign(
            world.notarisation(workload.digest(f"{tag} {i} {time.time_ns()}"), parties=("FRA",), deadline=deadline),
            world.gw.domain,
            world.signers["FRA"],
        )
        for i in range(count)
    ]


def notarise_rows(url: str, library_count: int, raw_count: int, cli_count: int) -> list[Row]:
    from notary import ledger, relaying
    from notary.chain.connect import rpc
    from notary.journal import Journal
    from notary.testing import World

    world = World.build(rpc(url))
    raw = _raw_rate(world, url, raw_count)
    signed = _payloads(world, library_count, "library")
    t = time.perf_counter()
    for payload in signed:  # one `ledger.submit` after another: ~10 node calls and a receipt wait each
        ledger.submit(world.gw, world.relayer, payload)
    sequential = library_count / (time.perf_counter() - t)
    pipelined_count = library_count * 4
    signed = _payloads(world, pipelined_count, "pipelined")
    with tempfile.TemporaryDirectory(prefix="notary-bench-journal-") as tmp:
        journal = Journal(Path(tmp), world.chain.chain_id)
        t = time.perf_counter()
        done = relaying.submit_many(world.gw, world.relayer, signed, journal, timeout=300)
        pipelined = pipelined_count / (time.perf_counter() - t)
    if done.failed:
        raise RuntimeError(f"{len(done.failed)} pipelined submissions failed: {done.failed[0][1]}")
    met = pipelined >= 3 * sequential and pipelined >= 0.5 * raw
    rows = [
        Row(
            "library notarise in one process",
            f"{pipelined:.1f} tx/s pipelined ({pipelined / sequential:.1f} × sequential {sequential:.1f} tx/s)",
            f"{raw_count} pre-signed raw txs to anvil, {raw:.0f} tx/s",
            f"{pipelined / raw:.2f}",
            "pipelined ≥ 3 × sequential and ≥ 0.5 × raw",
            met,
            note=f"`relaying.submit_many` of {pipelined_count} signed notarisations (journalled, windows of 64: "
            "one batch each for gas, broadcast and receipts) against one `ledger.submit` after another",
            figures={
                "pipelined_tx_per_second": pipelined,
                "sequential_tx_per_second": sequential,
                "raw_tx_per_second": raw,
            },
        )
    ]
    rows.append(_cli_notarise(world, url, cli_count, raw))
    rows.append(agent_notarise_row(world, url, cli_count))
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


def agent_notarise_row(world: Any, url: str, count: int) -> Row:
    """`notary notarise`, one process each, signed by the key agent vs. unlocking the key with its password.

    Both series run here, on the same ledger and key, alternating, so the ratio holds on a busy machine.
    """
    with tempfile.TemporaryDirectory(prefix="notary-bench-agent-") as tmp:
        home = Path(tmp)
        manifest = home / "deployment.json"
        world.gw.deployment.save(manifest)
        env = {k: v for k, v in os.environ.items() if not k.startswith("NOTARY_")}
        env.update({"NOTARY_RPC_URL": url, "NOTARY_DEPLOYMENT": str(manifest), "NOTARY_DATA_DIR": str(home)})
        env["NOTARY_CONFIG_DIR"] = str(home / "config")
        (home / "password").write_text("bench password\n")
        (home / "key").write_text(world.signers["FRA"].key.hex())
        world.chain.fund(world.signers["FRA"].address)
        password = ["--password-file", str(home / "password")]
        sock = str(home / "agent" / "agent.sock")

        def run(*args: str, extra: dict[str, str] | None = None) -> float:
            t = time.perf_counter()
            done = subprocess.run(
                [NOTARY, *args], env={**env, **(extra or {})}, capture_output=True, text=True, timeout=300,
                stdin=subprocess.DEVNULL,
            )  # fmt: skip
            wall = time.perf_counter() - t
            if done.returncode != 0:
                raise RuntimeError(f"notary {args[0]} failed: {done.stderr[-2000:]}")
            return wall

        run("keys", "import", "fra", "--private-key-file", str(home / "key"), *password, "--json")
        run("agent", "start", "--socket", sock, "--ttl", "30m", "--json")
        try:
            run("agent", "add", "fra", "--socket", sock, *password, "--json")
            with_password, with_agent = [], []
            for i in range(count):
                argv = ["notarise", "", "--as", "FRA", "--key", "fra", "--parties", "FRA", "--kind", "mou", "--json"]
                argv[1] = workload.digest(f"agent-bench password {i} {time.time_ns()}").hex()
                with_password.append(run(*argv, *password))
                argv[1] = workload.digest(f"agent-bench agent {i} {time.time_ns()}").hex()
                with_agent.append(run(*argv, extra={"NOTARY_AGENT_SOCK": sock}))
        finally:
            subprocess.run([NOTARY, "agent", "stop", "--socket", sock], env=env, capture_output=True, timeout=60)
        unlock = _unlock_seconds(home, "bench password")
    agent, plain = median(with_agent), median(with_password)
    return Row(
        "CLI notarise through the key agent, one process each",
        f"{agent:.2f} s each",
        f"the same command unlocking the key with its password, {plain:.2f} s each",
        f"{agent / plain:.2f}",
        "≤ 1 s wall here (the agent signs: no unlock paid)",
        agent <= 1.0,
        note=f"{count} of each, alternating; the saving {plain - agent:.2f} s is the keystore's scrypt unlock "
        f"({unlock:.2f} s measured alone) paid once at `notary agent add` instead of per command",
        figures={"agent_seconds": with_agent, "password_seconds": with_password, "unlock_seconds": unlock},
    )
