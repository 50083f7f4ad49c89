"""A ledger with many events on a real anvil, fast: pre-signed raw transactions mined in bulk.

`fill(world, url, records)` notarises `records` documents (FRA submits, SGP co-signs: three
events each, RecordNotarised, ActRecorded ×2 and StatusChanged on execution) with every
payload signed offline, every transaction signed with an explicit nonce and gas, sent in
JSON-RPC batches while anvil's automine is off, then mined block by block. The library's
own send path (`ledger.submit`) is measured elsewhere: this only builds the history.

`raw_transactions(world, count)` gives pre-signed notarisations for the raw-send reference.
"""

from __future__ import annotations

import hashlib
import json
import urllib.request
from typing import Any

from notary import ledger
from notary.chain.gateway import NO_TERMS, contract_args, terms_args
from notary.codes import party_code
from notary.models import Intent, record_id
from notary.testing import World

_GAS_PRICE = 2 * 10**9


def post(url: str, body: Any, timeout: float = 120.0) -> Any:
    """One JSON-RPC POST (a call or a batch); returns the decoded reply."""
    req = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(req, timeout=timeout) as response:
        return json.load(response)


def call(url: str, method: str, *params: Any) -> Any:
    reply = post(url, {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)})
    if "error" in reply:
        raise RuntimeError(f"{method}: {reply['error']}")
    return reply["result"]


def digest(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


class Signer:
    """Signs the relayer's transactions with explicit nonces (no node round trip per transaction)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.nonce = world.chain.w3.eth.get_transaction_count(world.relayer.address, "pending")

    def raw(self, fn: Any, gas: int) -> str:
        data = fn._encode_transaction_data()
        tx = {
            "to": self.world.gw.deployment.ledger.address,
            "data": data,
            "gas": gas,
            "gasPrice": _GAS_PRICE,
            "nonce": self.nonce,
            "chainId": self.world.chain.chain_id,
            "value": 0,
        }
        self.nonce += 1
        return "0x" + bytes(self.world.relayer.sign_transaction(tx).raw_transaction).hex()


def notarise_fn(world: World, label: str, deadline: int) -> tuple[Any, Any]:
    """(notarise call, SGP's act call) for one two-party record, both signed offline."""
    n = world.notarisation(digest(label), "FRA", parties=("FRA", "SGP"), quorum=2, deadline=deadline)
    s = ledger.sign(n, world.gw.domain, world.signers["FRA"])
    f = world.gw.ledger.functions
    notarise = f.notarise(contract_args(n), terms_args(NO_TERMS), s.signer, s.signature)
    act = ledger.prepare_act(n.terms, "SGP", Intent.SIGNATURE, deadline)
    a = ledger.sign(act, world.gw.domain, world.signers["SGP"])
    return notarise, f.act(contract_args(act), a.signer, a.signature)


def _gas(world: World) -> tuple[int, int]:
    """Gas limits for a notarisation and an act, from one sent the ordinary way (with a margin)."""
    n = world.notarisation(digest("gas probe"), "FRA", parties=("FRA", "SGP"), quorum=2)
    notarised = ledger.submit(world.gw, world.relayer, ledger.sign(n, world.gw.domain, world.signers["FRA"]))
    act = world.act(record_id(n.digest, n.party), "SGP")
    return int(notarised.gas_used * 1.3) + 50_000, int(act.gas_used * 1.3) + 50_000


def send_batch(url: str, raws: list[str], chunk: int = 500) -> None:
    for i in range(0, len(raws), chunk):
        body = [
            {"jsonrpc": "2.0", "id": j, "method": "eth_sendRawTransaction", "params": [r]}
            for j, r in enumerate(raws[i : i + chunk])
        ]
        for reply in post(url, body):
            if "error" in reply:
                raise RuntimeError(f"eth_sendRawTransaction: {reply['error']}")


def send_in_blocks(url: str, raws: list[tuple[str, int]]) -> None:
    """Send pre-signed transactions with automine off, one block's worth (by gas limit) at a time,
    mining each block before the next batch (anvil drops what does not fit in the block mined)."""
    limit = int(call(url, "eth_getBlockByNumber", "latest", False)["gasLimit"], 16)
    call(url, "evm_setAutomine", False)
    try:
        block: list[str] = []
        used = 0
        for raw, gas in [*raws, ("", limit + 1)]:
            if used + gas > limit and block:
                send_batch(url, block)
                call(url, "evm_mine")
                status = call(url, "txpool_status")
                if int(status["pending"], 16) or int(status["queued"], 16):
                    raise RuntimeError(f"anvil left transactions unmined: {status}")
                block, used = [], 0
            if raw:
                block.append(raw)
                used += gas
    finally:
        call(url, "evm_setAutomine", True)


def fill(world: World, url: str, records: int, tag: str = "bench") -> list[bytes]:
    """Notarise and co-sign `records` documents on anvil at `url`; returns the record ids."""
    gas_n, gas_a = _gas(world)
    deadline = world.deadline(30 * 24 * 3600)
    signer = Signer(world)
    raws: list[tuple[str, int]] = []
    ids = []
    for i in range(records):
        n, a = notarise_fn(world, f"{tag} {i}", deadline)
        raws.append((signer.raw(n, gas_n), gas_n))
        raws.append((signer.raw(a, gas_a), gas_a))
        ids.append(record_id(digest(f"{tag} {i}"), party_code("FRA")))
    send_in_blocks(url, raws)
    return ids


def raw_notarisations(world: World, count: int, tag: str = "raw") -> list[str]:
    """`count` pre-signed one-party notarisations (the raw-send reference)."""
    gas_n, _ = _gas(world)
    deadline = world.deadline(30 * 24 * 3600)
    signer = Signer(world)
    out = []
    f = world.gw.ledger.functions
    for i in range(count):
        n = world.notarisation(digest(f"{tag} {i}"), "FRA", parties=("FRA",), deadline=deadline)
        s = ledger.sign(n, world.gw.domain, world.signers["FRA"])
        out.append(signer.raw(f.notarise(contract_args(n), terms_args(NO_TERMS), s.signer, s.signature), gas_n))
    return out
