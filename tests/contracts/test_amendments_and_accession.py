"""Amendments need every bound party's consent; required parties may accede after execution."""

from __future__ import annotations

import pytest
from contract_helpers import digest

from notary import errors
from notary.codes import party_code
from notary.models import Intent, Status
from notary.testing import World


def _executed_bilateral(world: World, label: str) -> bytes:
    rid = world.notarise(digest(label))
    world.act(rid, "SGP")
    return rid


def test_amendment_must_require_every_bound_party(world: World) -> None:
    """An amendment that leaves out a party bound by the old record reverts NotaryPartyNotRequired."""
    old = _executed_bilateral(world, "mou")
    with pytest.raises(errors.NotaryPartyNotRequiredError) as info:
        world.notarise(digest("amendment"), parties=("FRA", "DEU"), quorum=1, supersedes=old)
    assert info.value.args_by_name["party"] == party_code("SGP")
    assert world.gw.record(old, with_attestations=False).status is Status.EXECUTED


def test_amendment_executes_only_with_all_bound_parties(world: World) -> None:
    """With quorum 2 of 3, the amendment waits for SGP (bound by the old record) before executing."""
    old = _executed_bilateral(world, "mou")
    new = world.notarise(digest("amendment"), parties=("FRA", "SGP", "DEU"), quorum=2, supersedes=old)
    world.act(new, "DEU")  # quorum met, but SGP has not consented
    assert world.gw.record(new, with_attestations=False).status is Status.OPEN
    assert world.gw.record(old, with_attestations=False).status is Status.EXECUTED
    world.act(new, "SGP")
    amended = world.gw.record(new, with_attestations=False)
    superseded = world.gw.record(old, with_attestations=False)
    assert amended.status is Status.EXECUTED and superseded.status is Status.SUPERSEDED
    assert superseded.superseded_by == new and amended.supersedes == old


def test_stale_amendment_cannot_execute(world: World) -> None:
    """If the old record was superseded meanwhile, a competing amendment's last signature reverts."""
    old = _executed_bilateral(world, "mou")
    first = world.notarise(digest("amendment A"), supersedes=old)
    second = world.notarise(digest("amendment B"), supersedes=old)
    world.act(first, "SGP")
    with pytest.raises(errors.NotaryWrongStateError) as info:
        world.act(second, "SGP")
    assert info.value.args_by_name == {"recordId": old, "status": int(Status.SUPERSEDED)}
    assert world.gw.record(second, with_attestations=False).status is Status.OPEN


def test_accession_after_execution_counts_and_binds(world: World) -> None:
    """DEU signs an executed 2-of-3 record; it is then bound, so one withdrawal no longer terminates."""
    rid = world.notarise(digest("treaty"), parties=("FRA", "SGP", "DEU"), quorum=2)
    world.act(rid, "SGP")
    assert world.gw.record(rid, with_attestations=False).status is Status.EXECUTED
    world.act(rid, "DEU")
    record = world.gw.record(rid, with_attestations=False)
    assert record.status is Status.EXECUTED and record.signatures == 3
    world.act(rid, "SGP", Intent.WITHDRAWAL, reason="domestic law changed")
    assert world.gw.record(rid, with_attestations=False).status is Status.EXECUTED
    world.act(rid, "DEU", Intent.WITHDRAWAL, reason="no longer applicable")
    record = world.gw.record(rid, with_attestations=False)
    assert record.status is Status.TERMINATED and record.withdrawals == 2
