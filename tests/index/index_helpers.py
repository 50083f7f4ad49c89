"""Shared by the index and audit tests: database backends, a populated ledger, chain equality."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from notary import ledger, merkle, registry
from notary.chain.events import EventReader
from notary.codes import party_code
from notary.eip712 import Domain
from notary.index import IndexReader
from notary.index.db import normalise_url
from notary.index.normalise import normalise
from notary.models import BatchAnchor, Intent
from notary.testing import World

POSTGRES_ENV = "NOTARY_TEST_POSTGRES_URL"
_TABLES = ("events", "blocks", "records", "attestations", "parties", "signer_keys", "index_state", "alembic_version")


def postgres_url() -> str:
    """The test server's URL, with every index table dropped; skips visibly without one."""
    url = os.environ.get(POSTGRES_ENV)
    if not url and os.environ.get("NOTARY_TEST_POSTGRES_REQUIRED"):
        pytest.fail(f"{POSTGRES_ENV} is not set, but NOTARY_TEST_POSTGRES_REQUIRED is (CI must test PostgreSQL)")
    if not url:
        pytest.skip(f"no PostgreSQL server: set {POSTGRES_ENV} to a database the tests may wipe (.ci/run does)")
    engine = create_engine(normalise_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS " + ", ".join(_TABLES) + " CASCADE"))
    engine.dispose()
    return url


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'index.sqlite3'}"


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def backend_url(name: str, tmp_path: Path) -> str:
    return sqlite_url(tmp_path) if name == "sqlite" else postgres_url()


def digest(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


@dataclass
class Story:
    """What `populate` did, for assertions."""

    mou: bytes
    treaty: bytes
    cancelled: bytes
    batch_root: bytes
    compromised_signer: str


def populate(world: World, tag: str = "", compromise: bool = True) -> Story:
    """A small ledger history touching every event kind of both contracts."""
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
    b = BatchAnchor(tree.root, world.notarisation(digest("x")).party, 5, bytes(32), bytes(32), world.deadline())
    ledger.submit(world.gw, world.relayer, ledger.sign(b, world.gw.domain, world.signers["FRA"]))
    # SGP's key is declared compromised from before it co-signed the MoU.
    signed_at = world.gw.record(mou).attestations[-1].time
    if compromise:
        sgp = world.signers["SGP"].address
        registry.revoke_signer(world.gw, world.controllers["SGP"], "SGP", sgp, signed_at - 1)
    world.gw.suspend_party(world.depositary, party_code("DEU"))
    world.gw.reinstate_party(world.depositary, party_code("DEU"))
    return Story(mou, treaty, cancelled, tree.root, world.signers["SGP"].address)


def chain_events(reader: EventReader) -> list[dict[str, Any]]:
    """Every event of the deployment as the index would store it, read from the chain now."""
    domain = Domain(reader.chain.chain_id, reader.deployment.ledger.address)
    records: dict[str, tuple[str, str]] = {}
    out = []
    for log in reader.logs(reader.start_block, reader.head()):
        ev = normalise(log, domain, records.get)
        if ev.event == "RecordNotarised":
            records[ev.record] = (ev.digest, ev.kind)
        out.append(ev.as_dict())
    return out


def assert_index_equals_chain(index: IndexReader, reader: EventReader) -> None:
    """The events table holds exactly the chain's events, and the record view the chain's states."""
    stored = list(index.iter_events())
    expected = chain_events(reader)
    assert [(e["block_number"], e["log_index"]) for e in stored] == [
        (e["block_number"], e["log_index"]) for e in expected
    ]
    assert stored == expected
    from notary.chain.gateway import LedgerGateway

    gw = LedgerGateway(reader.chain, reader.deployment)
    for row in index.records(limit=100_000):
        assert row["status"] == gw.record(bytes.fromhex(row["record_id"][2:]), with_attestations=False).status.label
    state = index.state()
    assert state is not None
    assert reader.block(state.last_block).hash == state.last_block_hash
