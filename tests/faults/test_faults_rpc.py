"""One classification of node answers, through a fault-injecting proxy in front of a real anvil:
reads are retried whatever the fault; a send's fault is "not sent" only when the node provably
never saw it, else "outcome unknown"; nothing escapes as a raw requests/JSON error."""

from __future__ import annotations

import pytest
from eth_account import Account
from rpc_proxy import FaultProxy

from notary import errors
from notary.chain import tx
from notary.chain.connect import READ_ATTEMPTS, rpc

pytestmark = pytest.mark.anvil

BEFORE = ("reset", "http429", "http500", "delay")
AFTER = ("http500-after", "truncated", "lost")


@pytest.mark.parametrize("fault", BEFORE + AFTER)
def test_a_read_is_retried_through_any_single_fault(anvil_url: str, fault: str) -> None:
    """One fault on eth_blockNumber: the read still answers the node's true value (asked again)."""
    proxy = FaultProxy(anvil_url, script={"eth_blockNumber": [fault]})
    with proxy.running() as url:
        chain = rpc(url)
        assert chain.block_number() == rpc(anvil_url).block_number()
    assert proxy.total(fault) == 1
    assert proxy.forwarded["eth_blockNumber"] == (2 if fault in AFTER else 1)


def test_a_read_that_keeps_failing_is_a_typed_error(anvil_url: str) -> None:
    """Every attempt reset: ChainUnreachableError (exit 4), naming the call and the attempts."""
    proxy = FaultProxy(anvil_url, script={"eth_getBalance": ["reset"] * READ_ATTEMPTS})
    with proxy.running() as url:
        chain = rpc(url)
        with pytest.raises(errors.ChainUnreachableError, match=rf"eth_getBalance \({READ_ATTEMPTS} attempts\)"):
            chain.balance(Account.create().address)
    assert proxy.total() == READ_ATTEMPTS


def test_a_wrong_chain_id_is_a_chain_error(anvil_url: str) -> None:
    """A node answering another chain id than the manifest's: ChainIdMismatchError, not a config error."""
    proxy = FaultProxy(anvil_url, script={"eth_chainId": ["wrong-chain"]})
    with proxy.running() as url, pytest.raises(errors.ChainIdMismatchError, match="serves chain 1"):
        rpc(url, expected_chain_id=31337)


def _signed_transfer(anvil_url: str) -> tuple[bytes, str]:
    chain = rpc(anvil_url)
    sender = Account.create()
    chain.fund(sender.address)
    signed = sender.sign_transaction(
        {"to": sender.address, "value": 1, "gas": 21_000, "gasPrice": 2 * 10**9, "nonce": 0, "chainId": 31337}
    )
    return bytes(signed.raw_transaction), "0x" + bytes(signed.hash).hex()


@pytest.mark.parametrize("fault", AFTER)
def test_a_send_whose_answer_is_lost_is_an_unknown_outcome_and_the_node_has_it(anvil_url: str, fault: str) -> None:
    """500 after the send, a truncated answer, a reset after the send: 'outcome unknown', never 'refused'
    (the node took it); broadcasting the same bytes again is recognised as the same transaction."""
    raw, tx_hash = _signed_transfer(anvil_url)
    proxy = FaultProxy(anvil_url, script={"eth_sendRawTransaction": [fault]})
    with proxy.running() as url:
        chain = rpc(url)
        with pytest.raises(errors.TransactionOutcomeUnknownError, match=f"{tx_hash} was sent") as info:
            tx.broadcast(chain, raw, tx_hash)
        assert "pending" in info.value.message and info.value.hint
        assert tx.where(chain, tx_hash) == "mined"  # anvil mined it: the 'failure' had succeeded
        tx.broadcast(chain, raw, tx_hash)  # "already known" / "nonce too low" of our own: looked up, fine
    assert proxy.forwarded["eth_sendRawTransaction"] == 2


@pytest.mark.parametrize(("fault", "kind"), [("http429", errors.ChainUnreachableError), ("reset", errors.ChainError)])
def test_a_send_that_never_reached_the_node_is_not_on_chain(anvil_url: str, fault: str, kind: type) -> None:
    """429 is 'not sent'; a reset before forwarding cannot be told from one after it: 'unknown'. Either
    way the node does not have it and the error is typed."""
    raw, tx_hash = _signed_transfer(anvil_url)
    proxy = FaultProxy(anvil_url, script={"eth_sendRawTransaction": [fault]})
    with proxy.running() as url:
        chain = rpc(url)
        with pytest.raises(kind):
            tx.broadcast(chain, raw, tx_hash)
        assert tx.where(chain, tx_hash) == "unknown"
    assert proxy.forwarded["eth_sendRawTransaction"] == 0


def test_a_real_refusal_is_refused(anvil_url: str) -> None:
    """A transaction from an account without funds: TransactionRefusedError, and it is not on chain."""
    chain = rpc(anvil_url)
    poor = Account.create()
    signed = poor.sign_transaction(
        {"to": poor.address, "value": 1, "gas": 21_000, "gasPrice": 2 * 10**9, "nonce": 0, "chainId": 31337}
    )
    tx_hash = "0x" + bytes(signed.hash).hex()
    with pytest.raises(errors.TransactionRefusedError, match="refused"):
        tx.broadcast(chain, bytes(signed.raw_transaction), tx_hash)
    assert tx.where(chain, tx_hash) == "unknown"
