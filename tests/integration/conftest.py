"""Fixtures of the CLI act tests: a fresh ledger on the session's anvil, and `notary` run as a ministry."""

from __future__ import annotations

from pathlib import Path

import pytest
from acts_helpers import Ledger, Run, build, isolate

from notary.cli.app import main


@pytest.fixture
def ledger(anvil_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ledger:
    """A fresh deployment with FRA, SGP and DEU, each on its own 'machine'."""
    isolate(monkeypatch, tmp_path)
    return build(anvil_url, tmp_path)


@pytest.fixture
def run(ledger: Ledger, capsys: pytest.CaptureFixture[str]) -> Run:
    """Run `notary` as on `machine`: returns (exit code, stdout, stderr)."""

    def invoke(machine: str, *args: str, flags: list[str] | None = None) -> tuple[int, str, str]:
        code = main([*(flags if flags is not None else ledger.flags(machine)), *args])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke
