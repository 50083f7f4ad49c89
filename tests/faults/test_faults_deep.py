"""The deep tier of the fault suite (`make test-deep`, or `pytest -m deep tests/faults`): the quick
tier's runs at the issue's sizes. Each test prints its figures (pytest -s shows them)."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fault_helpers import PASSWORD, FaultLedger, build, notarise_args
from rpc_proxy import FaultProxy
from test_faults_reorg import on_chain, run_with_reorgs
from test_faults_submit import check_ledger, documents, submit_all

from notary.journal import Journal

pytestmark = [pytest.mark.anvil, pytest.mark.deep]


def test_five_hundred_submissions_at_twenty_percent_faults(
    fault_ledger: FaultLedger, notary: Any, tmp_path: Path
) -> None:
    docs = documents(tmp_path, 520)
    reference, faulty = docs[:20], docs[20:]
    started = time.perf_counter()
    with FaultProxy(fault_ledger.url, rate=0.0).running() as url:  # the same path without faults
        submit_all(fault_ledger, notary, url, reference, Counter())
    per_act_clean = (time.perf_counter() - started) / len(reference)
    proxy = FaultProxy(fault_ledger.url, rate=0.2, seed=2024)
    tally: Counter[str] = Counter()
    started = time.perf_counter()
    with proxy.running() as url:
        submit_all(fault_ledger, notary, url, faulty, tally)
    per_act_faulty = (time.perf_counter() - started) / len(faulty)
    check_ledger(fault_ledger, docs)
    faults = {f: proxy.total(f) for f in sorted({f for f, _ in proxy.injected})}
    print(f"\n500 submissions: {tally['runs']} runs, {tally['failures']} failed (all exit 4 naming the state), "
          f"0 lost, 0 duplicated, 0 tracebacks; faults injected {proxy.total()}: {faults}; time per recorded "
          f"act {per_act_faulty / per_act_clean:.2f}x the same run's fault-free reference")  # fmt: skip


def test_twenty_reorgs_across_a_hundred_submissions(
    own_anvil: str, notary: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    ledger = build(own_anvil, tmp_path, monkeypatch)
    errs = run_with_reorgs(ledger, notary, tmp_path, 100, reorgs=20, seed=99)
    assert notary(*ledger.flags(), "pending").code == 0
    docs = [tmp_path / f"treaty-{i:03d}.txt" for i in range(100)]
    assert [on_chain(ledger, d) for d in docs] == [1] * 100
    assert ledger.sent() == 100
    dropped = sum(e.count("a reorg dropped") for e in errs)
    print(f"\n100 submissions, 21 reorgs of depth 1-3: {dropped} acknowledged acts dropped by reorgs, reported "
          "and re-broadcast; 100 of 100 final, 0 duplicated")  # fmt: skip


def _cli(ledger: FaultLedger, doc: Path) -> list[str]:
    return [sys.executable, "-m", "notary.cli.app", *notarise_args(ledger, doc)]


def test_fifty_sigkills_of_the_submitter(fault_ledger: FaultLedger, tmp_path: Path) -> None:
    """`notary notarise` in a subprocess, SIGKILLed at a random moment, then re-run until it succeeds."""
    env = {**os.environ, "NOTARY_PASSWORD": PASSWORD, "NOTARY_CONFIG_DIR": str(tmp_path / "config")}
    rng = random.Random(50)
    docs = documents(tmp_path, 50)
    outcomes: Counter[str] = Counter()
    for doc in docs:
        before = fault_ledger.sent()
        proc = subprocess.Popen(_cli(fault_ledger, doc), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.8, 3.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            outcomes["killed"] += 1
        proc.wait()
        outcomes["sent before the kill" if fault_ledger.sent() > before else "nothing sent before the kill"] += 1
        for _attempt in range(5):
            rerun = subprocess.run(_cli(fault_ledger, doc), env=env, capture_output=True, text=True, timeout=120)
            assert "Traceback" not in rerun.stderr, rerun.stderr
            if rerun.returncode == 0:
                outcomes["resumed" if '"resumed": "' in rerun.stdout else "fresh or already recorded"] += 1
                break
        else:
            raise AssertionError(f"{doc.name}: re-runs keep failing: {rerun.stderr}")
    check_ledger(fault_ledger, docs)
    journal = Journal(fault_ledger.root / "data", fault_ledger.chain.chain_id)
    assert [e for e in journal.entries() if e.state != "recorded"] == []
    assert not list(journal.folder.glob(".*.tmp"))
    digests = {hashlib.sha256(d.read_bytes()).digest() for d in docs}
    print(f"\n50 submitters SIGKILLed at random points ({dict(outcomes)}): {len(digests)} of 50 recorded once, "
          "0 lost, 0 duplicated, no journal temporaries left")  # fmt: skip
