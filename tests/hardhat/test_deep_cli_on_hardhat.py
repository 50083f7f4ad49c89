"""The rest of the CLI suite on Hardhat (deep tier: `make test-deep`, or `.venv/bin/pytest -q -m deep
tests/hardhat`): every command group in process, the installed `notary` script in subprocesses (two
ministries, offline signing, an amendment, a compromised key voided), receipts and trust anchors.
The quick tier's modules here run a representative share of the same tests. What is left out says
why: the anvil-only RPC method it needs."""

from __future__ import annotations

import pytest
import test_cli_acts
import test_cli_compromise
import test_cli_party
import test_cli_publish
import test_cli_ux
import test_cli_verdicts
import test_registry_v2_cli
import test_two_ministries
from hardhat_helpers import reused
from test_trust_anchors import test_cli_forged_receipt_fails_until_pinned

pytestmark = pytest.mark.deep

globals().update(
    reused(
        test_cli_acts,
        test_cli_compromise,
        test_cli_party,
        test_cli_publish,
        test_cli_ux,
        test_cli_verdicts,
        test_registry_v2_cli,
        test_two_ministries,
        skip={
            "test_a_transaction_the_node_lost_is_rebroadcast": "drops the pool with anvil_dropAllTransactions",
            "test_an_unregistered_or_suspended_party_is_named_before_anything_is_signed": (
                "acts as the depositary through anvil_impersonateAccount"
            ),
        },
    )
)
__all__ = ["test_cli_forged_receipt_fails_until_pinned"]
