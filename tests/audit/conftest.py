"""Fixtures of the audit tests (helpers shared with tests/index)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "index"))

from index_helpers import BACKENDS, Story, backend_url, populate  # noqa: E402

from notary.chain.connect import in_process  # noqa: E402
from notary.chain.events import EventReader  # noqa: E402
from notary.index import Indexer, IndexReader, open_index  # noqa: E402
from notary.testing import World  # noqa: E402


@pytest.fixture(scope="module")
def world() -> World:
    return World.build(in_process())


@pytest.fixture(scope="module")
def story(world: World) -> Story:
    return populate(world)


@pytest.fixture
def reader(world: World, story: Story) -> EventReader:
    return EventReader(world.chain, world.gw.deployment)


@pytest.fixture(params=BACKENDS)
def index(request: pytest.FixtureRequest, tmp_path: Path, reader: EventReader) -> IndexReader:
    """The story indexed into an SQLite file, and into PostgreSQL when a test server is there."""
    engine = open_index(backend_url(request.param, tmp_path))
    Indexer(reader, engine).run_once()
    return IndexReader(engine)


@pytest.fixture
def sqlite_index(tmp_path: Path, reader: EventReader) -> IndexReader:
    engine = open_index(f"sqlite:///{tmp_path / 'index.sqlite3'}")
    Indexer(reader, engine).run_once()
    return IndexReader(engine)
