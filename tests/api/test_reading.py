"""Concurrent requests share one reading of the head, and none is answered with a reading that
started before it arrived."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from notary.api.reading import Readings
from notary.chain.head import Head, HeadReader
from notary.errors import ChainError
from notary.testing import World


class _GatedHeads(HeadReader):
    """The world's head reader, each read numbered and held until the test opens its gate."""

    def __init__(self, world: World) -> None:
        super().__init__(world.gw)
        self.count = 0
        self.gate = threading.Event()
        self.fail = False

    def read(self) -> Head:
        self.count += 1
        number = self.count
        self.gate.wait(10)
        if self.fail:
            raise ChainError("the node is down")
        real = super().read()
        return Head(number, real.hash, real.timestamp)


def test_requests_arriving_together_share_one_reading(world: World) -> None:
    """Twenty requests at once: one node read, the same reading for all."""
    heads = _GatedHeads(world)
    heads.gate.set()
    readings = Readings(heads, None)

    async def run() -> list[int]:
        got = await asyncio.gather(*(readings.get() for _ in range(20)))
        return [r.head.number for r in got]

    assert asyncio.run(run()) == [1] * 20
    assert heads.count == readings.reads == 1


def test_a_request_arriving_during_a_reading_waits_for_the_next(world: World) -> None:
    """A reading in flight started before the second request arrived: it is not that request's; the
    next one (started after it) is, and it is shared by everyone who came meanwhile."""
    heads = _GatedHeads(world)
    readings = Readings(heads, None)

    async def run() -> tuple[int, list[int]]:
        first = asyncio.ensure_future(readings.get())
        while heads.count == 0:  # the first reading is in flight, held at the gate
            await asyncio.sleep(0.001)
        later = [asyncio.ensure_future(readings.get()) for _ in range(5)]
        await asyncio.sleep(0.01)
        heads.gate.set()
        return (await first).head.number, [(await x).head.number for x in later]

    assert asyncio.run(run()) == (1, [2] * 5)
    assert heads.count == 2


def test_a_failed_reading_fails_its_requests_and_the_next_one_reads_again(world: World) -> None:
    """The node's error reaches every request waiting for that reading (a 503 each); it is not kept."""
    heads = _GatedHeads(world)
    heads.gate.set()
    heads.fail = True
    readings = Readings(heads, None)

    async def fails() -> None:
        await asyncio.gather(*(readings.get() for _ in range(3)))

    with pytest.raises(ChainError, match="down"):
        asyncio.run(fails())
    heads.fail = False
    assert asyncio.run(readings.get()).head.number == 2


@pytest.mark.anvil
def test_the_raw_head_read_is_the_nodes_latest_block(anvil_url: str) -> None:
    """Over HTTP the head is read with one raw eth_getBlockByNumber on a kept connection: the same number,
    hash and time as web3's latest block, and the next block once one is mined."""
    from notary.chain.connect import rpc
    from notary.chain.gateway import LedgerGateway

    world = World.build(rpc(anvil_url))
    reader = HeadReader(LedgerGateway(world.chain, world.gw.deployment))
    assert reader._target is not None  # the raw path, not the gateway's
    block = world.chain.w3.eth.get_block("latest")
    assert reader.read() == Head(int(block["number"]), "0x" + bytes(block["hash"]).hex(), int(block["timestamp"]))
    world.notarise(b"\x01" * 32)
    assert reader.read().number == int(block["number"]) + 1  # the same kept connection, a new head


def test_a_node_that_does_not_answer_is_a_503_problem(world: World, tmp_path: Path) -> None:
    """The head cannot be read (nothing listens at the node's address): the read routes answer the
    chain-unreachable problem, as every chain failure does, not a traceback."""
    import dataclasses

    from fastapi.testclient import TestClient
    from web3 import Web3

    from notary import config
    from notary.api import ApiSettings, create_app
    from notary.api.settings import IndexSettings
    from notary.chain.connect import FaultTolerantHTTPProvider

    provider = FaultTolerantHTTPProvider("http://127.0.0.1:9", exception_retry_configuration=None)
    dead = dataclasses.replace(world.chain, w3=Web3(provider), tester=None)
    settings = ApiSettings(base=config.Settings(data_dir=tmp_path), index=IndexSettings(enabled=False))
    client = TestClient(create_app(settings, gateway=type(world.gw)(dead, world.gw.deployment)))
    for path in ("/v1/verify/" + "ab" * 32, "/v1/parties/FRA"):
        r = client.get(path)
        assert r.status_code == 503 and r.json()["code"] == "chain-unreachable", path
