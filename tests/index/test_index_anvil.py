"""The indexer against a real anvil: reorganisations and a crash in the middle of a range."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from index_helpers import assert_index_equals_chain, digest, populate
from sqlalchemy import func, select

from notary.chain.connect import rpc
from notary.chain.events import EventReader
from notary.chain.node import ephemeral_anvil, find_anvil, json_rpc
from notary.errors import NodeError
from notary.index import Indexer, IndexReader, open_index
from notary.index import schema as s
from notary.testing import World

pytestmark = pytest.mark.anvil


@pytest.fixture(scope="module")
def anvil() -> Iterator[str]:
    """A node of this module's own: its chain is reorganised on purpose."""
    try:
        find_anvil()
    except NodeError as exc:
        pytest.skip(f"anvil is not available: {exc}")
    with ephemeral_anvil() as url:
        yield url


def _hex_ids(index: IndexReader) -> set[str]:
    return {r["record_id"] for r in index.records(limit=10_000)}


def test_reorg_after_indexing_rolls_back_orphaned_rows_and_reingests(db_url: str, anvil: str) -> None:
    """evm_revert then different blocks at the same heights: the index ends equal to the new chain."""
    world = World.build(rpc(anvil))
    populate(world, compromise=False)
    reader = EventReader(world.chain, world.gw.deployment)
    snapshot = json_rpc(anvil, "evm_snapshot")
    orphan = world.notarise(digest("orphan"))
    world.act(orphan, "SGP")
    engine = open_index(db_url)
    indexer = Indexer(reader, engine, range_size=3)
    indexer.run_once()
    index = IndexReader(engine)
    assert "0x" + orphan.hex() in _hex_ids(index)
    json_rpc(anvil, "evm_revert", [snapshot])
    replacement = world.notarise(digest("replacement"))
    report = indexer.run_once()
    assert report.reorgs == 1 and report.rolled_back >= 5
    ids = _hex_ids(index)
    assert "0x" + orphan.hex() not in ids and "0x" + replacement.hex() in ids
    assert index.attestations("0x" + orphan.hex()) == []
    assert_index_equals_chain(index, reader)


def test_anvil_reorg_replacing_the_last_blocks_empties_them_in_the_index(tmp_path: Path, anvil: str) -> None:
    """anvil_reorg swaps the last blocks for empty ones: their events leave the index and the views."""
    world = World.build(rpc(anvil))
    reader = EventReader(world.chain, world.gw.deployment)
    engine = open_index(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    indexer = Indexer(reader, engine)
    first = world.notarise(digest("kept"))
    second = world.notarise(digest("reorged away"))
    world.act(second, "SGP")
    indexer.run_once()
    json_rpc(anvil, "anvil_reorg", [2, []])
    report = indexer.run_once()
    assert report.reorgs == 1
    index = IndexReader(engine)
    assert _hex_ids(index) == {"0x" + first.hex()}
    assert_index_equals_chain(index, reader)


def test_indexer_killed_mid_range_resumes_without_gaps_or_duplicates(db_url: str, anvil: str, tmp_path: Path) -> None:
    """SIGKILL between a range's inserts and its commit: the range is redone, nothing lost or doubled."""
    world = World.build(rpc(anvil))
    populate(world, compromise=False)
    manifest = tmp_path / "deployment.json"
    world.gw.deployment.save(manifest)
    engine = open_index(db_url)
    runner = Path(__file__).with_name("index_crash_runner.py")
    done = subprocess.run(
        [sys.executable, str(runner), anvil, str(manifest), db_url, "2", "3"], capture_output=True, timeout=120
    )
    assert done.returncode == -9, done.stderr.decode()
    reader = EventReader(world.chain, world.gw.deployment)
    index = IndexReader(engine)
    state = index.state()
    assert state is not None and reader.start_block <= state.last_block < reader.head()
    with engine.connect() as conn:
        highest = conn.execute(select(func.max(s.events.c.block_number))).scalar()
        stored = conn.execute(select(func.count()).select_from(s.events)).scalar()
    assert highest is not None and highest <= state.last_block  # the killed range left nothing behind
    assert 0 < stored < len(list(reader.logs(reader.start_block, reader.head())))
    Indexer(reader, engine, range_size=2).run_once()
    assert_index_equals_chain(index, reader)
