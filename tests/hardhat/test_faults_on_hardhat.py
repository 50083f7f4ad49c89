"""tests/faults/test_faults_rpc.py on Hardhat: one classification of node answers behind the
fault-injecting proxy. Hardhat words its refusals its own way ("Known transaction: 0x…", "Nonce
too low. Expected nonce to be 1 but got 0 …", "Sender doesn't have enough funds …"): re-sending
bytes the node already has must still be recognised as ours, and a real refusal still refused."""

from __future__ import annotations

from test_faults_rpc import (
    test_a_read_is_retried_through_any_single_fault,
    test_a_read_that_keeps_failing_is_a_typed_error,
    test_a_real_refusal_is_refused,
    test_a_send_that_never_reached_the_node_is_not_on_chain,
    test_a_send_whose_answer_is_lost_is_an_unknown_outcome_and_the_node_has_it,
    test_a_wrong_chain_id_is_a_chain_error,
)

__all__ = [
    "test_a_read_is_retried_through_any_single_fault",
    "test_a_read_that_keeps_failing_is_a_typed_error",
    "test_a_real_refusal_is_refused",
    "test_a_send_that_never_reached_the_node_is_not_on_chain",
    "test_a_send_whose_answer_is_lost_is_an_unknown_outcome_and_the_node_has_it",
    "test_a_wrong_chain_id_is_a_chain_error",
]
