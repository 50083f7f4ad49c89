"""Fixtures of the fault suite (the helpers they build on, which tests import, are in fault_helpers.py:
a module named `conftest` is ambiguous when several test folders are collected together)."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fault_helpers import FaultLedger, Run, build


@pytest.fixture
def fault_ledger(anvil_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FaultLedger:
    """A fresh ledger on the session's anvil."""
    return build(anvil_url, tmp_path, monkeypatch)


@pytest.fixture
def own_anvil(anvil_url: str) -> Iterator[str]:
    """An anvil of the test's own (for reorgs: they rewrite the chain). `anvil_url` skips without anvil."""
    from notary.chain.node import ephemeral_anvil

    with ephemeral_anvil() as url:
        yield url


@pytest.fixture
def notary(capsys: pytest.CaptureFixture[str]) -> Any:
    """`notary(*args)`: run the CLI in process; an exception escaping `main` is a traceback."""
    from notary.cli.app import main

    def run(*args: str) -> Run:
        capsys.readouterr()
        try:
            code = main(list(args))
            tb = None
        except BaseException:  # what a user would see as a traceback
            code, tb = -1, traceback.format_exc()
        out, err = capsys.readouterr()
        return Run(code, out, err, tb)

    return run
