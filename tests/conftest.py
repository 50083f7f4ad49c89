"""Shared fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def anvil_url() -> Iterator[str]:
    """URL of a throwaway anvil node (no state file) shared by the session's tests."""
    from notary.chain.node import ephemeral_anvil, find_anvil
    from notary.errors import NodeError

    try:
        find_anvil()
    except NodeError as exc:
        pytest.skip(f"anvil is not available: {exc}")
    with ephemeral_anvil() as url:
        yield url


def pytest_collection_modifyitems(config, items):  # type: ignore[no-untyped-def]
    """Deep-tier tests run only when asked for: `pytest -m deep` (or `make test-deep`)."""
    import pytest

    if "deep" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="deep tier: run with `make test-deep`")
    for item in items:
        if "deep" in item.keywords:
            item.add_marker(skip)
