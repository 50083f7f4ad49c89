"""Shared by the index and audit tests: database backends, a populated ledger, chain equality."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address
from sqlalchemy import create_engine, inspect, text

from notary import ledger, merkle, registry
from notary.chain import artifacts, tx
from notary.chain.events import EventReader
from notary.chain.gateway import contract_args
from notary.chain.tx import TxResult
from notary.codes import party_code, text_to_bytes32
from notary.eip712 import Domain
from notary.index import IndexReader
from notary.index.db import normalise_url
from notary.index.normalise import RecordInfo, normalise, record_info
from notary.models import BatchAnchor, Intent
from notary.testing import World

POSTGRES_ENV = "NOTARY_TEST_POSTGRES_URL"


def postgres_url() -> str:
    """The test server's URL, with every index table dropped; skips visibly without one."""
    url = os.environ.get(POSTGRES_ENV)
    if not url and os.environ.get("NOTARY_TEST_POSTGRES_REQUIRED"):
        pytest.fail(f"{POSTGRES_ENV} is not set, but NOTARY_TEST_POSTGRES_REQUIRED is (CI must test PostgreSQL)")
    if not url:
        pytest.skip(f"no PostgreSQL server: set {POSTGRES_ENV} to a database the tests may wipe (.ci/run does)")
    engine = create_engine(normalise_url(url))
    with engine.begin() as conn:
        tables = inspect(conn).get_table_names()  # every table, also those later revisions add
        if tables:
            conn.execute(text("DROP TABLE IF EXISTS " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
    engine.dispose()
    return url


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'index.sqlite3'}"


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def backend_url(name: str, tmp_path: Path) -> str:
    return sqlite_url(tmp_path) if name == "sqlite" else postgres_url()


def digest(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


# A relay contract (raw EVM code, no Solidity source): it forwards its calldata to the ledger
# and passes the result or the revert back, so the ledger sees the relay as msg.sender and the
# transaction's `to` is not the ledger. Runtime: CALLDATACOPY; CALL(gas, ledger, 0, 0, size, 0,
# 0); RETURNDATACOPY; JUMPI ok; REVERT; ok: RETURN.
_RELAY_HEAD = bytes.fromhex("365f5f375f5f365f5f73")
_RELAY_TAIL = bytes.fromhex("5af13d5f5f3e602a573d5ffd5b3d5ff3")
_RELAY_INIT = bytes.fromhex("602e8060095f395ff3")  # CODECOPY the 46-byte runtime after these 9 bytes; RETURN it


def deploy_relay(world: World) -> str:
    """Deploy a relay for the world's ledger; returns its address."""
    ledger_address = bytes.fromhex(world.gw.deployment.ledger.address[2:])
    runtime = _RELAY_HEAD + ledger_address + _RELAY_TAIL
    assert len(runtime) == 0x2E
    result = tx.deploy(world.chain, [], "0x" + (_RELAY_INIT + runtime).hex(), world.relayer)
    return tx.contract_address(world.chain, result)


def relay_act(
    world: World, relay: str, rid: bytes, party: str, intent: Intent = Intent.SIGNATURE, reason: str = ""
) -> TxResult:
    """Sign an act as `party` and send it to the ledger through `relay` (an ordinary `act` call)."""
    a = ledger.prepare_act(world.gw.terms(rid), party, intent, world.deadline(), reason)
    signed = ledger.sign(a, world.gw.domain, world.signers[party])
    via = world.chain.w3.eth.contract(address=to_checksum_address(relay), abi=artifacts.load("NotaryLedger").abi)
    fn = via.functions.act(contract_args(a), signed.signer, signed.signature)
    return tx.send(world.chain, fn, world.relayer)


def new_key(world: World, party: str) -> LocalAccount:
    """Authorise a fresh key for `party` and make it the world's signer of that party."""
    key: LocalAccount = Account.create()
    registry.add_signer(world.gw, world.controllers[party], party, key.address, 0)
    world.signers[party] = key
    return key


def void(world: World, rid: bytes, party: str, intent: Intent = Intent.SIGNATURE) -> TxResult:
    return world.gw.void_act(world.relayer, world.gw.terms(rid), party_code(party), intent)


@dataclass
class Story:
    """What `populate` did, for assertions."""

    mou: bytes
    treaty: bytes
    cancelled: bytes
    batch_root: bytes
    relayed: bytes  # a record SGP signed through a relay contract
    relayed_tx: str
    amendment: bytes  # supersedes `mou`
    compromised_signer: str  # SGP's first key: its MoU signature was voided ("" without compromise)
    renotarised: bytes  # DEU's record: its notarisation voided, then notarised again (as a joint declaration)


def populate(world: World, tag: str = "", compromise: bool = True) -> Story:
    """A ledger history touching every event of both contracts (protocol v2).

    With `compromise`: SGP's MoU signature is declared compromised and voided, and SGP signs
    again with a new key; DEU's notarisation of a record is voided (the record is void) and
    DEU notarises it again with a new key and other terms; back-dated revocations beyond the
    repudiation window are requested (one confirmed by the depositary, one left pending).
    """
    mou = world.notarise(digest("mou" + tag))
    world.act(mou, "SGP")
    treaty = world.notarise(
        digest("treaty" + tag), parties=("FRA", "SGP", "DEU"), quorum=2, ratification=True, kind="treaty"
    )
    world.act(treaty, "DEU")
    world.act(treaty, "FRA", Intent.RATIFICATION)
    world.act(treaty, "DEU", Intent.WITHDRAWAL, reason="parliament refused")
    cancelled = world.notarise(digest("draft" + tag), kind="note-verbale")
    world.act(cancelled, "FRA", Intent.CANCELLATION, reason="superseded draft")
    tree = merkle.MerkleTree([digest(f"cert{i}{tag}") for i in range(5)])
    b = BatchAnchor(tree.root, party_code("FRA"), text_to_bytes32("sha256"), bytes(32), world.deadline())
    ledger.submit(world.gw, world.relayer, ledger.sign(b, world.gw.domain, world.signers["FRA"]))
    compromised = ""
    if compromise:
        # SGP's key is declared compromised from before it co-signed the MoU; the act is voided
        # (the MoU re-opens) and SGP signs again with a new key.
        signed_at = world.gw.record(mou).attestations[-1].time
        compromised = world.signers["SGP"].address
        registry.revoke_signer(world.gw, world.controllers["SGP"], "SGP", compromised, signed_at - 1)
        void(world, mou, "SGP")
        new_key(world, "SGP")
        world.act(mou, "SGP")
    relayed = world.notarise(digest("relayed" + tag))
    relayed_tx = relay_act(world, deploy_relay(world), relayed, "SGP").transaction
    amendment = world.notarise(digest("mou v2" + tag), supersedes=mou)
    world.act(amendment, "SGP")
    world.gw.suspend_party(world.depositary, party_code("DEU"))
    world.gw.reinstate_party(world.depositary, party_code("DEU"))
    # Control: DEU's controller hands over in two steps; the depositary schedules and cancels a reset.
    successor: LocalAccount = Account.create()
    world.chain.fund(successor.address)
    registry.transfer_control(world.gw, world.controllers["DEU"], "DEU", successor.address)
    registry.accept_control(world.gw, successor, "DEU")
    world.controllers["DEU"] = successor
    registry.schedule_controller_reset(world.gw, world.depositary, "SGP", Account.create().address)
    registry.cancel_controller_reset(world.gw, world.depositary, "SGP")
    registry.set_delays(world.gw, world.depositary, 600, 600)
    renotarised = digest("renotarised" + tag)
    if compromise:
        # Past the (new) delays' taking effect; DEU's earlier acts now lie beyond any repudiation window.
        world.chain.time_travel(world.gw.now() + 73 * 3600)
    rid = world.notarise(renotarised, "DEU", parties=("DEU", "SGP"), kind="agreement")
    if compromise:
        first_key = world.signers["DEU"].address
        notarised_at = world.gw.record(rid).created_at
        registry.revoke_signer(world.gw, world.controllers["DEU"], "DEU", first_key, notarised_at)
        void(world, rid, "DEU")  # the record is void
        new_key(world, "DEU")
        world.notarise(renotarised, "DEU", parties=("DEU", "SGP"), kind="joint-declaration")
        world.act(rid, "SGP")
        # Beyond the repudiation window: requested, then confirmed by the depositary (DEU's first
        # key); and requested, left pending (SGP's first key).
        world.chain.time_travel(world.gw.now() + 73 * 3600)
        registry.revoke_signer(world.gw, world.controllers["DEU"], "DEU", first_key, notarised_at - 5)
        registry.confirm_revocation(world.gw, world.depositary, "DEU", first_key)
        registry.revoke_signer(world.gw, world.controllers["SGP"], "SGP", compromised, signed_at - 3000)
    return Story(mou, treaty, cancelled, tree.root, relayed, relayed_tx, amendment, compromised, rid)


def chain_events(reader: EventReader) -> list[dict[str, Any]]:
    """Every event of the deployment as the index would store it, read from the chain now."""
    domain = Domain(reader.chain.chain_id, reader.deployment.ledger.address)
    records: dict[str, RecordInfo] = {}
    out = []
    for log in reader.logs(reader.start_block, reader.head()):
        ev = normalise(log, domain, records.get, reader.is_contract)
        if ev.event == "RecordNotarised":
            records[ev.record] = record_info(ev)
        out.append(ev.as_dict())
    return out


def assert_index_equals_chain(index: IndexReader, reader: EventReader) -> None:
    """The events table holds exactly the chain's events, and the record view the ledger's state:
    status, supersededBy, terms, times, and every act of the latest notarisation (voided marked)."""
    stored = list(index.iter_events())
    expected = chain_events(reader)
    assert [(e["block_number"], e["log_index"]) for e in stored] == [
        (e["block_number"], e["log_index"]) for e in expected
    ]
    assert stored == expected
    from notary.chain.gateway import LedgerGateway
    from notary.index.normalise import terms_from_dict

    gw = LedgerGateway(reader.chain, reader.deployment)
    for row in index.records(limit=100_000):
        record = gw.record(bytes.fromhex(row["record_id"][2:]))
        assert row["status"] == record.status.label
        assert (row["superseded_by"] or "0x" + "00" * 32) == "0x" + record.superseded_by.hex()
        assert row["terms"] is not None and terms_from_dict(row["terms"]) == record.terms
        assert (row["created_at"], row["updated_at"]) == (record.created_at, record.updated_at)
        acts = [
            (a["party"], a["intent"], a["signer"], a["time"], a["voided"], a["deadline"], a["signature"])
            for a in index.attestations(row["record_id"])
        ]
        assert acts == [
            (a.party, a.intent.label, a.signer, a.time, a.voided, a.deadline, "0x" + (a.signature or b"").hex())
            for a in record.attestations
        ]
    state = index.state()
    assert state is not None
    assert reader.block(state.last_block).hash == state.last_block_hash
