"""The receipt, multi-text and batch commands against a real anvil node."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from acts_helpers import Ledger, build, isolate

from notary import receipts
from notary.cli.app import main
from notary.codes import party_code
from notary.models import anchor_id

pytestmark = pytest.mark.anvil

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def ledger(anvil_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ledger:
    isolate(monkeypatch, tmp_path)
    return build(anvil_url, tmp_path)


@pytest.fixture
def run(ledger: Ledger, capsys: pytest.CaptureFixture[str]) -> Run:
    def invoke(machine: str, *args: str) -> tuple[int, str, str]:
        code = main([*ledger.flags(machine), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def ok(run: Run, machine: str, *args: str) -> dict[str, Any]:
    code, out, err = run(machine, *args, "--json")
    assert code == 0, f"{args} -> {code}: {err}"
    return dict(json.loads(out))


def as_party(ledger: Ledger, party: str) -> list[str]:
    return ["--as", party, "--key", ledger.key(party)]


def verify(run: Run, document: Path | str, receipt: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    code, out, _ = run("FRA", "verify", str(document), "--receipt", str(receipt), *extra, "--json")
    return code, json.loads(out)


def test_notarise_and_sign_write_receipts_as_they_go(run: Run, ledger: Ledger, tmp_path: Path) -> None:
    """notarise --receipt-out writes a pending receipt; sign --receipt-out an executed one that verifies."""
    mou = tmp_path / "mou.txt"
    mou.write_text("MoU on consular cooperation\n")
    pending, final = tmp_path / "pending.json", tmp_path / "final.json"
    first = ok(
        run, "FRA", "notarise", str(mou), *as_party(ledger, "FRA"), "--parties", "FRA,SGP", "--kind", "mou",
        "--title", "MoU on consular cooperation", "--receipt-out", str(pending),
    )  # fmt: skip
    assert first["receiptStatus"] == "open" and first["receiptActs"] == 1
    code, verdict = verify(run, mou, pending, "--offline")
    assert code == 1 and verdict["reasons"][0].startswith("pending: 1 of 2")
    second = ok(run, "SGP", "sign", str(mou), *as_party(ledger, "SGP"), "--receipt-out", str(final))
    assert second["receiptStatus"] == "executed" and second["receiptActs"] == 2
    code, verdict = verify(run, mou, final, "--offline")
    assert code == 0 and verdict["verified"] and verdict["mode"] == "offline"
    assert "canonical history" in verdict["trustAssumption"]
    # The SGP receipt lacks the title, which is only hashed on chain: a warning, not a failure.
    assert any("metadata" in w for w in verdict["warnings"])
    code, verdict = verify(run, mou, final)
    assert code == 0 and verdict["mode"] == "online" and verdict["changes"] == []
    # `notary receipt` refreshes the pending one: same document and metadata, now executed.
    refreshed = tmp_path / "refreshed.json"
    ok(run, "FRA", "receipt", "--from-receipt", str(pending), "-o", str(refreshed))
    code, verdict = verify(run, mou, refreshed, "--offline")
    assert code == 0 and verdict["warnings"] == []


def test_receipt_command_and_human_output(run: Run, ledger: Ledger, tmp_path: Path) -> None:
    """`notary receipt FILE -o R` then `verify --offline` prints the verdict and the trust assumption."""
    note = tmp_path / "note.txt"
    note.write_text("Note verbale 2026/17\n")
    ok(run, "FRA", "notarise", str(note), *as_party(ledger, "FRA"), "--parties", "FRA", "--kind", "note-verbale")
    receipt = tmp_path / "note.receipt.json"
    code, out, err = run("FRA", "receipt", str(note), "-o", str(receipt))
    assert code == 0 and "receipt written" in out, err
    code, out, _ = run("FRA", "verify", str(note), "--receipt", str(receipt), "--offline")
    assert code == 0 and "VERIFIED" in out and "trust:" in out
    other = tmp_path / "other.txt"
    other.write_text("another note\n")
    code, out, _ = run("FRA", "verify", str(other), "--receipt", str(receipt), "--offline")
    assert code == 1 and "NOT VERIFIED" in out
    receipt.write_bytes(receipt.read_bytes() + b"\n")
    code, _, err = run("FRA", "verify", str(note), "--receipt", str(receipt), "--offline")
    assert code == 3 and "trailing data" in err


def test_two_language_instrument_members_verify_and_a_third_file_does_not(
    run: Run, ledger: Ledger, tmp_path: Path
) -> None:
    """English and French texts plus a map annex: each verifies as a member; a third file does not."""
    en, fr, annex, third = (tmp_path / n for n in ("treaty-en.txt", "treaty-fr.txt", "map.png", "treaty-de.txt"))
    en.write_text("Treaty, English text\n")
    fr.write_text("Traite, texte francais\n")
    annex.write_bytes(bytes(range(256)))
    third.write_text("Vertrag, deutscher Text (not an authentic text)\n")
    receipt = tmp_path / "treaty.receipt.json"
    first = ok(
        run, "FRA", "notarise", "--text", str(en), "--text", str(fr), "--annex", str(annex),
        *as_party(ledger, "FRA"), "--parties", "FRA,SGP", "--kind", "treaty", "--title", "Treaty of friendship",
    )  # fmt: skip
    assert first["hashAlgorithm"] == "merkle-sha256"
    assert first["texts"] == ["treaty-en.txt (text)", "treaty-fr.txt (text)", "map.png (annex)"]
    ok(run, "SGP", "sign", first["digest"], *as_party(ledger, "SGP"))
    ok(
        run, "FRA", "receipt", "--text", str(en), "--text", str(fr), "--annex", str(annex),
        "--title", "Treaty of friendship", "-o", str(receipt),
    )  # fmt: skip
    for member, position in ((en, "part 1 of 3"), (fr, "part 2 of 3"), (annex, "part 3 of 3")):
        code, verdict = verify(run, member, receipt, "--offline")
        assert code == 0 and verdict["matched"].startswith(position), verdict
    code, verdict = verify(run, third, receipt, "--offline")
    assert code == 1 and "nor one of its texts" in verdict["reasons"][0]
    code, verdict = verify(run, fr, receipt)
    assert code == 0 and verdict["mode"] == "online"
    texts = receipts.read(receipt).document.texts
    assert [(t.name, t.role) for t in texts] == [
        ("treaty-en.txt", "text"),
        ("treaty-fr.txt", "text"),
        ("map.png", "annex"),
    ]


def test_batch_anchor_bundle_and_prove(run: Run, ledger: Ledger, tmp_path: Path) -> None:
    """300 certificates (hashed by worker processes) anchor in one transaction; each proves membership."""
    folder = tmp_path / "certificates"
    folder.mkdir()
    for i in range(300):
        (folder / f"cert-{i:03d}.txt").write_text(f"Consular certificate {i}\n")
    bundle, receipts_dir = tmp_path / "batch.json", tmp_path / "receipts"
    done = ok(
        run, "FRA", "batch", "anchor", str(folder), *as_party(ledger, "FRA"), "-o", str(bundle),
        "--receipts", str(receipts_dir), "--title", "Consular certificates, November",
    )  # fmt: skip
    assert done["count"] == 300 and done["proofLength"] == 9 and done["transaction"]
    assert len(list(receipts_dir.iterdir())) == 300
    member = folder / "cert-123.txt"
    proved = ok(run, "FRA", "batch", "prove", str(member), "--bundle", str(bundle), "-o", str(tmp_path / "r.json"))
    assert proved["name"] == "cert-123.txt" and proved["index"] == 123 and len(proved["proof"]) <= 9
    digest = hashlib.sha256(member.read_bytes()).digest()
    aid = anchor_id(bytes.fromhex(done["root"]), party_code("FRA"))
    proof = [bytes.fromhex(p[2:]) for p in proved["proof"]]
    assert ledger.gw.verify_inclusion(aid, digest, proof)
    code, verdict = verify(run, member, tmp_path / "r.json", "--offline")
    assert code == 0 and verdict["matched"] == "a document of the batch of 300 anchored by FRA"
    code, verdict = verify(run, member, receipts_dir / "cert-123.txt.receipt.json")
    assert code == 0 and verdict["mode"] == "online"
    # Written by `batch anchor` itself (connected): with the anchor's state proofs, checked offline.
    code, verdict = verify(run, member, receipts_dir / "cert-123.txt.receipt.json", "--offline")
    assert code == 0 and verdict["stateProofs"] == "verified", verdict
    stranger = tmp_path / "stranger.txt"
    stranger.write_text("not in the batch\n")
    code, _, err = run("FRA", "batch", "prove", str(stranger), "--bundle", str(bundle))
    assert code == 3 and "no document with SHA-256" in err
    again = ok(run, "FRA", "batch", "anchor", str(folder), *as_party(ledger, "FRA"), "-o", str(bundle),
               "--title", "Consular certificates, November")  # fmt: skip
    assert again["alreadyRecorded"] is True
