"""Receipts that trust only a block hash, written against Hardhat (tests/receipts/test_state_proofs.py):
Hardhat's block headers must rebuild to its block hashes and its eth_getProof answers must verify,
so the offline verifier is not tied to anvil's encoding of either."""

from __future__ import annotations

import pytest
from test_state_proofs import (  # `signed` is built on this module's `anvil_world`: on Hardhat
    signed,
    test_anvil_receipt_carries_proofs_and_verifies_with_block_hash_trust,
    test_batch_receipt_with_proofs_verifies_and_proves_the_stored_batch,
    test_headers_rebuild_anvil_block_hashes,
    test_online_verification_confirms_the_proved_blocks,
    test_voided_act_and_compromised_key_are_proved,
)

from notary.chain.connect import rpc
from notary.testing import World

__all__ = [
    "signed",
    "test_anvil_receipt_carries_proofs_and_verifies_with_block_hash_trust",
    "test_batch_receipt_with_proofs_verifies_and_proves_the_stored_batch",
    "test_headers_rebuild_anvil_block_hashes",
    "test_online_verification_confirms_the_proved_blocks",
    "test_voided_act_and_compromised_key_are_proved",
]


@pytest.fixture(scope="module")
def anvil_world(hardhat_url: str) -> World:
    """The anvil module's world (FRA, SGP, DEU), on the session's Hardhat node."""
    return World.build(rpc(hardhat_url), (("FRA", "French Republic"), ("SGP", "Singapore"), ("DEU", "Germany")))
