"""The indexer on the in-process chain: views, bounded ranges, checkpoints, confirmations."""

from __future__ import annotations

from pathlib import Path

import pytest
from index_helpers import Story, assert_index_equals_chain, digest, populate
from sqlalchemy import select

from notary.chain.connect import in_process
from notary.chain.events import EventReader
from notary.deployment import Deployment
from notary.index import IndexDatabaseError, Indexer, IndexReader, open_index
from notary.index import schema as s
from notary.testing import World


@pytest.fixture(scope="module")
def world() -> World:
    return World.build(in_process())


@pytest.fixture(scope="module")
def story(world: World) -> Story:
    return populate(world)


@pytest.fixture
def reader(world: World, story: Story) -> EventReader:
    return EventReader(world.chain, world.gw.deployment)


def test_index_holds_every_event_and_the_views_match_the_chain(db_url: str, reader: EventReader, story: Story) -> None:
    """One pass indexes both contracts' events; records, attestations and keys are derived correctly."""
    engine = open_index(db_url)
    report = Indexer(reader, engine, range_size=4).run_once()
    assert report.last_block == reader.head() and report.events > 20
    index = IndexReader(engine)
    assert_index_equals_chain(index, reader)
    (mou,) = index.records(digest=digest("mou").hex())
    assert (mou["status"], mou["kind"], mou["parties"]) == ("executed", "mou", ["FRA", "SGP"])
    assert {(a["party"], a["intent"]) for a in index.attestations(mou["record_id"])} == {
        ("FRA", "signature"),
        ("SGP", "signature"),
    }
    (treaty,) = index.records(kind="treaty")
    assert treaty["status"] == "terminated"  # DEU withdrew: fewer than the quorum bound
    assert [r["status"] for r in index.records(party="DEU")] == ["terminated"]
    assert index.records(kind="note-verbale")[0]["status"] == "cancelled"
    assert index.records(since=mou["created_at"] + 10_000) == []
    keys = index.keys("SGP")
    assert keys[0]["key"] == story.compromised_signer and 0 < keys[0]["revoked_at"] <= mou["updated_at"]
    assert [h["event"] for h in index.key_history("SGP")] == ["SignerAdded", "SignerRevoked"]
    assert {p["code"]: p["suspended"] for p in index.parties()} == {"FRA": False, "SGP": False, "DEU": False}
    ev = next(e for e in index.iter_events() if e["event"] == "BatchAnchored")
    assert ev["digest"] == story.batch_root.hex() and ev["recovered"] == ev["signer"]


def test_small_ranges_and_resumed_passes_give_the_same_index(tmp_path: Path, reader: EventReader) -> None:
    """Ranges of 1 block, two at a time, resumed from the checkpoint, equal one pass of large ranges."""
    one = IndexReader(open_index(f"sqlite:///{tmp_path / 'one.sqlite3'}"))
    Indexer(reader, one.engine, range_size=1000).run_once()
    engine = open_index(f"sqlite:///{tmp_path / 'many.sqlite3'}")
    start = reader.start_block
    passes = 0
    while True:
        report = Indexer(reader, engine, range_size=1).run_once(max_ranges=2)
        if report.ranges == 0:
            break
        passes += 1
        assert report.last_block == min(start - 1 + 2 * passes, reader.head())
    assert list(IndexReader(engine).iter_events()) == list(one.iter_events())
    assert IndexReader(engine).records() == one.records()


def test_confirmation_depth_holds_back_recent_blocks(tmp_path: Path, world: World, reader: EventReader) -> None:
    """With 3 confirmations the last 3 blocks are not indexed until more blocks follow them."""
    engine = open_index(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    head = reader.head()
    report = Indexer(reader, engine, confirmations=3).run_once()
    assert report.last_block == head - 3
    with engine.connect() as conn:
        assert (
            conn.execute(select(s.events.c.block_number).order_by(s.events.c.block_number.desc())).first()[0]
            <= head - 3
        )


def test_an_index_of_another_ledger_is_refused(tmp_path: Path, world: World, reader: EventReader) -> None:
    """A database that follows other contracts is never mixed with this ledger's events."""
    engine = open_index(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    Indexer(reader, engine).run_once()
    dep = world.gw.deployment
    other = Deployment(dep.chain_id, dep.ledger, dep.registry, dep.depositary)  # swapped addresses
    with pytest.raises(IndexDatabaseError, match="follows ledger"):
        Indexer(EventReader(world.chain, other), engine).run_once()


def test_new_events_are_indexed_on_the_next_pass_without_duplicates(tmp_path: Path, world: World) -> None:
    """A second pass picks up only what happened since the checkpoint."""
    reader = EventReader(world.chain, world.gw.deployment)
    engine = open_index(f"sqlite:///{tmp_path / 'n.sqlite3'}")
    first = Indexer(reader, engine).run_once()
    rid = world.notarise(digest("later"))
    second = Indexer(reader, engine).run_once()
    assert second.events == 3 and second.last_block > first.last_block  # notarised, status, act
    index = IndexReader(engine)
    assert index.records(digest=digest("later").hex())[0]["record_id"] == "0x" + rid.hex()
    assert_index_equals_chain(index, reader)
