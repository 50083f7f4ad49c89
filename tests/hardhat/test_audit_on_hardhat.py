"""tests/audit/test_audit_cli.py on Hardhat: `notary index`, its queries, `audit export` in three
formats and `audit verify` of an honest and a tampered export. The story moves the node's clock by
days, so it runs on a Hardhat node of its own, as it does on an anvil of its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hardhat_helpers import own_hardhat
from test_audit_cli import test_index_export_and_verify_from_the_command_line

__all__ = ["test_index_export_and_verify_from_the_command_line"]


@pytest.fixture
def anvil_url() -> Iterator[str]:
    yield from own_hardhat()
