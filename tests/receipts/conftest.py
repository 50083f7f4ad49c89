"""Fixtures for the receipt tests: an in-process ledger world reset after each test."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from notary.chain.connect import in_process
from notary.testing import World

# The CLI tests reuse the integration suite's ledger builder (tests/integration/acts_helpers.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))


@pytest.fixture(scope="module")
def _module_world() -> World:
    return World.build(in_process())


@pytest.fixture
def world(_module_world: World) -> Iterator[World]:
    """A deployed ledger with FRA, SGP and DEU registered; chain state reset after each test."""
    with _module_world.restored() as world:
        yield world
