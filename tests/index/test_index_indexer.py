"""The indexer on the in-process chain: views, bounded ranges, checkpoints, confirmations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from index_helpers import Story, assert_index_equals_chain, digest, populate
from sqlalchemy import select

from notary.chain.connect import in_process
from notary.chain.events import EventReader
from notary.deployment import Deployment
from notary.index import IndexDatabaseError, Indexer, IndexReader, open_index
from notary.index import schema as s
from notary.models import Intent
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


def test_index_holds_every_event_and_the_views_match_the_chain(
    db_url: str, world: World, reader: EventReader, story: Story
) -> None:
    """One pass indexes both contracts' events; records, attestations, parties and keys are derived correctly."""
    engine = open_index(db_url)
    report = Indexer(reader, engine, range_size=4).run_once()
    assert report.last_block == reader.head() and report.events > 50
    index = IndexReader(engine)
    assert_index_equals_chain(index, reader)
    (mou,) = index.records(digest=digest("mou").hex())
    assert (mou["status"], mou["kind"], mou["parties"]) == ("superseded", "mou", ["FRA", "SGP"])
    assert mou["superseded_by"] == "0x" + story.amendment.hex()
    (treaty,) = index.records(kind="treaty")
    assert treaty["status"] == "terminated"  # DEU withdrew: fewer than the quorum bound
    assert [r["status"] for r in index.records(party="DEU")] == ["terminated", "executed"]
    assert index.records(kind="note-verbale")[0]["status"] == "cancelled"
    latest = max(r["created_at"] for r in index.records())
    assert index.records(since=latest + 1) == []
    sgp_keys = index.keys("SGP")
    assert sgp_keys[0]["key"] == story.compromised_signer and 0 < sgp_keys[0]["revoked_at"] <= mou["updated_at"]
    # SGP asked for a compromise beyond the repudiation window: it awaits the depositary.
    assert 0 < sgp_keys[0]["pending_revocation"] < sgp_keys[0]["revoked_at"]
    assert sgp_keys[1]["revoked_at"] == sgp_keys[1]["pending_revocation"] == 0
    assert [h["event"] for h in index.key_history("SGP")] == [
        "SignerAdded",
        "SignerRevoked",
        "SignerAdded",
        "BackdatedRevocationRequested",
    ]
    deu = [h["event"] for h in index.key_history("DEU")]
    assert deu[-3:] == ["BackdatedRevocationRequested", "BackdatedRevocationConfirmed", "SignerRevoked"]
    assert index.keys("DEU")[0]["pending_revocation"] == 0  # confirmed
    parties = {p["code"]: p for p in index.parties()}
    assert {c: p["suspended"] for c, p in parties.items()} == {"FRA": False, "SGP": False, "DEU": False}
    assert parties["DEU"]["controller"] == world.controllers["DEU"].address  # handed over in two steps
    assert all(p["pending_controller"] == "" for p in parties.values())  # SGP's reset was cancelled
    assert index.delays() == {"repudiation_window": 600, "controller_reset_delay": 600, "pending": None}
    ev = next(e for e in index.iter_events() if e["event"] == "BatchAnchored")
    assert ev["digest"] == story.batch_root.hex() and ev["recovered"] == ev["signer"]
    assert ev["recovery_note"] == ""


def test_a_voided_act_is_marked_and_stops_counting(tmp_path: Path, reader: EventReader, story: Story) -> None:
    """SGP's MoU signature, voided on chain, stays in the record's acts marked voided; SGP's new one stands."""
    engine = open_index(f"sqlite:///{tmp_path / 'v.sqlite3'}")
    Indexer(reader, engine).run_once()
    index = IndexReader(engine)
    acts = index.attestations("0x" + story.mou.hex())
    assert [(a["party"], a["intent"], a["voided"]) for a in acts] == [
        ("FRA", "signature", False),
        ("SGP", "signature", True),
        ("SGP", "signature", False),
    ]
    voided, again = acts[1], acts[2]
    assert voided["signer"] == story.compromised_signer and voided["voided_at"] >= voided["time"]
    assert again["signer"] != story.compromised_signer and again["voided_at"] == 0
    assert all(a["deadline"] > a["time"] and a["signature"].startswith("0x") for a in acts)
    (void,) = [e for e in index.iter_events() if e["event"] == "ActVoided" and e["record"] == "0x" + story.mou.hex()]
    assert (void["party"], void["intent"], void["signer"], void["digest"]) == (
        "SGP",
        "signature",
        story.compromised_signer,
        digest("mou").hex(),
    )


def test_a_renotarised_record_shows_its_latest_terms_and_acts(
    tmp_path: Path, reader: EventReader, story: Story
) -> None:
    """A record whose notarisation was voided (VOID) and notarised again: the view takes the new terms
    and only the acts after the new RecordNotarised; every event of both stays in the events table."""
    engine = open_index(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    Indexer(reader, engine).run_once()
    index = IndexReader(engine)
    rid = "0x" + story.renotarised.hex()
    (row,) = index.records(digest=digest("renotarised").hex())
    assert (row["record_id"], row["kind"], row["status"], row["notarisations"]) == (
        rid,
        "joint-declaration",
        "executed",
        2,
    )
    assert [(a["party"], a["voided"]) for a in index.attestations(rid)] == [("DEU", False), ("SGP", False)]
    events = [e for e in index.iter_events() if e["record"] == rid]
    assert [e["event"] for e in events if e["event"] in ("RecordNotarised", "ActVoided")] == [
        "RecordNotarised",
        "ActVoided",
        "RecordNotarised",
    ]
    assert [json.loads(e["detail"])["current"] for e in events if e["event"] == "StatusChanged"] == [
        "open",
        "void",
        "open",
        "executed",
    ]
    assert {e["kind"] for e in events if e["event"] == "RecordNotarised"} == {"agreement", "joint-declaration"}
    # The first notarisation's act is checked against the first terms (it recovers to its signer).
    first_act = next(e for e in events if e["event"] == "ActRecorded")
    assert first_act["recovery_note"] == "" and first_act["recovered"] == first_act["signer"]
    assert first_act["kind"] == "agreement"


def test_an_act_relayed_through_a_contract_is_checked_from_its_event(
    tmp_path: Path, world: World, reader: EventReader, story: Story
) -> None:
    """SGP's signature sent through a relay contract (the transaction's `to` is not the ledger):
    its signature is recovered from the ActRecorded event alone, like any other act."""
    sent = world.chain.w3.eth.get_transaction(story.relayed_tx)  # type: ignore[arg-type]
    assert sent["to"] != world.gw.deployment.ledger.address and sent["to"] is not None
    engine = open_index(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    Indexer(reader, engine).run_once()
    (act,) = [
        e for e in IndexReader(engine).iter_events() if e["event"] == "ActRecorded" and e["tx_hash"] == story.relayed_tx
    ]
    assert act["party"] == "SGP" and act["recovery_note"] == "" and act["recovered"] == act["signer"]


def test_rollback_rebuilds_voids_and_renotarisations(tmp_path: Path, reader: EventReader, story: Story) -> None:
    """Rolled back to before the void and the second notarisation, then indexed again: the same views."""
    engine = open_index(f"sqlite:///{tmp_path / 'b.sqlite3'}")
    indexer = Indexer(reader, engine, range_size=3)
    indexer.run_once()
    index = IndexReader(engine)
    rid = "0x" + story.renotarised.hex()
    first = next(e for e in index.iter_events() if e["record"] == rid)
    before = (index.records(), index.attestations(rid), index.keys("DEU"), index.parties())
    block = first["block_number"] + 1  # the first notarisation and its act stay
    assert indexer.rollback_to(block, reader.block(block).hash) > 5
    (row,) = index.records(digest=digest("renotarised").hex())
    assert (row["kind"], row["status"], row["notarisations"]) == ("agreement", "open", 1)
    assert [a["voided"] for a in index.attestations(rid)] == [False]
    indexer.run_once()
    assert (index.records(), index.attestations(rid), index.keys("DEU"), index.parties()) == before
    assert_index_equals_chain(index, reader)


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
    assert second.events == 3 and second.last_block > first.last_block  # notarised, act, status
    index = IndexReader(engine)
    assert index.records(digest=digest("later").hex())[0]["record_id"] == "0x" + rid.hex()
    assert_index_equals_chain(index, reader)


def test_a_contract_signers_act_is_unchecked_off_chain(tmp_path: Path) -> None:
    """An act signed by an EIP-1271 contract signer: the event's signature does not recover to the signer
    (only the contract can say it is valid), so its check is `unchecked`, never `invalid` or `valid`."""
    from eth_account import Account
    from eth_utils import to_checksum_address

    from notary import ledger
    from notary.audit.rows import KeyWindows, Voids, check
    from notary.chain import artifacts, tx
    from notary.codes import party_code

    world = World.build(in_process())
    owner = Account.create()
    art = artifacts.load("ContractSigner")
    deployed = tx.deploy(world.chain, art.abi, art.bytecode, world.depositary, owner.address)
    signer = to_checksum_address(tx.contract_address(world.chain, deployed))
    world.gw.add_signer(world.controllers["FRA"], party_code("FRA"), signer, 0, 2**63)
    rid = world.notarise(digest("multisig"), "SGP", parties=("SGP", "FRA"))
    a = ledger.prepare_act(world.gw.terms(rid), "FRA", Intent.SIGNATURE, world.deadline())
    signed = ledger.sign(a, world.gw.domain, owner)
    ledger.submit(world.gw, world.relayer, ledger.SignedPayload(a, signed.domain, signer, signed.signature))
    engine = open_index(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    Indexer(EventReader(world.chain, world.gw.deployment), engine).run_once()
    events = list(IndexReader(engine).iter_events())
    (act,) = [e for e in events if e["event"] == "ActRecorded" and e["party"] == "FRA"]
    assert act["signer"] == signer and act["recovered"] == owner.address
    assert act["recovery_note"].startswith("unchecked: contract signer (EIP-1271)")
    assert check(act, KeyWindows.from_events(events), Voids()) == act["recovery_note"]
