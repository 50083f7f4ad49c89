"""Receipts on Hardhat, deep tier: the receipt, multi-text and batch commands (tests/receipts/test_cli.py)
and every state-proof check of tests/receipts/test_state_proofs.py against a receipt Hardhat's blocks
and proofs were written from (the quick tier runs the node-facing share)."""

from __future__ import annotations

import pytest
import test_cli
import test_state_proofs
from hardhat_helpers import reused

from notary.chain.connect import rpc
from notary.testing import World

pytestmark = pytest.mark.deep

globals().update(
    reused(
        test_cli,
        test_state_proofs,
        skip={"test_embedded_chain_receipt_says_it_has_no_state_proofs": "runs on the in-process chain, not a node"},
    )
)


@pytest.fixture(scope="module")
def anvil_world(hardhat_url: str) -> World:
    """test_state_proofs' world (FRA, SGP, DEU), on the session's Hardhat node."""
    return World.build(rpc(hardhat_url), (("FRA", "French Republic"), ("SGP", "Singapore"), ("DEU", "Germany")))
