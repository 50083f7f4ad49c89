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
    tester = _session_world.chain.tester
    snapshot = tester.take_snapshot()
    signers, controllers = dict(_session_world.signers), dict(_session_world.controllers)
    yield _session_world
    tester.revert_to_snapshot(snapshot)
    _session_world.signers.clear()
    _session_world.signers.update(signers)
    _session_world.controllers.clear()
    _session_world.controllers.update(controllers)
