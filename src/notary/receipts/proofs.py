"""The receipt's `stateProofs` section: block headers and the state trie nodes that prove its claims.

    "stateProofs": null                      (the node that wrote it could not serve eth_getProof)
    "stateProofs": {
      "observedAt": 1234,                    the block whose state the "when written" claims are read at
      "blocks": [{"blockNumber": 1200, "blockHash": "0x…", "header": "0x<RLP header>",
                  "nodes": ["0x<RLP trie node>", …]}, …]
    }

One entry per block the receipt relies on, in increasing block order: each act's block (its
signer's registry entry as read there) and the observed block (the signer entries as read
when the receipt was written, and the record's stored terms hash, state, superseding record
and act-history hash, or the batch's stored signer and time). `nodes` is the union, sorted
and without repeats, of the `eth_getProof` account proofs of the registry and the ledger and
of their storage proofs for those slots (`notary.receipts.storage_layout`). Nothing in the section
says which slot holds what: the verifier derives every slot from the receipt's claims and
reads it through the nodes, so a proof can only confirm or refute a claim, never replace it.

The section is sealed like the others. A receipt without it (older receipts) carries no
state proofs, as does one whose proofs would pass the file's size limit. Limits: 321 blocks
(an act's each, and the observed one), 512 nodes per block, 1,024 bytes per header or node.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any

SECTION = "stateProofs"
MAX_BLOCKS = 321
MAX_NODES = 512
MAX_HEADER_BYTES = 1024
MAX_NODE_BYTES = 1024  # a branch node is at most 17 x 33 bytes plus its list prefix


@dataclass(frozen=True)
class BlockProof:
    """A block's RLP header and the trie nodes proving state after it."""

    number: int
    hash: str
    header: bytes
    nodes: tuple[bytes, ...]


@dataclass(frozen=True)
class StateProofs:
    observed_block: int
    blocks: tuple[BlockProof, ...]

    def block(self, number: int) -> BlockProof | None:
        return next((b for b in self.blocks if b.number == number), None)


def to_json(p: StateProofs | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "observedAt": p.observed_block,
        "blocks": [
            {
                "blockNumber": b.number,
                "blockHash": b.hash,
                "header": "0x" + b.header.hex(),
                "nodes": ["0x" + n.hex() for n in b.nodes],
            }
            for b in p.blocks
        ],
    }


_QUOTED_COMMA = '","'


def canonical_text(value: dict[str, Any]) -> bytes:
    """The section's RFC 8785 bytes, for a value `parse` accepted (the reader's fast path): every text in
    it is then 0x and lower-case hex, which JSON writes as it is between quotes, and every number an
    integer of at most 2^53 - 1; the keys are written in their sorted order. Equal to `canonical(value)`
    (the tests hold it so); on a value `parse` did not accept, it means nothing."""
    blocks = ",".join(
        f'{{"blockHash":"{b["blockHash"]}","blockNumber":{b["blockNumber"]},"header":"{b["header"]}",'
        f'"nodes":["{_QUOTED_COMMA.join(b["nodes"])}"]}}'
        for b in value["blocks"]
    )
    return f'{{"blocks":[{blocks}],"observedAt":{value["observedAt"]}}}'.encode()


def _bounded_hex(value: Any, where: str, limit: int) -> bytes:
    if type(value) is str and value[:2] == "0x":  # the fast path: lower-case hex is what its bytes' hex reads
        try:
            raw = bytes.fromhex(value[2:])
        except ValueError:
            raw = b""
        if 0 < len(raw) <= limit and raw.hex() == value[2:]:
            return raw
    from notary.receipts import ReceiptFieldError, ReceiptLimitError
    from notary.receipts.parse import hex_bytes

    raw = hex_bytes(value, where, None)
    if not raw:
        raise ReceiptFieldError(f"{where} must not be empty")
    if len(raw) > limit:
        raise ReceiptLimitError(f"{where} holds {len(raw)} bytes; the limit is {limit}")
    return raw


def _list(value: Any, where: str, limit: int) -> list[Any]:
    from notary.receipts import ReceiptFieldError, ReceiptLimitError

    if not isinstance(value, list) or not value:
        raise ReceiptFieldError(f"{where} must be a non-empty list")
    if len(value) > limit:
        raise ReceiptLimitError(f"{where} has {len(value)} entries; the limit is {limit}")
    return value


def _nodes_fast(value: Any) -> tuple[bytes, ...] | None:
    """A block's nodes if they pass every check of the generic reading (a non-empty list of at most
    `MAX_NODES` non-empty lower-case 0x-hex texts of at most `MAX_NODE_BYTES`, sorted, no repeats),
    checked in bulk; else None. Each text's bytes are non-empty, so each text is at least as long as
    "0x" and its bytes' hex: the joined texts equal the joined "0x" + hex only if every one does."""
    if type(value) is not list or not 0 < len(value) <= MAX_NODES:
        return None
    try:
        nodes = tuple(bytes.fromhex(n[2:]) for n in value)
        if "0x" + "0x".join([n.hex() for n in nodes]) != "".join(value):
            return None
    except (TypeError, ValueError):  # not a text, or not hex
        return None
    if not 0 < min(map(len, nodes)) <= max(map(len, nodes)) <= MAX_NODE_BYTES:
        return None
    return nodes if all(map(operator.lt, nodes, nodes[1:])) else None


def parse(value: Any) -> StateProofs | None:
    """The section, strictly: blocks in increasing order, nodes sorted and unique."""
    from notary.receipts import ReceiptFieldError
    from notary.receipts.parse import fields, hex_bytes, integer

    if value is None:
        return None
    s = fields(value, SECTION, {"observedAt", "blocks"})
    blocks: list[BlockProof] = []
    for i, raw in enumerate(_list(s["blocks"], f"{SECTION}.blocks", MAX_BLOCKS)):
        w = f"{SECTION}.blocks[{i}]"
        b = fields(raw, w, {"blockNumber", "blockHash", "header", "nodes"})
        number = integer(b["blockNumber"], f"{w}.blockNumber")
        if blocks and number <= blocks[-1].number:
            raise ReceiptFieldError(f"{w}.blockNumber {number} is not after the previous block's")
        nodes = _nodes_fast(b["nodes"])
        if nodes is None:  # the generic reading says what is wrong (or accepts what the fast one does not)
            nodes = tuple(
                _bounded_hex(n, f"{w}.nodes[{j}]", MAX_NODE_BYTES)
                for j, n in enumerate(_list(b["nodes"], f"{w}.nodes", MAX_NODES))
            )
            if any(a >= b for a, b in zip(nodes, nodes[1:], strict=False)):
                raise ReceiptFieldError(f"{w}.nodes must be sorted and without repeats")
        blocks.append(
            BlockProof(
                number,
                "0x" + hex_bytes(b["blockHash"], f"{w}.blockHash").hex(),
                _bounded_hex(b["header"], f"{w}.header", MAX_HEADER_BYTES),
                nodes,
            )
        )
    observed = integer(s["observedAt"], f"{SECTION}.observedAt")
    return StateProofs(observed, tuple(blocks))
