"""Helpers of the Hardhat tests (their fixtures are in conftest.py, which imports these: a module
named `conftest` is ambiguous when several test folders are collected together)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

TESTS = Path(__file__).resolve().parents[1]
#: How Hardhat's node names itself in `web3_clientVersion` (anvil says "anvil/v…").
HARDHAT_CLIENT = "HardhatNetwork/"


def conftest_of(folder: str) -> ModuleType:
    """The fixtures of another test folder's conftest.py, loaded under a name of its own."""
    spec = importlib.util.spec_from_file_location(f"_{folder}_conftest", TESTS / folder / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def require_hardhat() -> None:
    """Skip the test, saying how to install Hardhat, if it is not there."""
    from notary.chain.hardhat import find_hardhat
    from notary.errors import NodeError

    try:
        find_hardhat()
    except NodeError as exc:
        pytest.skip(f"Hardhat is not available: {exc.message}; {exc.hint}")


def own_hardhat() -> Iterator[str]:
    """Run a Hardhat node of the caller's own, checked to be Hardhat; yield its URL."""
    from notary.chain.hardhat import ephemeral_hardhat
    from notary.chain.node import json_rpc

    require_hardhat()
    with ephemeral_hardhat() as url:
        assert str(json_rpc(url, "web3_clientVersion")).startswith(HARDHAT_CLIENT)
        yield url


def reused(*modules: ModuleType, skip: dict[str, str] | None = None) -> dict[str, object]:
    """The tests (`test_*`) and module fixtures of `modules`, to re-run in a module here, minus
    `skip` (test name → why it cannot run on Hardhat). Two modules offering one name for two
    different objects is an error, not a silent override."""
    skip = skip or {}
    found: dict[str, object] = {}
    for module in modules:
        for name, obj in vars(module).items():
            if name in skip or not (name.startswith("test_") or hasattr(obj, "_fixture_function_marker")):
                continue
            if found.setdefault(name, obj) is not obj:
                raise AssertionError(f"{name} is offered by two of the reused modules: {module.__name__} and another")
    unknown = set(skip) - {name for module in modules for name in vars(module)}
    assert not unknown, f"skipped tests that no reused module has: {sorted(unknown)}"
    return found
