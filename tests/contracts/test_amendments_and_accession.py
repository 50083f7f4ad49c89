"""Amendments (protocol v2) list the old record's parties first and need every bound party's
consent; required parties may accede after execution."""

from __future__ import annotations

from contract_helpers import (
    add_key,
    block_time,
    code,
    digest,
    masks,
    notarise_tx,
    reverts,
    revoke,
    statuses,
    stored,
    supersessions,
    void,
)

from notary.models import Intent, Status, record_id
from notary.testing import World


def _executed_bilateral(world: World, label: str) -> bytes:
    rid = world.notarise(digest(label))
    world.act(rid, "SGP")
    return rid


def test_amendment_must_list_the_old_parties_first(world: World) -> None:
    """An amendment leaving out SGP (a party of the old record) reverts NotaryAmendmentParties;
    the old record is untouched."""
    old = _executed_bilateral(world, "mou")
    doc = digest("amendment")
    with reverts("NotaryAmendmentParties", recordId=record_id(doc, code("FRA")), supersedes=old):
        world.notarise(doc, parties=("FRA", "DEU"), quorum=1, supersedes=old)
    assert world.gw.record(old, with_attestations=False).status is Status.EXECUTED
    assert stored(world, old)["superseded"] is False


def test_amendment_executes_only_with_all_bound_parties(world: World) -> None:
    """With quorum 2 of 3, the amendment waits for SGP (bound by the old record) before executing."""
    old = _executed_bilateral(world, "mou")
    new = world.notarise(digest("amendment"), parties=("FRA", "SGP", "DEU"), quorum=2, supersedes=old)
    result = world.act(new, "DEU")  # quorum met, but SGP has not consented
    assert statuses(world, result) == []
    assert (world.gw.record(new).status, stored(world, new)["executed"]) == (Status.OPEN, False)
    assert world.gw.record(old, with_attestations=False).status is Status.EXECUTED
    result = world.act(new, "SGP")
    now = block_time(world, result)
    assert supersessions(world, result) == [(old, new, now)]
    assert statuses(world, result) == [
        (old, Status.EXECUTED, Status.SUPERSEDED, now),
        (new, Status.OPEN, Status.EXECUTED, now),
    ]
    amended = world.gw.record(new, with_attestations=False)
    superseded = world.gw.record(old, with_attestations=False)
    assert amended.status is Status.EXECUTED and superseded.status is Status.SUPERSEDED
    assert superseded.superseded_by == new and amended.supersedes == old
    assert masks(world, new)["signed"] == {"FRA", "SGP", "DEU"}


def test_withdrawn_party_need_not_consent(world: World) -> None:
    """A party that withdrew from the old record is no longer bound: the amendment executes without it."""
    old = world.notarise(digest("treaty"), parties=("FRA", "SGP", "DEU"), quorum=2)
    world.act(old, "SGP")
    world.act(old, "DEU")
    world.act(old, "DEU", Intent.WITHDRAWAL, reason="denounced")
    assert world.gw.record(old).status is Status.EXECUTED  # FRA and SGP still bound: 2 >= 2
    new = world.notarise(digest("treaty v2"), parties=("FRA", "SGP", "DEU"), quorum=2, supersedes=old)
    world.act(new, "SGP")
    assert (world.gw.record(new).status, world.gw.record(old).status) == (Status.EXECUTED, Status.SUPERSEDED)


def test_stale_amendment_waits_then_executes_on_refresh(world: World) -> None:
    """Amendment B's last signature is accepted while the old record is superseded by A (B stays
    OPEN, quorate); once A is voided, anyone's refresh(B) executes B."""
    old = _executed_bilateral(world, "mou")
    b = world.notarise(digest("amendment B"), supersedes=old)
    stolen = world.signers["FRA"]
    a, made = notarise_tx(world, digest("amendment A"), key=stolen, supersedes=old)
    world.act(a, "SGP")  # SGP, deceived, co-signs A: A executes
    assert world.gw.record(old).superseded_by == a

    result = world.act(b, "SGP")
    assert statuses(world, result) == []
    assert (world.gw.record(b).status, stored(world, b)["signed"], stored(world, b)["executed"]) == (
        Status.OPEN,
        0b11,
        False,
    )

    revoke(world, "FRA", stolen, block_time(world, made))  # FRA's key was stolen just before A
    add_key(world, "FRA")
    result = void(world, a, "FRA", Intent.SIGNATURE)
    now = block_time(world, result)
    assert supersessions(world, result) == [(old, bytes(32), now)]
    assert (world.gw.record(a).status, world.gw.record(old).status) == (Status.VOID, Status.EXECUTED)
    assert world.gw.record(old).superseded_by == bytes(32)

    result = world.gw.refresh(world.relayer, world.gw.terms(b))
    now = block_time(world, result)
    assert supersessions(world, result) == [(old, b, now)]
    assert statuses(world, result) == [
        (old, Status.EXECUTED, Status.SUPERSEDED, now),
        (b, Status.OPEN, Status.EXECUTED, now),
    ]
    assert world.gw.record(old).superseded_by == b


def test_accession_after_execution_counts_and_binds(world: World) -> None:
    """DEU signs an executed 2-of-3 record; it is then bound, so one withdrawal no longer terminates."""
    rid = world.notarise(digest("treaty"), parties=("FRA", "SGP", "DEU"), quorum=2)
    world.act(rid, "SGP")
    assert world.gw.record(rid, with_attestations=False).status is Status.EXECUTED
    result = world.act(rid, "DEU")
    assert statuses(world, result) == []
    record = world.gw.record(rid, with_attestations=False)
    assert record.status is Status.EXECUTED and record.signatures == 3
    world.act(rid, "SGP", Intent.WITHDRAWAL, reason="domestic law changed")
    assert world.gw.record(rid, with_attestations=False).status is Status.EXECUTED
    result = world.act(rid, "DEU", Intent.WITHDRAWAL, reason="no longer applicable")
    assert statuses(world, result) == [(rid, Status.EXECUTED, Status.TERMINATED, block_time(world, result))]
    record = world.gw.record(rid, with_attestations=False)
    assert record.status is Status.TERMINATED and record.withdrawals == 2
    assert masks(world, rid)["withdrawn"] == {"SGP", "DEU"}
