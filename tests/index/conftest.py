"""Fixtures of the index tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from index_helpers import BACKENDS, backend_url


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty index database: an SQLite file, and the PostgreSQL test server when there is one."""
    return backend_url(request.param, tmp_path)
