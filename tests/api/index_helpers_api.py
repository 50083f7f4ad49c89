"""Helpers of the API's index tests: an app whose index is opened (and advanced) by the test itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from notary.api import ApiSettings, create_app
from notary.api.indexing import IndexService
from notary.api.settings import IndexSettings
from notary.index import Indexer
from notary.testing import World


def indexed_client(
    world: World, settings: Callable[..., ApiSettings], **overrides: Any
) -> tuple[TestClient, IndexService, Indexer]:
    """A client over an app whose index database is open but whose background thread is not started:
    the test runs `indexer.run_once()` when it wants the index to catch up."""
    values: dict[str, Any] = {"index": IndexSettings(poll_interval=0.05), **overrides}
    app = create_app(settings(**values), gateway=world.gw)
    service = app.state.services.index
    assert service is not None
    return TestClient(app), service, service.open()
