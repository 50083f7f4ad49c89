"""`notary submit P1.json P2.json …`: many payloads signed offline relayed together, each exactly once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from acts_helpers import Ledger, Run

from notary.cli import exit_codes

pytestmark = pytest.mark.anvil


def offline_notarisations(run: Run, ledger: Ledger, tmp_path: Path, count: int, tag: str = "") -> list[Path]:
    payloads = []
    for i in range(count):
        doc = tmp_path / f"certificate-{i}.txt"
        doc.write_text(f"Consular certificate {tag}{i}\n")
        payload = tmp_path / f"certificate-{i}.payload.json"
        code, _, err = run(
            "FRA", "notarise", str(doc), "--as", "FRA", "--key", ledger.key("FRA"), "--parties", "FRA",
            "--kind", "certificate", "--title", f"Certificate {i}", "--offline", "-o", str(payload), "--json",
        )  # fmt: skip
        assert code == 0, err
        payloads.append(payload)
    return payloads


def test_many_payloads_are_relayed_together_once_each(run: Run, ledger: Ledger, tmp_path: Path) -> None:
    payloads = offline_notarisations(run, ledger, tmp_path, 6)
    code, out, err = run("DEU", "submit", *map(str, payloads), "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [r["outcome"] for r in rows] == ["recorded"] * 6
    assert [r["file"] for r in rows] == [str(p) for p in payloads]
    for row in rows:
        rid = bytes.fromhex(row["recordId"][2:])
        assert [a.transaction for a in ledger.gw.attestations(rid)] == [row["transaction"]]
    # Again, with one more: the six are not sent twice.
    (tmp_path / "more").mkdir()
    more = offline_notarisations(run, ledger, tmp_path / "more", 1, tag="more ")
    code, out, err = run("DEU", "submit", *map(str, [*payloads, *more]))
    assert code == 0, err
    assert "1 recorded, 6 already recorded, 0 failed, of 7 payloads" in out


def test_one_refused_payload_fails_alone_with_its_reason(run: Run, ledger: Ledger, tmp_path: Path) -> None:
    payloads = offline_notarisations(run, ledger, tmp_path, 3)
    body = json.loads(payloads[1].read_text())
    body["signature"] = body["signature"][:-4] + ("00" if body["signature"][-2:] != "00" else "11") + "1b"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(body))
    code, out, err = run("DEU", "submit", str(payloads[0]), str(forged), str(payloads[2]), "--json")
    assert code in (exit_codes.REJECTED, exit_codes.INPUT), err
    rows = json.loads(out)
    assert [r["outcome"] for r in rows] == ["recorded", "failed", "recorded"]
    assert rows[1]["error"] and "Traceback" not in err
    digest = bytes.fromhex(json.loads(payloads[1].read_text())["typedData"]["message"]["terms"]["digest"][2:])
    assert not ledger.gw.records_of_digest(digest)


def test_a_bad_file_stops_everything_before_anything_is_sent(run: Run, ledger: Ledger, tmp_path: Path) -> None:
    payloads = offline_notarisations(run, ledger, tmp_path, 2)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    code, _, err = run("DEU", "submit", str(payloads[0]), str(broken), str(payloads[1]))
    assert code == exit_codes.INPUT and "broken.json" in err
    code, _, err = run("DEU", "submit", str(payloads[0]), str(payloads[0]))
    assert code == exit_codes.INPUT and "twice" in err
    for payload in payloads:
        digest = bytes.fromhex(json.loads(payload.read_text())["typedData"]["message"]["terms"]["digest"][2:])
        assert not ledger.gw.records_of_digest(digest)  # nothing was sent
