"""A pinned npm library for the tests that compare us with independent JavaScript implementations."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def node_with(package: str, what: str) -> str:
    """The node binary, with `node_modules/<package>` installed; else skip (or fail in CI, which installs it)."""
    library = ROOT / "node_modules" / package
    found = shutil.which("node")
    missing = None
    if found is None:
        missing = "node is not on PATH"
    elif not (library / "package.json").is_file():
        missing = f"{library.relative_to(ROOT)} is missing: run `make node_modules`"
    if missing is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{missing} (CI installs it, so this is a failure, not a skip)")
        pytest.skip(f"{what} is not available: {missing}")
    assert found is not None
    return found
