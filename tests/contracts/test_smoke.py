"""Smoke test of the fixture world."""

import hashlib

from contract_helpers import masks

from notary.models import Status
from notary.testing import World


def test_bilateral_record_executes_when_both_sign(world: World) -> None:
    """FRA notarises, SGP co-signs (over the record's terms): executed, two valid acts, both bits set."""
    digest = hashlib.sha256(b"mou").digest()
    rid = world.notarise(digest)
    assert world.gw.record(rid).status is Status.OPEN
    world.act(rid, "SGP")
    record = world.gw.record(rid)
    assert (record.status, record.executed) == (Status.EXECUTED, True)
    assert [(a.party, a.valid, a.voided) for a in record.attestations] == [("FRA", True, False), ("SGP", True, False)]
    assert masks(world, rid)["signed"] == {"FRA", "SGP"}
