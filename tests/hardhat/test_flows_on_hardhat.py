"""tests/integration/test_anvil_flows.py on Hardhat: the main ledger flows over JSON-RPC, and a
custom-error revert decoded with its arguments from Hardhat's error answer."""

from __future__ import annotations

from test_anvil_flows import (  # the module's `world` is built on this folder's `anvil_url`: Hardhat
    test_batch_anchor_inclusion_on_anvil,
    test_bilateral_mou_executes_and_verifies_on_anvil,
    test_compromised_key_invalidates_later_attestations_on_anvil,
    test_custom_error_is_typed_on_a_real_node,
    world,
)

__all__ = [
    "test_batch_anchor_inclusion_on_anvil",
    "test_bilateral_mou_executes_and_verifies_on_anvil",
    "test_compromised_key_invalidates_later_attestations_on_anvil",
    "test_custom_error_is_typed_on_a_real_node",
    "world",
]
