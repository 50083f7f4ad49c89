"""How many JSON-RPC calls the read commands make, counted by a loopback proxy in front of anvil.

Upper bounds, pinned (issue 13, "Speed"): the chain id is asked once per command (web3's own
validation asks it before every contract call), the ledger's code is checked once, and a record's
events come from one eth_getLogs. `notary notarise` goes through the send path (its own calls are
reported by the benchmark, not pinned here); its read half is.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest
from acts_helpers import Ledger, build, isolate

from notary.cli.app import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "faults"))
from rpc_proxy import FaultProxy  # noqa: E402  (a counting proxy when it injects no fault)

pytestmark = pytest.mark.anvil


@pytest.fixture
def ledger(anvil_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ledger:
    isolate(monkeypatch, tmp_path)
    return build(anvil_url, tmp_path)


def calls(ledger: Ledger, capsys: pytest.CaptureFixture[str], *args: str) -> Counter[str]:
    """The JSON-RPC calls (by method) that `notary ARGS`, run as FRA's machine, sends to the node."""
    proxy = FaultProxy(ledger.url)
    with proxy.running() as url:
        flags = ledger.flags("FRA")
        flags[flags.index("--rpc-url") + 1] = url
        code = main([*flags, *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return proxy.forwarded


def notarised(ledger: Ledger, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> tuple[Path, Counter[str]]:
    doc = tmp_path / "mou.txt"
    doc.write_text(f"memorandum {tmp_path.name}\n")
    sent = calls(ledger, capsys, "notarise", str(doc), "--as", "FRA", "--key", ledger.key("FRA"), "--parties",
                 "FRA,SGP", "--kind", "mou", "--json")  # fmt: skip
    return doc, sent


def test_status_asks_the_chain_id_once_and_reads_a_record_in_two_calls(
    ledger: Ledger, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`notary status FILE` of a record with one act: chain id, ledger code, the digest's records, the head,
    the record's state and its events, the act's key check: 7 calls (13 before)."""
    doc, _ = notarised(ledger, capsys, tmp_path)
    seen = calls(ledger, capsys, "status", str(doc), "--json")
    assert seen["eth_chainId"] == 1 and seen["eth_getCode"] == 1
    assert seen["eth_getLogs"] == 2  # RecordNotarised by digest; the record's notarisation, acts and voids
    assert sum(seen.values()) <= 7, seen


def test_verify_reads_the_chain_id_once(ledger: Ledger, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`notary verify FILE` (the chain-read verdict): one eth_chainId, one eth_getCode, at most 7 calls (15 before)."""
    doc, _ = notarised(ledger, capsys, tmp_path)
    proxy = FaultProxy(ledger.url)
    with proxy.running() as url:
        flags = ledger.flags("FRA")
        flags[flags.index("--rpc-url") + 1] = url
        code = main([*flags, "verify", str(doc), "--json"])
    capsys.readouterr()
    assert code == 1  # SGP has not signed: not verified, which changes nothing in what is read
    seen = proxy.forwarded
    assert seen["eth_chainId"] == 1 and seen["eth_getCode"] == 1
    assert sum(seen.values()) <= 7, seen


def test_notarise_asks_the_chain_id_once_and_checks_the_code_once(
    ledger: Ledger, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`notary notarise`: whatever the send path asks, the chain id is asked once and the ledger's code
    checked once (9 and 1 before), and the new record is read back in one eth_getLogs with no block fetch."""
    _, seen = notarised(ledger, capsys, tmp_path)
    assert seen["eth_chainId"] == 1 and seen["eth_getCode"] == 1
    assert seen["eth_sendRawTransaction"] == 1
    assert seen["eth_getLogs"] <= 2, seen
