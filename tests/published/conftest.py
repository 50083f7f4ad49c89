"""Shared fixtures of the published-documents tests: an embedded chain with FRA, SGP, DEU and an index."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from published_helpers import anchor_bundle, notarise_instrument, sha

sys.path.insert(0, str(Path(__file__).parents[1] / "index"))
from index_helpers import BACKENDS, backend_url  # noqa: E402

from notary.chain.connect import in_process
from notary.index import open_index
from notary.published import PublishedStore
from notary.testing import World

__all__ = ["anchor_bundle", "notarise_instrument", "sha"]


@pytest.fixture(scope="session")
def _session_world() -> World:
    return World.build(in_process())


@pytest.fixture
def world(_session_world: World) -> Iterator[World]:
    """The session world; chain state is reset after each test."""
    with _session_world.restored() as world:
        yield world


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> PublishedStore:
    """The published documents in an index database: an SQLite file, and PostgreSQL when there is one."""
    return PublishedStore(open_index(backend_url(request.param, tmp_path)))
