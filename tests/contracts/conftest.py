"""The eth-tester fixture chain: provider -> w3 -> deployed contracts, reset per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from notary.chain.connect import in_process
from notary.testing import World


@pytest.fixture(scope="session")
def _session_world() -> World:
    return World.build(in_process())


@pytest.fixture
def world(_session_world: World) -> Iterator[World]:
    """A deployed ledger with FRA, SGP and DEU registered; chain state, signers and controllers
    reset after each test (a test may give a party a new key)."""
    with _session_world.restored() as world:
        yield world
