"""Read both contracts' events in bounded block ranges, with block hashes.

The indexer and the audit verifier read the chain only through `EventReader`:

- `head()` and `block(n)`: block numbers, hashes, parent hashes and times, so that a
  reorganisation shows as a changed hash;
- `logs(a, b)`: every event of the registry and the ledger in blocks `a..b`, decoded,
  in chain order, each with its block's hash and time. A log whose block hash differs
  from the block read next to it means the chain moved under the read: `ReorgDuringRead`;
- `is_contract(address)`: whether an address holds code (an EIP-1271 contract signer).

Protocol v2 events carry everything a re-check needs (the record's terms in
`RecordNotarised`, each act's deadline and signature in `ActRecorded`, a batch's signed
fields in `BatchAnchored`), so transactions are never read: an act relayed through another
contract (a multisig, a relay) is checked exactly like one sent to the ledger directly.

Values are plain Python (bytes, int, str, bool); callers never see web3 objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import collapse_if_tuple, event_abi_to_log_topic, to_checksum_address

from notary.chain import artifacts
from notary.chain.connect import Chain
from notary.deployment import Deployment
from notary.errors import ChainError

_BATCH = 200

__all__ = ["BlockRef", "ChainLog", "EventReader", "ReorgDuringRead", "ranges"]


class ReorgDuringRead(ChainError):
    """The chain reorganised while a block range was being read; read it again."""

    code = "reorg-during-read"


@dataclass(frozen=True)
class BlockRef:
    number: int
    hash: str  # 0x-hex
    parent_hash: str
    timestamp: int


@dataclass(frozen=True)
class ChainLog:
    contract: str  # "registry" or "ledger"
    event: str
    block_number: int
    block_hash: str
    block_time: int
    tx_hash: str
    tx_index: int
    log_index: int
    args: dict[str, Any] = field(hash=False)


def _hex(value: Any) -> str:
    return "0x" + bytes(value).hex()


class EventReader:
    """Events of one deployment's registry and ledger on one chain."""

    def __init__(self, chain: Chain, deployment: Deployment) -> None:
        self.chain = chain
        self.deployment = deployment
        self.addresses = {
            to_checksum_address(deployment.registry.address): "registry",
            to_checksum_address(deployment.ledger.address): "ledger",
        }
        # Decoded with eth-abi directly: web3's generic log decoding costs milliseconds per
        # item, which bounded how fast the indexer could go.
        self._events: dict[tuple[str, bytes], dict[str, Any]] = {}
        for role, name in (("registry", "IdentityRegistry"), ("ledger", "NotaryLedger")):
            for item in artifacts.load(name).abi:
                if item.get("type") == "event":
                    abi: Any = item
                    self._events[(role, bytes(event_abi_to_log_topic(abi)))] = abi
        self._code_cache: dict[str, bool] = {}

    @property
    def start_block(self) -> int:
        return self.deployment.start_block

    def head(self) -> int:
        return self.chain.block_number()

    def block(self, number: int) -> BlockRef:
        return _block_ref(self.chain.w3.eth.get_block(number))

    def logs(self, from_block: int, to_block: int) -> list[ChainLog]:
        """Every event of both contracts in blocks `from_block..to_block`, in chain order."""
        raw = self.chain.w3.eth.get_logs(
            {"fromBlock": from_block, "toBlock": to_block, "address": list(self.addresses)}  # type: ignore[typeddict-item]
        )
        raw = sorted(raw, key=lambda x: (int(x["blockNumber"]), int(x["logIndex"])))
        numbers = sorted({int(x["blockNumber"]) for x in raw})
        blocks = dict(zip(numbers, self._many(self.chain.w3.eth.get_block, numbers, _block_ref), strict=True))
        out: list[ChainLog] = []
        for log in raw:
            number = int(log["blockNumber"])
            block = blocks[number]
            if _hex(log["blockHash"]) != block.hash:
                raise ReorgDuringRead(f"block {number} changed while its logs were read (reorganisation)")
            role = self.addresses[to_checksum_address(log["address"])]
            topics = log["topics"]
            event = self._events.get((role, bytes(topics[0]))) if topics else None
            if event is None:  # an event not in our ABI: nothing we emit, so never expected
                raise ChainError(f"unknown event topic in block {number}, log {log['logIndex']} of the {role}")
            out.append(
                ChainLog(
                    contract=role,
                    event=str(event["name"]),
                    block_number=number,
                    block_hash=block.hash,
                    block_time=block.timestamp,
                    tx_hash=_hex(log["transactionHash"]),
                    tx_index=int(log["transactionIndex"]),
                    log_index=int(log["logIndex"]),
                    args=_decode_log(event, log),
                )
            )
        return out

    def _many(self, method: Any, keys: list[Any], convert: Any) -> list[Any]:
        """`method(key)` for every key: one JSON-RPC batch per 200 over HTTP, plain calls in process."""
        if self.chain.is_in_process:
            return [convert(method(k)) for k in keys]
        out: list[Any] = []
        for i in range(0, len(keys), _BATCH):
            with self.chain.w3.batch_requests() as batch:
                for k in keys[i : i + _BATCH]:
                    batch.add(method(k))
                out.extend(convert(r) for r in batch.execute())
        return out

    def is_contract(self, address: str) -> bool:
        """Whether `address` holds code now (an EIP-1271 contract signer); cached per reader."""
        address = to_checksum_address(address)
        if address not in self._code_cache:
            self._code_cache[address] = bool(self.chain.w3.eth.get_code(address))
        return self._code_cache[address]


def _block_ref(b: Any) -> BlockRef:
    return BlockRef(int(b["number"]), _hex(b["hash"]), _hex(b["parentHash"]), int(b["timestamp"]))


def _named(abi: dict[str, Any], value: Any) -> Any:
    """A decoded ABI value with struct fields by name and addresses checksummed."""
    if abi["type"] == "tuple":
        return {c["name"]: _named(c, v) for c, v in zip(abi["components"], value, strict=True)}
    if abi["type"] == "address":
        return to_checksum_address(value)
    return value


def _decode_log(event: dict[str, Any], log: Any) -> dict[str, Any]:
    """An event's arguments by name: indexed ones from the topics, the others from the data."""
    indexed = [i for i in event["inputs"] if i["indexed"]]
    plain = [i for i in event["inputs"] if not i["indexed"]]
    args: dict[str, Any] = {}
    for i, topic in zip(indexed, log["topics"][1:], strict=True):
        args[i["name"]] = _named(i, abi_decode([collapse_if_tuple(i)], bytes(topic))[0])
    values = abi_decode([collapse_if_tuple(i) for i in plain], bytes(log["data"]))
    for i, v in zip(plain, values, strict=True):
        args[i["name"]] = _named(i, v)
    return _plain({i["name"]: args[i["name"]] for i in event["inputs"]})


def _plain(args: dict[str, Any]) -> dict[str, Any]:
    """Decoded event arguments as plain Python values (HexBytes → bytes, lists → tuples)."""

    def conv(v: Any) -> Any:
        if isinstance(v, (bytes, bytearray)):
            return bytes(v)
        if isinstance(v, (list, tuple)):
            return tuple(conv(x) for x in v)
        return v

    return {k: conv(v) for k, v in args.items()}


def ranges(start: int, end: int, size: int) -> Iterable[tuple[int, int]]:
    """Split `start..end` (inclusive) into consecutive ranges of at most `size` blocks."""
    a = start
    while a <= end:
        b = min(a + size - 1, end)
        yield a, b
        a = b + 1
