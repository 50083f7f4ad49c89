"""Reorgs (anvil_reorg, depth 1-3) after acts the CLI acknowledged: the journal keeps each signed
transaction past its first receipt, the next command reports the drop and re-broadcasts the
same bytes, and in the end every acknowledged act is on chain, once."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path
from typing import Any

import pytest
from fault_helpers import FaultLedger, build, notarise_args

from notary.chain.connect import rpc
from notary.codes import party_code
from notary.journal import Journal
from notary.models import record_id

pytestmark = pytest.mark.anvil


def reorg(url: str, depth: int) -> None:
    """Replace the last `depth` blocks with empty ones (anvil does not return their transactions)."""
    answer = rpc(url).w3.provider.make_request("anvil_reorg", [depth, []])  # type: ignore[arg-type]
    assert "error" not in answer, answer


def on_chain(ledger: FaultLedger, doc: Path) -> int:
    digest = hashlib.sha256(doc.read_bytes()).digest()
    rid = record_id(digest, party_code("FRA"))
    return (
        len([a for a in ledger.gw.attestations(rid) if a.party == "FRA"]) if ledger.gw.records_of_digest(digest) else 0
    )


def run_with_reorgs(ledger: FaultLedger, notary: Any, root: Path, count: int, reorgs: int, seed: int) -> list[str]:
    """Notarise `count` documents through the CLI, with `reorgs` reorgs of depth 1-3 in between;
    returns what the CLI printed on stderr."""
    rng = random.Random(seed)
    mine = rpc(ledger.url).w3.provider
    for _ in range(4):  # the ledger's set-up lies deeper than any reorg
        mine.make_request("evm_mine", [])  # type: ignore[arg-type]
    when = set(rng.sample(range(1, count), reorgs))
    errs: list[str] = []
    for i in range(count):
        if i in when:
            reorg(ledger.url, rng.randint(1, 3))
        doc = root / f"treaty-{i:03d}.txt"
        doc.write_text(f"Treaty {i}\n")
        run = notary(*notarise_args(ledger, doc))
        assert run.code == 0 and run.traceback is None, run.err  # acknowledged: "recorded"
        errs.append(run.err)
    reorg(ledger.url, rng.randint(1, 3))  # and one after the last acknowledgement
    final = notary(*ledger.flags(), "pending", "--json")
    assert final.code == 0, final.err
    errs.append(final.err)
    return errs


def test_reorgs_lose_no_acknowledged_act(own_anvil: str, notary: Any, tmp_path: Path, monkeypatch: Any) -> None:
    ledger = build(own_anvil, tmp_path, monkeypatch)
    count = 12
    errs = run_with_reorgs(ledger, notary, tmp_path, count, reorgs=4, seed=5)
    docs = [tmp_path / f"treaty-{i:03d}.txt" for i in range(count)]
    assert [on_chain(ledger, d) for d in docs] == [1] * count
    assert ledger.sent() == count  # re-broadcasts are the same transactions: nothing duplicated
    reported = "\n".join(errs)
    assert "a reorg dropped" in reported and "acknowledged as recorded" in reported
    assert notary(*ledger.flags(), "pending").code == 0  # finds the re-broadcast ones mined: recorded
    journal = Journal(tmp_path / "data", ledger.chain.chain_id)
    assert [e.state for e in journal.entries()] == ["recorded"] * count


def test_pending_lists_an_act_mined_but_not_yet_deep_enough(
    own_anvil: str, notary: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """At 2 confirmations on a chain that mines only on demand, the command waits, then exits 4
    saying the act is mined but not final; `notary pending` lists it; once two more blocks are
    mined, it is recorded and `pending` says nothing is waiting."""
    ledger = build(own_anvil, tmp_path, monkeypatch)
    monkeypatch.setenv("NOTARY_CONFIRMATIONS", "2")
    monkeypatch.setenv("NOTARY_TX_TIMEOUT", "1")
    doc = tmp_path / "exchange-of-notes.txt"
    doc.write_text("Exchange of notes\n")
    run = notary(*notarise_args(ledger, doc))
    assert run.code == 4 and run.traceback is None
    assert "is not final" in run.err and "the act is sent as 0x" in run.err and "mined in block" in run.err
    listed = notary(*ledger.flags(), "pending", "--json")
    assert listed.code == 0
    (act,) = __import__("json").loads(listed.out)["acts"]
    assert (act["party"], act["state"], act["confirmations"], act["final"]) == ("FRA", "mined", 0, False)
    provider = rpc(ledger.url).w3.provider
    for _ in range(2):
        provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    after = notary(*ledger.flags(), "pending")
    assert after.code == 0 and "is now recorded" in after.err and "no act is pending" in after.out
    again = notary(*notarise_args(ledger, doc))
    assert again.code == 0 and '"alreadyRecorded": true' in again.out
    assert ledger.sent() == 1
