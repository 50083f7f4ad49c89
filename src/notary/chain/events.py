"""Read both contracts' events in bounded block ranges, with block hashes.

The indexer and the audit verifier read the chain only through `EventReader`:

- `head()` and `block(n)`: block numbers, hashes, parent hashes and times, so that a
  reorganisation shows as a changed hash;
- `logs(a, b)`: every event of the registry and the ledger in blocks `a..b`, decoded,
  in chain order, each with its block's hash and time (the log's own `blockTimestamp`
  where the node sends it: no block is read again). Two hashes for one block, or a log
  whose block hash differs from the block read for its time, mean the chain moved under
  the read: `ReorgDuringRead` (the indexer also compares the range's end block before and
  after);
- `is_contract(address)`: whether an address holds code (an EIP-1271 contract signer).

Protocol v2 events carry everything a re-check needs (the record's terms in
`RecordNotarised`, each act's deadline and signature in `ActRecorded`, a batch's signed
fields in `BatchAnchored`), so transactions are never read: an act relayed through another
contract (a multisig, a relay) is checked exactly like one sent to the ledger directly.

Values are plain Python (bytes, int, str, bool); callers never see web3 objects.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
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


@dataclass(frozen=True)
class _RawLog:
    """A log as the node sent it, before decoding (hashes as lower-case 0x-hex)."""

    block_number: int
    block_hash: str
    block_time: int | None  # `blockTimestamp`, when the node includes it
    tx_hash: str
    tx_index: int
    log_index: int
    address: str  # lower case
    topics: tuple[bytes, ...]
    data: bytes

    @classmethod
    def of_json(cls, x: dict[str, Any]) -> _RawLog:
        stamp = x.get("blockTimestamp")
        return cls(
            int(x["blockNumber"], 16), x["blockHash"].lower(), int(stamp, 16) if stamp else None,
            x["transactionHash"].lower(), int(x["transactionIndex"], 16), int(x["logIndex"], 16),
            x["address"].lower(), tuple(bytes.fromhex(t[2:]) for t in x["topics"]), bytes.fromhex(x["data"][2:]),
        )  # fmt: skip

    @classmethod
    def of_web3(cls, x: Any) -> _RawLog:
        return cls(
            int(x["blockNumber"]), _hex(x["blockHash"]), None, _hex(x["transactionHash"]),
            int(x["transactionIndex"]), int(x["logIndex"]), str(x["address"]).lower(),
            tuple(bytes(t) for t in x["topics"]), bytes(x["data"]),
        )  # fmt: skip


def _hex(value: Any) -> str:
    return "0x" + bytes(value).hex()


@functools.lru_cache(maxsize=4096)
def _checksum(value: str) -> str:
    """Addresses recur (signers, controllers): each is checksummed once."""
    return str(to_checksum_address(value))


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
        self._roles = {a.lower(): role for a, role in self.addresses.items()}
        self._code_cache: dict[str, bool] = {}

    @property
    def start_block(self) -> int:
        return self.deployment.start_block

    def head(self) -> int:
        return self.chain.block_number()

    def block(self, number: int) -> BlockRef:
        return _block_ref(self.chain.w3.eth.get_block(number))

    def logs(self, from_block: int, to_block: int) -> list[ChainLog]:
        """Every event of both contracts in blocks `from_block..to_block`, in chain order.

        Over JSON-RPC the reply is read as sent (web3's result formatters cost more than the
        node's answer); a node whose logs carry `blockTimestamp` (anvil, recent geth) needs no
        block read at all, others have the blocks of the logs read in batches for their times.
        """
        raw = sorted(self._raw_logs(from_block, to_block), key=lambda x: (x.block_number, x.log_index))
        hashes: dict[int, str] = {}
        for log in raw:  # one block, one hash: a reply mixing two forks means the chain moved
            if hashes.setdefault(log.block_number, log.block_hash) != log.block_hash:
                raise ReorgDuringRead(f"block {log.block_number} changed while its logs were read (reorganisation)")
        times = {x.block_number: x.block_time for x in raw if x.block_time is not None}
        missing = sorted(set(hashes) - set(times))
        if missing:
            for block in self._many(self.chain.w3.eth.get_block, missing, _block_ref):
                if hashes[block.number] != block.hash:
                    raise ReorgDuringRead(f"block {block.number} changed while its logs were read (reorganisation)")
                times[block.number] = block.timestamp
        out: list[ChainLog] = []
        for log in raw:
            role = self._roles.get(log.address)
            event = self._events.get((role, log.topics[0])) if role and log.topics else None
            if event is None:  # an event not in our ABI: nothing we emit, so never expected
                raise ChainError(f"unknown event topic in block {log.block_number}, log {log.log_index} of the {role}")
            out.append(
                ChainLog(
                    contract=str(role),
                    event=str(event["name"]),
                    block_number=log.block_number,
                    block_hash=log.block_hash,
                    block_time=times[log.block_number],
                    tx_hash=log.tx_hash,
                    tx_index=log.tx_index,
                    log_index=log.log_index,
                    args=_decode_log(event, log.topics, log.data),
                )
            )
        return out

    def _raw_logs(self, from_block: int, to_block: int) -> list[_RawLog]:
        query: dict[str, Any] = {"fromBlock": from_block, "toBlock": to_block, "address": list(self.addresses)}
        if self.chain.is_in_process:
            return [_RawLog.of_web3(x) for x in self.chain.w3.eth.get_logs(query)]  # type: ignore[arg-type]
        query.update(fromBlock=hex(from_block), toBlock=hex(to_block))
        reply = self.chain.w3.provider.make_request("eth_getLogs", [query])  # type: ignore[arg-type]
        if "error" in reply:
            raise ChainError(f"eth_getLogs of blocks {from_block}..{to_block} failed: {reply['error']}")
        return [_RawLog.of_json(x) for x in reply["result"]]

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
        return _checksum(value)
    return value


def _topic_value(abi: dict[str, Any], topic: bytes) -> Any:
    """An indexed argument from its topic: static types read directly, others through eth-abi."""
    kind = abi["type"]
    if kind == "bytes32":
        return topic
    if kind == "address":
        return _checksum("0x" + topic[12:].hex())
    if kind.startswith("uint"):
        return int.from_bytes(topic, "big")
    if kind == "bool":
        return topic[-1] == 1
    return _named(abi, abi_decode([collapse_if_tuple(abi)], topic)[0])


_STATIC = ("bytes32", "address", "bool")
_DYNAMIC = ("bytes", "string", "bytes32[]")


def _fast_decode(types: list[str], data: bytes) -> list[Any] | None:
    """ABI-decode the types these contracts' events use, word by word (eth-abi's generic decoder
    costs more than the rest of indexing an event). None for any other type, or for data that
    is not in strict canonical form (bad padding, offsets or lengths out of range): eth-abi
    then decodes it, or raises its own error."""
    if len(data) < 32 * len(types):
        return None
    out: list[Any] = []
    for n, kind in enumerate(types):
        word = data[32 * n : 32 * n + 32]
        if kind == "bytes32":
            out.append(word)
        elif kind == "address":
            if any(word[:12]):
                return None
            out.append("0x" + word[12:].hex())
        elif kind == "bool":
            if word[-1] > 1 or any(word[:31]):
                return None
            out.append(word[-1] == 1)
        elif kind.startswith("uint") and kind[4:].isdigit():
            value = int.from_bytes(word, "big")
            if value >> int(kind[4:]):
                return None
            out.append(value)
        elif kind in _DYNAMIC:
            value = _dynamic(kind, data, int.from_bytes(word, "big"))
            if value is None:
                return None
            out.append(value)
        else:
            return None
    return out


def _dynamic(kind: str, data: bytes, offset: int) -> Any:
    """A `bytes`, `string` or `bytes32[]` value at `offset` (None if out of range or not canonical)."""
    if offset % 32 or offset + 32 > len(data):
        return None
    count = int.from_bytes(data[offset : offset + 32], "big")
    start = offset + 32
    if kind == "bytes32[]":
        if start + 32 * count > len(data):
            return None
        return tuple(data[start + 32 * i : start + 32 * i + 32] for i in range(count))
    padded = (count + 31) // 32 * 32
    if start + padded > len(data) or any(data[start + count : start + padded]):
        return None
    raw = data[start : start + count]
    if kind == "bytes":
        return raw
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _decode_log(event: dict[str, Any], topics: tuple[bytes, ...], data: bytes) -> dict[str, Any]:
    """An event's arguments by name: indexed ones from the topics, the others from the data."""
    indexed = [i for i in event["inputs"] if i["indexed"]]
    plain = [i for i in event["inputs"] if not i["indexed"]]
    args: dict[str, Any] = {}
    for i, topic in zip(indexed, topics[1:], strict=True):
        args[i["name"]] = _topic_value(i, topic)
    types = [collapse_if_tuple(i) for i in plain]
    quick = _fast_decode(types, data)
    fast = quick is not None
    # A type the fast path does not read, or data it doubts: eth-abi decides.
    values: Sequence[Any] = quick if quick is not None else abi_decode(types, data)
    for i, v in zip(plain, values, strict=True):
        args[i["name"]] = _checksum(v) if fast and i["type"] == "address" else v if fast else _named(i, v)
    ordered = {i["name"]: args[i["name"]] for i in event["inputs"]}
    return ordered if fast else _plain(ordered)  # the fast path's values are plain already


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
