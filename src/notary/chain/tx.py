"""Send one transaction: estimate gas, choose the nonce, sign, send, wait, decode reverts.

A caller that must never send a duplicate (the send journal) passes `on_signed`, which
gets each signed raw transaction and its hash before broadcast, and later finishes it
with `resume`. The gateway's ledger writes and `ledger.submit` pass `on_signed` and
`timeout` down to `send`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_tester.exceptions import TransactionFailed as TesterTransactionFailed
from eth_utils.exceptions import ValidationError as EthValidationError
from hexbytes import HexBytes
from web3.exceptions import (
    ContractCustomError,
    ContractLogicError,
    TimeExhausted,
    TransactionNotFound,
    Web3Exception,
)

from notary.chain.connect import Chain
from notary.chain.reverts import translate
from notary.errors import TransactionFailedError, TransactionTimeoutError

# What a revert looks like: web3's errors over JSON-RPC, eth-tester's own in process.
REVERTS = (ContractCustomError, ContractLogicError, TesterTransactionFailed)
GAS_MARGIN = 1.25
DEFAULT_TIMEOUT = 120.0

#: Called with (raw signed transaction, its 0x-hash) after signing, before broadcast.
OnSigned = Callable[[bytes, str], None]
# What a node's refusal of a raw transaction looks like (funds, fees, nonce), not a lost connection.
_REFUSALS = (ValueError, Web3Exception, EthValidationError)


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


def send(
    chain: Chain,
    fn: Any,
    sender: LocalAccount,
    timeout: float = DEFAULT_TIMEOUT,
    on_signed: OnSigned | None = None,
) -> TxResult:
    """Send contract call `fn` from `sender` and wait for its receipt.

    Gas is estimated first, which is also where a revert is caught and decoded before
    anything is sent. The nonce is the sender's pending count. `on_signed` gets the signed
    raw transaction and its hash before broadcast; if it raises, nothing is sent.
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
    if on_signed is not None:
        on_signed(bytes(signed.raw_transaction), "0x" + bytes(signed.hash).hex())
    try:
        tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    except _REFUSALS as exc:
        raise TransactionFailedError(f"the node refused transaction 0x{bytes(signed.hash).hex()}: {exc}") from None
    return wait(chain, tx_hash, timeout)


@dataclass(frozen=True)
class Resumed:
    """A transaction finished by `resume`: `how` is "mined", "pending" or "rebroadcast"."""

    how: str
    result: TxResult


def resume(
    chain: Chain,
    raw_transaction: bytes,
    tx_hash: str,
    timeout: float = DEFAULT_TIMEOUT,
    may_rebroadcast: Callable[[], bool] = lambda: True,
) -> Resumed | None:
    """Finish a transaction signed earlier, perhaps sent, without ever sending a duplicate.

    1. Mined: return its receipt.
    2. Known to the node (pending): wait for it.
    3. Unknown: if its nonce was used by another transaction it can never be mined: None.
    4. Else, if `may_rebroadcast()`, send the same raw bytes again (same nonce, same hash)
       and wait; if vetoed, None.
    A reverted transaction, or one the node refuses to take again, raises
    TransactionFailedError: either way it is not pending and recorded nothing.
    """
    w3 = chain.w3
    h = HexBytes(tx_hash)
    # 1.
    try:
        w3.eth.get_transaction_receipt(h)
        return Resumed("mined", wait(chain, h, timeout))
    except TransactionNotFound:
        pass
    # 2.
    try:
        w3.eth.get_transaction(h)
        return Resumed("pending", wait(chain, h, timeout))
    except TransactionNotFound:
        pass
    # 3.
    sender, nonce = raw_sender_and_nonce(raw_transaction)
    if w3.eth.get_transaction_count(sender, "latest") > nonce:  # type: ignore[arg-type]
        return None
    # 4.
    if not may_rebroadcast():
        return None
    try:
        w3.eth.send_raw_transaction(raw_transaction)
    except _REFUSALS as exc:
        raise TransactionFailedError(f"the node refused to re-broadcast transaction {tx_hash}: {exc}") from None
    return Resumed("rebroadcast", wait(chain, h, timeout))


def raw_sender_and_nonce(raw_transaction: bytes) -> tuple[str, int]:
    """The sender and nonce of a signed raw transaction (typed or legacy)."""
    import rlp
    from eth_account import Account
    from eth_account.typed_transactions import TypedTransaction

    raw = HexBytes(raw_transaction)
    sender = str(Account.recover_transaction(raw))
    if raw[0] <= 0x7F:  # EIP-2718 typed envelope
        nonce = int(TypedTransaction.from_bytes(raw).as_dict()["nonce"])
    else:
        nonce = int.from_bytes(rlp.decode(raw)[0], "big")
    return sender, nonce


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
