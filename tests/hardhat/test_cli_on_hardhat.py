"""A representative CLI flow on Hardhat, reused from the anvil suites: notarise, co-sign, re-run
(nothing sent twice), sign offline and relay, reverts as typed errors (tests/integration/test_cli_acts.py);
receipts written as the acts go, verified offline and online, refreshed (tests/receipts/test_cli.py
runs in test_receipts_on_hardhat.py: its `ledger` and `run` are its own)."""

from __future__ import annotations

from test_cli_acts import (
    mou,
    test_a_key_not_authorised_for_the_party_is_rejected,
    test_a_tampered_payload_is_rejected_by_the_contract,
    test_cancel_after_a_cosignature_is_rejected,
    test_notarise_then_cosign_executes_the_record,
    test_offline_signature_is_relayed_from_another_machine,
    test_running_notarise_and_sign_again_sends_nothing,
)

__all__ = [
    "mou",
    "test_a_key_not_authorised_for_the_party_is_rejected",
    "test_a_tampered_payload_is_rejected_by_the_contract",
    "test_cancel_after_a_cosignature_is_rejected",
    "test_notarise_then_cosign_executes_the_record",
    "test_offline_signature_is_relayed_from_another_machine",
    "test_running_notarise_and_sign_again_sends_nothing",
]
