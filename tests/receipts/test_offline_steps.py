"""`notary verify --receipt --offline` speaks to people: the record's state, parties and dates, the receipt's
age, and the numbered steps with what each found."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from notary import receipts
from notary.cli.app import main
from notary.models import Intent
from notary.receipts.build import record_receipt
from notary.testing import World


def _receipt(world: World, tmp_path: Path, cosign: bool = True) -> tuple[Path, Path, Path]:
    doc = tmp_path / "mou.txt"
    doc.write_text("MoU on consular cooperation\n")
    rid = world.notarise(hashlib.sha256(doc.read_bytes()).digest(), "FRA", kind="mou")
    if cosign:
        world.act(rid, "SGP", Intent.SIGNATURE)
    manifest = tmp_path / "deployment.json"
    world.gw.deployment.save(manifest)
    receipt = tmp_path / "mou.receipt.json"
    receipt.write_bytes(receipts.dumps(record_receipt(world.gw, rid)))
    return doc, receipt, manifest


def test_offline_verdict_prints_state_parties_dates_age_and_steps(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc, receipt, manifest = _receipt(world, tmp_path)
    code = main(["--deployment", str(manifest), "verify", str(doc), "--receipt", str(receipt), "--offline"])
    out = capsys.readouterr().out
    assert code == 0
    assert "(mou, notarised by FRA): executed when the receipt was written; quorum 2 of 2 (FRA, SGP)" in out
    assert "FRA signature on 20" in out and "SGP signature on 20" in out  # dates, UTC
    assert "its latest act is" in out and "old" in out
    for step in ("0. the deployment is pinned", "1. every section", "2. the file is", "3-5. metadata", "7. state"):
        assert step in out
    assert "✓ 3-5." in out and "– 7." in out  # no state proofs on the embedded chain: said, not hidden


def test_a_failing_step_is_marked_and_json_lists_the_steps(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc, receipt, manifest = _receipt(world, tmp_path, cosign=False)
    code = main(["--deployment", str(manifest), "verify", str(doc), "--receipt", str(receipt), "--offline"])
    out = capsys.readouterr().out
    assert code == 1 and "✗ 3-5." in out and "open when the receipt was written" in out
    other = tmp_path / "other.txt"
    other.write_text("another file\n")
    code = main(["--deployment", str(manifest), "verify", str(other), "--receipt", str(receipt), "--offline", "--json"])
    steps = {s["step"]: s["outcome"] for s in json.loads(capsys.readouterr().out)["steps"]}
    assert code == 1 and steps["0"] == "ok" and steps["1"] == "ok" and steps["2"] == "failed"
