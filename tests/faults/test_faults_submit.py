"""`notary notarise` through a JSON-RPC proxy that faults 20 % of requests, re-run as an operator
would until it succeeds: nothing lost, nothing sent twice, no traceback, and every failure is
exit 4 naming the act's state truthfully."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from fault_helpers import STATES, FaultLedger, Run, notarise_args
from rpc_proxy import FaultProxy

from notary.cli import exit_codes
from notary.codes import party_code
from notary.journal import Journal
from notary.models import record_id

pytestmark = pytest.mark.anvil

#: Re-runs an operator makes of one command before giving up (at 20 % faults, 3 are rare).
PATIENCE = 12


def submit_all(
    ledger: FaultLedger, notary: Any, proxy_url: str, documents: list[Path], tally: Counter[str]
) -> list[tuple[Path, list[Run]]]:
    """Notarise each document through `proxy_url`, re-running each command until it exits 0."""
    history: list[tuple[Path, list[Run]]] = []
    for doc in documents:
        runs: list[Run] = []
        while not runs or runs[-1].code != 0:
            assert len(runs) < PATIENCE, f"{doc.name}: still failing after {PATIENCE} runs: {runs[-1].err}"
            before = ledger.sent()
            run = notary(*notarise_args(ledger, doc, proxy_url))
            runs.append(run)
            tally["runs"] += 1
            if run.code != 0:
                tally["failures"] += 1
                check_failure(ledger, doc, run, sent_by_run=ledger.sent() - before)
        history.append((doc, runs))
    return history


def check_failure(ledger: FaultLedger, doc: Path, run: Run, sent_by_run: int) -> None:
    """A failed run: no traceback, exit 4, and the state it names is the truth on chain right now
    (`sent_by_run`: transactions of FRA's key mined while it ran)."""
    assert run.traceback is None, run.traceback
    assert "Traceback" not in run.err
    assert run.code == exit_codes.CHAIN, run.err
    said = [s for s in STATES if s in run.err]
    assert said, f"no state named in: {run.err}"
    on_chain = bool(ledger.gw.records_of_digest(hashlib.sha256(doc.read_bytes()).digest()))
    if "recorded as 0x" in said:
        assert on_chain, run.err
    if said == ["not sent"]:
        assert sent_by_run == 0, run.err
        if "not sent by this run" not in run.err:  # the journal knew the act: nothing of it anywhere
            assert not on_chain, run.err


def check_ledger(ledger: FaultLedger, documents: list[Path]) -> None:
    """Every document recorded exactly once, by exactly one transaction each."""
    for doc in documents:
        digest = hashlib.sha256(doc.read_bytes()).digest()
        assert ledger.gw.records_of_digest(digest) == [record_id(digest, party_code("FRA"))], doc.name
        acts = ledger.gw.attestations(record_id(digest, party_code("FRA")))
        assert [(a.party, a.intent.label) for a in acts] == [("FRA", "signature")], doc.name
    assert ledger.sent() == len(documents)  # a duplicate transaction (even a reverted one) would add one


def documents(root: Path, count: int) -> list[Path]:
    folder = root / "docs"
    folder.mkdir(exist_ok=True)
    paths = [folder / f"note-verbale-{i:04d}.txt" for i in range(count)]
    for p in paths:
        p.write_text(f"Note verbale {p.stem}: the Ministry presents its compliments.\n")
    return paths


def test_forty_submissions_at_twenty_percent_faults_lose_nothing_and_send_nothing_twice(
    fault_ledger: FaultLedger, notary: Any, tmp_path: Path
) -> None:
    docs = documents(tmp_path, 40)
    proxy = FaultProxy(fault_ledger.url, rate=0.2, seed=11)
    tally: Counter[str] = Counter()
    with proxy.running() as url:
        history = submit_all(fault_ledger, notary, url, docs, tally)
    check_ledger(fault_ledger, docs)
    assert tally["failures"] > 0 and proxy.total() > 100  # the faults were real and some beat the retries
    assert proxy.total("lost") + proxy.total("truncated") + proxy.total("http500-after") > 0
    finals = [runs[-1] for _, runs in history]
    assert all(r.code == 0 for r in finals)
    journal = Journal(fault_ledger.root / "data", fault_ledger.chain.chain_id)
    assert [e for e in journal.entries() if e.state != "recorded"] == []


def test_a_send_answered_500_after_the_node_took_it_is_finished_by_the_rerun(
    fault_ledger: FaultLedger, notary: Any, tmp_path: Path
) -> None:
    """The issue's case: the node accepted the send, the answer was a 500. Not 'refused': exit 4
    with the transaction named and kept; the re-run reports it recorded, and signs nothing new."""
    (doc,) = documents(tmp_path, 1)
    proxy = FaultProxy(fault_ledger.url, script={"eth_sendRawTransaction": ["http500-after"]})
    with proxy.running() as url:
        first = notary(*notarise_args(fault_ledger, doc, url))
        assert first.code == exit_codes.CHAIN and first.traceback is None, first.err
        assert "refused" not in first.err and re.search(r"transaction 0x[0-9a-f]{64} was sent", first.err)
        assert "the act is signed as 0x" in first.err
        again = notary(*notarise_args(fault_ledger, doc, url))
    assert again.code == 0, again.err
    assert again.out and '"resumed": "mined"' in again.out
    check_ledger(fault_ledger, [doc])
    assert proxy.forwarded["eth_sendRawTransaction"] == 1


def test_orphaned_journal_temporaries_are_removed(fault_ledger: FaultLedger, notary: Any, tmp_path: Path) -> None:
    """A temporary file left by a writer killed between write and rename holds a transaction that was
    never broadcast: the next submission removes it (and sends its own act once)."""
    journal = Journal(fault_ledger.root / "data", fault_ledger.chain.chain_id)
    journal.folder.mkdir(parents=True)
    orphan = journal.folder / ".0xabc.00.FRA.notarisation.json.999999.tmp"  # pid 999999: not running
    orphan.write_text('{"half": ')
    (doc,) = documents(tmp_path, 1)
    assert notary(*notarise_args(fault_ledger, doc)).code == 0
    assert not orphan.exists()
    check_ledger(fault_ledger, [doc])


def test_ctrl_c_says_what_state_the_act_is_in(
    fault_ledger: FaultLedger, notary: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Interrupted after the broadcast, before the receipt: exit 130, "sent as 0x… / signed as 0x…",
    and that re-running finishes it; the re-run does, with one transaction in all."""
    from notary.chain import tx

    (doc,) = documents(tmp_path, 1)

    def interrupt(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(tx, "wait", interrupt)
        m.setattr(tx.Replacing, "wait", interrupt)  # a new send waits there
        run = notary(*notarise_args(fault_ledger, doc))
    assert run.code == exit_codes.INTERRUPTED and run.traceback is None
    assert re.search(r"interrupted: the act is signed as 0x[0-9a-f]{64}", run.err), run.err
    assert "run the same command again to finish it safely" in run.err
    again = notary(*notarise_args(fault_ledger, doc))
    assert again.code == 0 and '"resumed": "mined"' in again.out
    check_ledger(fault_ledger, [doc])


def test_ctrl_c_before_anything_is_signed_says_not_sent(
    fault_ledger: FaultLedger, notary: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from notary.chain import tx

    (doc,) = documents(tmp_path, 1)

    def interrupt(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(tx, "send", interrupt)
    run = notary(*notarise_args(fault_ledger, doc))
    assert run.code == exit_codes.INTERRUPTED and "interrupted: the act is not sent" in run.err
    assert fault_ledger.sent() == 0


def test_ctrl_c_after_the_act_is_recorded_says_recorded(
    fault_ledger: FaultLedger, notary: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Interrupted while writing the output, after the act was recorded: it says so."""
    from notary.cli import acts

    (doc,) = documents(tmp_path, 1)

    def interrupt(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(acts, "report", interrupt)
    run = notary(*notarise_args(fault_ledger, doc))
    assert run.code == exit_codes.INTERRUPTED
    assert re.search(r"interrupted: the act is recorded as 0x[0-9a-f]{64} in block \d+", run.err), run.err
