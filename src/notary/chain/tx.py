"""Send one transaction: estimate gas, choose the nonce, sign, send, wait, decode reverts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_tester.exceptions import TransactionFailed as TesterTransactionFailed
from web3.exceptions import ContractCustomError, ContractLogicError, TimeExhausted

from notary.chain.connect import Chain
from notary.chain.reverts import translate
from notary.errors import TransactionFailedError, TransactionTimeoutError

# What a revert looks like: web3's errors over JSON-RPC, eth-tester's own in process.
REVERTS = (ContractCustomError, ContractLogicError, TesterTransactionFailed)
GAS_MARGIN = 1.25
DEFAULT_TIMEOUT = 120.0


@dataclass(frozen=True)
class TxResult:
    """A mined transaction."""

    transaction: str
    block_number: int
    block_hash: str
    gas_used: int
    logs: tuple[Any, ...]


def _reraise_typed(exc: Exception) -> None:
    typed = translate(exc)
    if typed is not None:
        raise typed from None
    raise TransactionFailedError(f"the contract rejected the call: {exc}") from exc


def call(fn: Any, block: int | str = "latest") -> Any:
    """Call a view function, surfacing custom errors as typed exceptions."""
    try:
        return fn.call(block_identifier=block)
    except REVERTS as exc:
        _reraise_typed(exc)


def send(chain: Chain, fn: Any, sender: LocalAccount, timeout: float = DEFAULT_TIMEOUT) -> TxResult:
    """Send contract call `fn` from `sender` and wait for its receipt.

    Gas is estimated first, which is also where a revert is caught and decoded before
    anything is sent. The nonce is the sender's pending count.
    """
    w3 = chain.w3
    try:
        gas = fn.estimate_gas({"from": sender.address})
    except REVERTS as exc:
        _reraise_typed(exc)
    nonce = w3.eth.get_transaction_count(sender.address, "pending")
    tx = fn.build_transaction(
        {"from": sender.address, "nonce": nonce, "gas": int(gas * GAS_MARGIN), "chainId": chain.chain_id}
    )
    signed = sender.sign_transaction(tx)
    tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    return wait(chain, tx_hash, timeout)


def wait(chain: Chain, tx_hash: Any, timeout: float = DEFAULT_TIMEOUT) -> TxResult:
    """Wait for a transaction's receipt; a reverted one raises."""
    hex_hash = "0x" + bytes(tx_hash).hex()
    try:
        receipt = chain.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout, poll_latency=0.1)
    except TimeExhausted:
        raise TransactionTimeoutError(
            f"transaction {hex_hash} was not mined within {timeout:.0f} s",
            hint="it may still be pending; run the same command again to pick it up",
        ) from None
    if receipt["status"] != 1:
        raise TransactionFailedError(f"transaction {hex_hash} reverted in block {receipt['blockNumber']}")
    return TxResult(
        transaction=hex_hash,
        block_number=int(receipt["blockNumber"]),
        block_hash="0x" + bytes(receipt["blockHash"]).hex(),
        gas_used=int(receipt["gasUsed"]),
        logs=tuple(receipt["logs"]),
    )


def deploy(chain: Chain, abi: list[dict[str, Any]], bytecode: str, sender: LocalAccount, *args: Any) -> TxResult:
    """Deploy a contract from `sender`; the result's logs are empty, address via receipt."""
    factory = chain.w3.eth.contract(abi=abi, bytecode=bytecode)
    return send(chain, factory.constructor(*args), sender)


def contract_address(chain: Chain, result: TxResult) -> str:
    receipt = chain.w3.eth.get_transaction_receipt(result.transaction)  # type: ignore[arg-type]
    address = receipt["contractAddress"]
    if address is None:
        raise TransactionFailedError(f"transaction {result.transaction} created no contract")
    return str(address)
