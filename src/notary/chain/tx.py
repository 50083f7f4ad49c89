"""Send one transaction: estimate gas, choose the nonce, sign, send, wait, decode reverts.

A caller that must never send a duplicate (the send journal) passes `on_signed`, which
gets each signed raw transaction and its hash before broadcast, and later finishes it
with `resume`. The gateway's ledger writes and `ledger.submit` pass `on_signed` and
`timeout` down to `send`.

The node's answer to a broadcast is one of three (`broadcast`), the same for every send:
taken (or already known: "already known", "nonce too low" for a transaction that is
ours are looked up by hash), refused (`TransactionRefusedError`: it will never be mined),
or unknown (`TransactionOutcomeUnknownError`: the answer was lost; it may be pending).
Reads that fail on the way are retried by the provider (`notary.chain.connect`).

While a receipt is awaited (`send`), a transaction that stays unmined for `REPLACE_AFTER`
seconds is looked at: one the node dropped is re-broadcast as it is, and one whose fee cap
is below the block base fee (or which the node dropped or refuses for its fees) is
replaced: the same transaction with the same nonce, its fees raised by `FEE_BUMP` at
least, signed again and handed to `on_signed` before broadcast. Only one transaction of a
nonce can ever be mined, so an act is recorded once whichever of them is.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_utils.exceptions import ValidationError as EthValidationError
from hexbytes import HexBytes
from web3.exceptions import (
    ContractCustomError,
    ContractLogicError,
    TransactionNotFound,
    Web3Exception,
)

from notary.chain.connect import Chain
from notary.chain.reverts import translate
from notary.errors import (
    TransactionFailedError,
    TransactionOutcomeUnknownError,
    TransactionRefusedError,
    TransactionTimeoutError,
)


# What a revert looks like: web3's errors over JSON-RPC, eth-tester's own in process.
def reverts() -> tuple[type[Exception], ...]:
    """What a reverted call raises: web3's errors, and eth-tester's on the embedded chain (imported only
    there: a command against a node never loads eth-tester and py-evm, some 0.2 s of start-up)."""
    tester = sys.modules.get("eth_tester.exceptions")
    extra: tuple[type[Exception], ...] = (tester.TransactionFailed,) if tester is not None else ()
    return (ContractCustomError, ContractLogicError, *extra)


GAS_MARGIN = 1.25
DEFAULT_TIMEOUT = 120.0
POLL_SECONDS = 0.1
FIRST_POLL_SECONDS = 0.002  # doubled after each look, up to POLL_SECONDS
#: Seconds a sent transaction may stay unmined before its fees and presence are checked.
REPLACE_AFTER = 10.0
#: A replacement's fees are at least this multiple of the replaced one's (nodes want ≥ 1.1).
FEE_BUMP = 1.25
MAX_REPLACEMENTS = 10
# What a node says of a transaction it will not take or keep for its fees.
_UNDERPRICED = ("underpriced", "fee cap", "base fee", "max fee per gas less", "fee too low", "insufficient fee")

#: Called with (raw signed transaction, its 0x-hash) after signing, before broadcast.
OnSigned = Callable[[bytes, str], None]
# A JSON-RPC error answer to a raw transaction (funds, fees, nonce), not a lost connection.
_REFUSALS = (ValueError, Web3Exception, EthValidationError)
# Refusals that may mean "the node has it already": look the hash up before believing them.
_MAYBE_OURS = ("already known", "known transaction", "already imported", "already in", "nonce too low")


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
    except reverts() as exc:
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
    except reverts() as exc:
        _reraise_typed(exc)
    except _REFUSALS as exc:  # e.g. no funds for gas: the node's answer, not a revert
        raise TransactionRefusedError(
            f"the node refused to estimate the transaction's gas ({exc}); nothing was sent",
            hint="fix what the node says (funds, fees), then run the command again",
        ) from None
    nonce = w3.eth.get_transaction_count(sender.address, "pending")
    tx = fn.build_transaction(
        {"from": sender.address, "nonce": nonce, "gas": int(gas * GAS_MARGIN), "chainId": chain.chain_id}
    )
    signed = sender.sign_transaction(tx)
    tx_hash = "0x" + bytes(signed.hash).hex()
    if on_signed is not None:
        on_signed(bytes(signed.raw_transaction), tx_hash)
    broadcast(chain, bytes(signed.raw_transaction), tx_hash)
    return Replacing(chain, sender, dict(tx), bytes(signed.raw_transaction), tx_hash, on_signed).wait(timeout)


class Replacing:
    """Waits for a transaction signed here, re-broadcasting it if the node drops it and replacing
    it with higher fees if it is underpriced (see the module docstring). `hashes`: every
    transaction of this nonce sent so far, the newest last."""

    def __init__(
        self,
        chain: Chain,
        sender: LocalAccount,
        tx: dict[str, Any],
        raw_transaction: bytes,
        tx_hash: str,
        on_signed: OnSigned | None,
        replace_after: float | None = None,
    ) -> None:
        self.chain, self.sender, self.tx, self.raw = chain, sender, tx, raw_transaction
        self.on_signed = on_signed
        self.replace_after = REPLACE_AFTER if replace_after is None else replace_after
        self.hashes = [tx_hash]

    def wait(self, timeout: float = DEFAULT_TIMEOUT) -> TxResult:
        return poll(self.chain, lambda: self.hashes, timeout, self.look, self.replace_after)

    def look(self) -> None:
        """Re-broadcast a dropped transaction, or replace an underpriced one."""
        h = self.hashes[-1]
        state = where(self.chain, h)
        if state == "mined":
            return
        if state == "unknown" and nonce_taken(self.chain, self.raw):
            for other in self.hashes:
                if mined(self.chain, other) is not None:
                    return
            raise TransactionRefusedError(
                f"transaction {h} was dropped and its nonce went to another transaction; it recorded nothing",
                hint="run the same command again: it checks the chain first and sends a new transaction if needed",
            )
        if not self._underpriced():
            if state == "unknown":
                try:
                    broadcast(self.chain, self.raw, h)
                    return
                except TransactionRefusedError as exc:
                    if not any(w in exc.message.lower() for w in _UNDERPRICED):
                        raise
            else:
                return  # pending at a fair fee: keep waiting
        if len(self.hashes) > MAX_REPLACEMENTS:
            return
        self.replace()

    def _underpriced(self) -> bool:
        base = self.chain.w3.eth.get_block("latest").get("baseFeePerGas")
        cap = self.tx.get("maxFeePerGas", self.tx.get("gasPrice"))
        return base is not None and cap is not None and int(cap) < int(base)

    def replace(self) -> None:
        """Sign the same transaction with fees raised by FEE_BUMP (and at least what the chain asks
        now), journal it through `on_signed`, broadcast it."""
        w3 = self.chain.w3
        base = int(w3.eth.get_block("latest").get("baseFeePerGas") or 0)
        tx = dict(self.tx)
        if "maxFeePerGas" in tx:
            tip = max(int(tx["maxPriorityFeePerGas"] * FEE_BUMP) + 1, int(w3.eth.max_priority_fee))
            tx["maxPriorityFeePerGas"] = tip
            tx["maxFeePerGas"] = max(int(tx["maxFeePerGas"] * FEE_BUMP) + 1, 2 * base + tip)
        else:
            tx["gasPrice"] = max(int(tx["gasPrice"] * FEE_BUMP) + 1, int(w3.eth.gas_price))
        signed = self.sender.sign_transaction(tx)
        tx_hash = "0x" + bytes(signed.hash).hex()
        if self.on_signed is not None:
            self.on_signed(bytes(signed.raw_transaction), tx_hash)
        self.tx, self.raw = tx, bytes(signed.raw_transaction)
        self.hashes.append(tx_hash)
        broadcast(self.chain, self.raw, tx_hash)


def broadcast(chain: Chain, raw_transaction: bytes, tx_hash: str) -> None:
    """Hand a signed transaction to the node; return once it has it (pending or mined).

    Raises TransactionRefusedError if the node will not take it (never mined),
    TransactionOutcomeUnknownError if its answer was lost (perhaps pending), and
    ChainUnreachableError if the request never reached the node (not sent).
    """
    try:
        chain.w3.eth.send_raw_transaction(raw_transaction)
        return
    except TransactionOutcomeUnknownError as exc:
        why = type(exc.__cause__).__name__ if exc.__cause__ is not None else "no answer"
        raise TransactionOutcomeUnknownError(
            f"transaction {tx_hash} was sent to {chain.url}, but the answer was lost ({why}): it may be pending",
            hint="run the same command again: it looks the transaction up and sends no duplicate",
        ) from None
    except _REFUSALS as exc:
        refused = refusal(chain, tx_hash, str(exc))
    if refused is not None:
        raise refused


def refusal(chain: Chain, tx_hash: str, answer: str) -> TransactionRefusedError | None:
    """What a node's error answer to a broadcast means: None if the node has this very transaction after all
    ("already known", "nonce too low" for a transaction that is ours: an earlier attempt's answer was lost),
    else the refusal (it will never be mined)."""
    if any(word in answer.lower() for word in _MAYBE_OURS) and where(chain, tx_hash) != "unknown":
        return None
    return TransactionRefusedError(
        f"the node refused transaction {tx_hash} ({answer}); it was not taken and recorded nothing",
        hint="fix what the node says (funds, fees), then run the command again",
    )


def where(chain: Chain, tx_hash: str) -> str:
    """Where a transaction is as the node sees it now: "mined", "pending" or "unknown"."""
    h = HexBytes(tx_hash)
    try:
        chain.w3.eth.get_transaction_receipt(h)
        return "mined"
    except TransactionNotFound:
        pass
    try:
        found = chain.w3.eth.get_transaction(h)
    except TransactionNotFound:
        return "unknown"
    return "mined" if found.get("blockNumber") is not None else "pending"


def nonce_taken(chain: Chain, raw_transaction: bytes) -> bool:
    """Whether the nonce of a signed transaction is used on chain (by it or another)."""
    sender, nonce = raw_sender_and_nonce(raw_transaction)
    return int(chain.w3.eth.get_transaction_count(sender, "latest")) > nonce  # type: ignore[arg-type]


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
    replaced: tuple[str, ...] = (),
) -> Resumed | None:
    """Finish a transaction signed earlier, perhaps sent, without ever sending a duplicate.

    1. Mined: return its receipt.
    2. Known to the node (pending): wait for it.
    3. Unknown: if its nonce was used by another transaction it can never be mined: None.
    4. Else, if `may_rebroadcast()`, send the same raw bytes again (same nonce, same hash)
       and wait; if vetoed, None.
    A reverted transaction raises TransactionFailedError, one the node refuses to take
    again TransactionRefusedError: either way it is not pending and recorded nothing.
    """
    h = HexBytes(tx_hash)
    # 1. and 2. (a transaction this one replaced, same nonce, may be the one mined)
    for earlier in replaced:
        result = mined(chain, earlier)
        if result is not None:
            return Resumed("mined", result)
    found = where(chain, tx_hash)
    if found != "unknown":
        return Resumed(found, wait(chain, h, timeout))
    # 3.
    if nonce_taken(chain, raw_transaction):
        return None
    # 4.
    if not may_rebroadcast():
        return None
    broadcast(chain, raw_transaction, tx_hash)
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
    return poll(chain, lambda: [hex_hash], timeout)


def poll(
    chain: Chain,
    hashes: Callable[[], list[str]],
    timeout: float,
    look: Callable[[], None] | None = None,
    every: float = REPLACE_AFTER,
) -> TxResult:
    """Wait until one of `hashes()` (transactions of one nonce, the newest last) is mined, looking
    again at first within milliseconds, then every POLL_SECONDS; `look()` runs every `every` seconds
    of waiting. A reverted one raises, and so does the timeout."""
    end = time.monotonic() + timeout
    due = time.monotonic() + every
    delay = FIRST_POLL_SECONDS
    while True:
        for h in reversed(hashes()):
            result = mined(chain, h)
            if result is not None:
                return result
        now = time.monotonic()
        if now >= end:
            raise TransactionTimeoutError(
                f"transaction {hashes()[-1]} was not mined within {timeout:.0f} s",
                hint="it may still be pending; run the same command again to pick it up",
            )
        if look is not None and now >= due:
            due = now + every
            look()
        time.sleep(min(delay, max(0.0, end - now)))
        delay = min(delay * 2, POLL_SECONDS)


def _result(hex_hash: str, receipt: Any) -> TxResult:
    if receipt["status"] != 1:
        raise TransactionFailedError(f"transaction {hex_hash} reverted in block {receipt['blockNumber']}")
    return TxResult(
        transaction=hex_hash,
        block_number=int(receipt["blockNumber"]),
        block_hash="0x" + bytes(receipt["blockHash"]).hex(),
        gas_used=int(receipt["gasUsed"]),
        logs=tuple(receipt["logs"]),
    )


def mined(chain: Chain, tx_hash: str) -> TxResult | None:
    """The receipt of a transaction if it is in the canonical chain now, else None (reverted: raises)."""
    try:
        receipt = chain.w3.eth.get_transaction_receipt(HexBytes(tx_hash))
    except TransactionNotFound:
        return None
    return _result(tx_hash, receipt)


def mined_any(chain: Chain, hashes: tuple[str, ...]) -> TxResult | None:
    """The receipt of whichever of `hashes` (transactions of one nonce) is mined, else None."""
    for h in hashes:
        result = mined(chain, h)
        if result is not None:
            return result
    return None


def confirmations(chain: Chain, result: TxResult) -> int:
    """Blocks mined on top of `result`'s block (0: it is in the head block)."""
    return max(0, chain.block_number() - result.block_number)


def await_depth(
    chain: Chain,
    tx_hash: str,
    depth: int,
    timeout: float,
    on_moved: Callable[[TxResult | None], None],
) -> TxResult:
    """Wait until transaction `tx_hash` is `depth` blocks deep in the canonical chain.

    Each poll reads its receipt again: if a reorg dropped it or moved it to another block,
    `on_moved(result or None)` is called (the journal re-broadcasts a dropped one there) and
    the wait goes on. Raises TransactionTimeoutError if the depth is not reached in time.
    """
    end = time.monotonic() + timeout
    last: TxResult | None = None
    while True:
        now = mined(chain, tx_hash)
        if now is None or (last is not None and now.block_hash != last.block_hash):
            on_moved(now)
        if now is not None:
            last = now
            if confirmations(chain, now) >= depth:
                return now
        if time.monotonic() >= end:
            where_ = (
                "pending"
                if now is None
                else f"in block {now.block_number}, {confirmations(chain, now)} of {depth} confirmations"
            )
            raise TransactionTimeoutError(
                f"transaction {tx_hash} is not final after {timeout:.0f} s ({where_})",
                hint="it is kept in the journal: `notary pending` shows it; run the same command again to finish it",
            )
        time.sleep(POLL_SECONDS)


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
