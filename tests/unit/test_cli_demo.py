"""The `notary` command: demo, version, help and the error handler."""

from __future__ import annotations

import json
import subprocess
import sys

from notary.cli.app import main


def test_demo_json_prints_an_executed_record(capsys) -> None:  # type: ignore[no-untyped-def]
    """`notary demo --json` ends with the MoU executed, signed by FRA and SGP, verified."""
    assert main(["demo", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["verified"] is True
    assert out["record"]["status"] == "executed"
    assert [(a["party"], a["health"]) for a in out["record"]["attestations"]] == [
        ("FRA", "valid"),
        ("SGP", "valid"),
    ]
    assert out["gas"]["notarise"] > 0


def test_demo_human_output_names_the_verdict(capsys) -> None:  # type: ignore[no-untyped-def]
    """The human demo prints the record table and VERIFIED."""
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "VERIFIED" in out and "executed" in out


def test_missing_file_is_a_clear_error_without_traceback(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A missing document exits 3 with a one-line error, no traceback."""
    code = main(["demo", "--file", str(tmp_path / "nope.pdf")])
    err = capsys.readouterr().err
    assert code == 3
    assert "does not exist" in err and "Traceback" not in err


def test_help_starts_without_importing_web3() -> None:
    """`notary --help` does not import web3 (fast start-up)."""
    code = "import sys; from notary.cli.app import main; main(['--help']); print('web3' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("False")
