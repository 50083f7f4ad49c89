"""The node-backed suite again, against Hardhat's node (a second, independent implementation).

The test modules here import the tests they re-run from the anvil suites and name each one,
so every flow is written once. Those tests ask for their node as `anvil_url`: in this folder
that name means the session's Hardhat node (checked to be Hardhat, so nothing here passes on
anvil by mistake). Without Hardhat (`npm install` brings it) the tests skip, saying so.
What stays anvil-only, and why: docs/RELIABILITY.md, "Second node implementation: Hardhat".
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hardhat_helpers import TESTS, conftest_of, own_hardhat

_HERE = Path(__file__).resolve().parent

# The reused tests and the helpers they import live beside them (pytest's rootdir imports).
for _folder in ("integration", "receipts", "faults", "index", "audit", "e2e", "api"):
    if str(TESTS / _folder) not in sys.path:
        sys.path.insert(0, str(TESTS / _folder))

# The CLI tests' `ledger` (a fresh deployment, a keystore per party) and `run` (`notary` as a
# party's machine), and the fault suite's `fault_ledger` and `notary`, as their folders define them.
_integration, _faults = conftest_of("integration"), conftest_of("faults")
ledger, run = _integration.ledger, _integration.run
fault_ledger, notary = _faults.fault_ledger, _faults.notary


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the reused tests of each module here in their source file's order, as they run there
    (some share a module-scoped world and build on what earlier ones did), whatever order the
    imports list them in. Other folders' items keep their places."""
    here = [i for i, item in enumerate(items) if Path(str(item.path)).parent == _HERE]

    def source_order(item: pytest.Item) -> tuple[str, str, int]:
        code = getattr(getattr(item, "function", None), "__code__", None)
        return (str(item.path), code.co_filename if code else "", code.co_firstlineno if code else 0)

    for index, item in zip(here, sorted((items[i] for i in here), key=source_order), strict=True):
        items[index] = item


@pytest.fixture(scope="session")
def hardhat_url() -> Iterator[str]:
    """URL of a throwaway Hardhat node shared by the session's Hardhat tests."""
    yield from own_hardhat()


@pytest.fixture(scope="session")
def anvil_url(hardhat_url: str) -> str:
    """In this folder the reused anvil tests get the Hardhat node."""
    return hardhat_url
