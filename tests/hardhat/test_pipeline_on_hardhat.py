"""The pipelined submitter (`notary.relaying.submit_many`) on Hardhat, whose node differs from anvil
where the pipeline leans on it: Hardhat answers the requests of one JSON-RPC batch concurrently, not
in order, and while automining it refuses a transaction whose nonce is above the sender's next one
("Nonce too high. Expected nonce to be 4 but got 5. Note that transactions can't be queued when
automining.") where anvil and geth queue it. Of 64 transfers broadcast in one batch, Hardhat took
5 to 8: `Pipeline.broadcast` sends those again one by one, in nonce order. See docs/RELIABILITY.md,
"Second node implementation: Hardhat"."""

from __future__ import annotations

from pathlib import Path

from test_pipeline import fra_acts, payloads, world

from notary import relaying
from notary.journal import Journal
from notary.testing import World

__all__ = ["world"]


def test_a_window_of_pipelined_acts_is_taken_whole(world: World, tmp_path: Path) -> None:
    """Twelve acts in one window, broadcast in one batch: every one recorded, once, none refused."""
    signed = payloads(world, 12, "one hardhat window")
    done = relaying.submit_many(world.gw, world.relayer, signed, Journal(tmp_path, world.chain.chain_id), timeout=60)
    assert done.failed == []
    assert all(fra_acts(world, s) == 1 for s in signed)
