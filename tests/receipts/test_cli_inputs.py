"""Input errors of the new options, caught before any chain access."""

from __future__ import annotations

from pathlib import Path

import pytest

from notary.cli.app import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["--rpc-url", "http://127.0.0.1:9", *args])
    return code, capsys.readouterr().err


def test_receipt_out_needs_the_chain(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """--receipt-out with --offline is refused: nothing is recorded yet, so there is nothing to prove."""
    doc = tmp_path / "d.txt"
    doc.write_text("x")
    code, err = run(
        capsys, "notarise", str(doc), "--as", "FRA", "--key", "k", "--parties", "FRA", "--kind", "mou",
        "--offline", "-o", str(tmp_path / "p.json"), "--receipt-out", str(tmp_path / "r.json"),
    )  # fmt: skip
    assert code == 3 and "--receipt-out needs the chain" in err


def test_document_and_texts_are_exclusive(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A document is named once: FILE|DIGEST or --text files; one text alone is not an instrument."""
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("a")
    b.write_text("b")
    base = ["--as", "FRA", "--key", "k", "--parties", "FRA", "--kind", "treaty", "--offline", "-o", str(tmp_path / "p")]
    code, err = run(capsys, "notarise", str(a), "--text", str(b), *base)
    assert code == 3 and "not both" in err
    code, err = run(capsys, "notarise", "--text", str(a), *base)
    assert code == 3 and "at least two texts" in err
    code, err = run(capsys, "verify", str(a), "--offline")
    assert code == 3 and "--offline verifies a receipt" in err
