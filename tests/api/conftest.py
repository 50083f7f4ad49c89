"""Fixtures of the API tests: one in-process ledger world, settings and clients over it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_helpers import EXAMPLE, READ_KEY, RELAY_KEY
from fastapi.testclient import TestClient

from notary import config
from notary.api import ApiSettings, create_app
from notary.api.settings import ApiKey, IndexSettings, RateLimit, RelayerSource
from notary.chain.connect import in_process
from notary.testing import World


@pytest.fixture(scope="session")
def _session_world() -> World:
    """FRA, SGP and DEU registered; the example MoU notarised by FRA and co-signed by SGP."""
    world = World.build(in_process())
    rid = world.notarise(hashlib.sha256(EXAMPLE.read_bytes()).digest())
    world.act(rid, "SGP")
    return world


@pytest.fixture
def world(_session_world: World) -> Iterator[World]:
    """The session world; chain state is reset after each test."""
    with _session_world.restored() as world:
        yield world


@pytest.fixture
def settings(tmp_path: Path) -> Callable[..., ApiSettings]:
    """Build API settings whose data folder (the relay journal, the index) is the test's own;
    the background indexer is off unless a test turns it on (reads then come from the chain)."""

    def make(**overrides: Any) -> ApiSettings:
        values: dict[str, Any] = {"index": IndexSettings(enabled=False), **overrides}
        return ApiSettings(base=config.Settings(data_dir=tmp_path / "data"), **values)

    return make


@pytest.fixture
def relay_settings(settings: Callable[..., ApiSettings]) -> Callable[..., ApiSettings]:
    """Relay enabled with a relay key, a key without the relay scope and a throwaway relayer."""

    def make(**overrides: Any) -> ApiSettings:
        values: dict[str, Any] = {
            "relay_enabled": True,
            "api_keys": (
                ApiKey("ops", hashlib.sha256(RELAY_KEY.encode()).digest()),
                ApiKey("monitor", hashlib.sha256(READ_KEY.encode()).digest(), frozenset()),
            ),
            "relayer": RelayerSource(private_key="0x" + "11" * 32),
            "rate_limit": RateLimit(100, 1.0),
        }
        return settings(**{**values, **overrides})

    return make


@pytest.fixture
def client(world: World, settings: Callable[..., ApiSettings]) -> TestClient:
    """A read-only API over the world."""
    return TestClient(create_app(settings(), gateway=world.gw))


@pytest.fixture
def relay_client(world: World, relay_settings: Callable[..., ApiSettings]) -> TestClient:
    return TestClient(create_app(relay_settings(), gateway=world.gw))
