"""Many transactions of one sender in flight: the JSON-RPC half of the pipelined submitter.

`notary.chain.tx.send` makes about ten sequential node calls per transaction. A `Pipeline`
does the same work for a window of transactions in four round trips: the gas of every call
estimated in one JSON-RPC batch (a revert is still caught here, before anything is sent),
the nonces counted locally from the sender's pending count, the fees asked once per window,
every transaction signed locally and broadcast in one batch, and the receipts polled in one
batch. What a node answers is classified exactly as for one send (`tx.broadcast`): taken
(or already known: looked up by hash), refused, or unknown (the answer was lost).

A refused broadcast leaves a hole in the sender's nonces, behind which every later
transaction of the window would wait for ever: the hole is filled with a transfer of
nothing to the sender itself (`fill`), which records nothing.

The journal half (what is written before broadcast, how a re-run finishes a window) is
`notary.journal.pipeline`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes

from notary.chain import tx
from notary.chain.connect import Chain
from notary.errors import (
    NotaryError,
    TransactionFailedError,
    TransactionOutcomeUnknownError,
    TransactionRefusedError,
)

#: What a node says of a nonce ahead of the ones it has: not a refusal of the transaction itself.
_AHEAD = ("nonce too high", "nonce gap")


@dataclass
class Signed:
    """A transaction signed here: its fields (for a fee replacement), raw bytes and hash."""

    tx: dict[str, Any]
    raw: bytes
    hash: str

    @property
    def nonce(self) -> int:
        return int(self.tx["nonce"])


class Pipeline:
    """Signs and sends transactions of `sender` with locally counted nonces (one sender, one
    process: the journal's per-act locks do not order nonces across processes)."""

    def __init__(self, chain: Chain, sender: LocalAccount) -> None:
        if chain.is_in_process:
            raise ValueError("the pipeline is for JSON-RPC nodes; the embedded chain mines each send at once")
        self.chain, self.sender = chain, sender
        self.address = str(sender.address)
        self.next_nonce = int(chain.w3.eth.get_transaction_count(sender.address, "pending"))  # type: ignore[arg-type]

    # ------------------------------------------------------------------ before broadcast

    def fees(self) -> dict[str, int]:
        """The fee fields of this window's transactions, as web3 would fill them (one batch)."""
        block, tip = self.chain.batch([("eth_getBlockByNumber", ["latest", False]), ("eth_maxPriorityFeePerGas", [])])
        base = (block.get("result") or {}).get("baseFeePerGas")
        if base is None or "result" not in tip:  # no EIP-1559 on this chain
            return {"gasPrice": int(self.chain.w3.eth.gas_price)}
        priority = int(tip["result"], 16)
        return {"maxPriorityFeePerGas": priority, "maxFeePerGas": 2 * int(base, 16) + priority}

    def estimate(self, calls: list[Any]) -> list[int | NotaryError]:
        """The gas of each contract call (`fn`), in one batch; a call that would revert gets the
        same typed error as `tx.send` gives, from web3's own estimate (which decodes it)."""
        requests = [("eth_estimateGas", [{"from": self.address, "to": fn.address, "data": _data(fn)}]) for fn in calls]
        out: list[int | NotaryError] = []
        for fn, answer in zip(calls, self.chain.batch(requests), strict=True):
            if "result" in answer:
                out.append(int(answer["result"], 16))
                continue
            try:  # again through web3: the same decoding of the revert as a single send
                out.append(int(fn.estimate_gas({"from": self.address})))
            except tx.reverts() as exc:
                out.append(_typed_revert(exc))
            except NotaryError as exc:
                out.append(exc)
            except (ValueError, *tx._REFUSALS) as exc:
                out.append(
                    TransactionRefusedError(
                        f"the node refused to estimate the transaction's gas ({exc}); nothing was sent",
                        hint="fix what the node says (funds, fees), then run the command again",
                    )
                )
        return out

    def sign(self, fn: Any, gas: int, fees: dict[str, int]) -> Signed:
        """`fn` signed with the next nonce; nothing is sent."""
        fields = {
            "to": fn.address,
            "data": _data(fn),
            "value": 0,
            "gas": int(gas * tx.GAS_MARGIN),
            "nonce": self.next_nonce,
            "chainId": self.chain.chain_id,
            **fees,
        }
        if "maxFeePerGas" in fields:
            fields["type"] = 2
        signed = self.sender.sign_transaction(fields)
        self.next_nonce += 1
        return Signed(fields, bytes(signed.raw_transaction), "0x" + bytes(signed.hash).hex())

    # ------------------------------------------------------------------ broadcast and receipts

    def broadcast(self, signed: list[Signed]) -> list[NotaryError | None]:
        """Send every transaction in one batch, in nonce order: None for each the node has."""
        try:
            answers = self.chain.batch([("eth_sendRawTransaction", ["0x" + s.raw.hex()]) for s in signed])
        except TransactionOutcomeUnknownError as exc:  # the batch's answer was lost: any may be pending
            return [exc for _ in signed]
        out: list[NotaryError | None] = []
        again: list[int] = []
        for i, (s, answer) in enumerate(zip(signed, answers, strict=True)):
            if "result" in answer:
                out.append(None)
                continue
            message = str((answer.get("error") or {}).get("message", answer.get("error")))
            if any(word in message.lower() for word in _AHEAD):
                again.append(i)  # see below
                out.append(None)
                continue
            out.append(tx.refusal(self.chain, s.hash, message))  # None: the node has this very transaction
        # A node may answer a batch's requests concurrently and refuse a nonce ahead of those it has not
        # taken yet (Hardhat, automining: "nonce too high"): those are sent again one by one, in nonce order.
        for i in sorted(again, key=lambda i: signed[i].nonce):
            try:
                tx.broadcast(self.chain, signed[i].raw, signed[i].hash)
            except (TransactionRefusedError, TransactionOutcomeUnknownError) as exc:
                out[i] = exc
        return out

    def fill(self, nonce: int, fees: dict[str, int]) -> str:
        """Fill the hole a refused transaction left at `nonce`: send nothing to the sender itself."""
        fields: dict[str, Any] = {"to": self.address, "value": 0, "gas": 21_000, "nonce": nonce}
        fields.update(chainId=self.chain.chain_id, **fees)
        if "maxFeePerGas" in fields:
            fields["type"] = 2
        signed = self.sender.sign_transaction(fields)
        h = "0x" + bytes(signed.hash).hex()
        tx.broadcast(self.chain, bytes(signed.raw_transaction), h)
        return h

    def receipts(self, hashes: list[str]) -> list[tx.TxResult | NotaryError | None]:
        """Each transaction's outcome now, in one batch: mined (its result), reverted (the error),
        or None (not mined yet)."""
        answers = self.chain.batch([("eth_getTransactionReceipt", [h]) for h in hashes])
        out: list[tx.TxResult | NotaryError | None] = []
        for h, answer in zip(hashes, answers, strict=True):
            receipt = answer.get("result")
            if not receipt or receipt.get("blockHash") is None:
                out.append(None)
            elif int(receipt["status"], 16) != 1:
                number = int(receipt["blockNumber"], 16)
                out.append(TransactionFailedError(f"transaction {h} reverted in block {number}"))
            else:
                out.append(
                    tx.TxResult(
                        transaction=h,
                        block_number=int(receipt["blockNumber"], 16),
                        block_hash="0x" + HexBytes(receipt["blockHash"]).hex().removeprefix("0x"),
                        gas_used=int(receipt["gasUsed"], 16),
                        logs=tuple(receipt.get("logs") or ()),  # as the node sent them
                    )
                )
        return out


def _data(fn: Any) -> str:
    """The call data of contract call `fn`, encoded once (eth-abi directly: web3's own encoder spends
    milliseconds normalising arguments that `contract_args` already gives in their ABI types)."""
    cached: str | None = getattr(fn, "_notary_data", None)
    if cached is None:
        from eth_abi import encode
        from eth_utils import function_abi_to_4byte_selector
        from eth_utils.abi import collapse_if_tuple

        types = [collapse_if_tuple(dict(i)) for i in fn.abi["inputs"]]
        cached = "0x" + (function_abi_to_4byte_selector(fn.abi) + encode(types, list(fn.args))).hex()
        fn._notary_data = cached
    return cached


def _typed_revert(exc: Exception) -> NotaryError:
    try:
        tx._reraise_typed(exc)
    except NotaryError as typed:
        return typed
    raise AssertionError("unreachable")
