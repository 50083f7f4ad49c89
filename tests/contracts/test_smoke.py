"""Smoke test of the fixture world."""

import hashlib

from notary.models import Status
from notary.testing import World


def test_bilateral_record_executes_when_both_sign(world: World) -> None:
    """FRA notarises, SGP co-signs: the record is executed with two valid attestations."""
    digest = hashlib.sha256(b"mou").digest()
    rid = world.notarise(digest)
    assert world.gw.record(rid).status is Status.OPEN
    world.act(rid, "SGP")
    record = world.gw.record(rid)
    assert record.status is Status.EXECUTED
    assert [(a.party, a.valid) for a in record.attestations] == [("FRA", True), ("SGP", True)]
