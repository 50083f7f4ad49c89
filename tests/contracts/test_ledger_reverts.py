"""NotaryLedger reverts: each custom error surfaces as its typed exception with its arguments."""

from __future__ import annotations

import pytest
from contract_helpers import (
    act_payload,
    anchor_payload,
    code,
    digest,
    new_account,
    notarise_tx,
    pending_time,
    raw_notarisation,
    revert_args,
    submit,
)

from notary import eip712, errors, ledger
from notary.models import Intent, Status, anchor_id, record_id
from notary.testing import World


def executed(world: World, label: str, **kwargs) -> bytes:
    """A record FRA + SGP (quorum 2) that both signed: EXECUTED."""
    rid = world.notarise(digest(label), **kwargs)
    world.act(rid, "SGP")
    return rid


def test_revert_is_typed_and_nothing_is_mined(world: World) -> None:
    """A revert is decoded at gas estimation into a ContractRevertError; no block is mined."""
    rid = world.notarise(digest("dup"))
    before = world.chain.block_number()
    with pytest.raises(errors.ContractRevertError) as exc:
        world.notarise(digest("dup"))
    assert type(exc.value) is errors.NotaryDuplicateRecordError
    assert "already exists" in str(exc.value)
    assert world.chain.block_number() == before
    assert world.gw.record(rid).signatures == 1


def test_duplicate_record(world: World) -> None:
    """The same party notarising the same digest again reverts NotaryDuplicateRecord(id)."""
    rid = world.notarise(digest("once"), parties=("FRA", "DEU"))
    with pytest.raises(errors.NotaryDuplicateRecordError) as exc:
        world.notarise(digest("once"), parties=("FRA", "SGP"))
    assert revert_args(exc.value) == {"recordId": rid}


def test_cancelled_record_still_blocks_its_id(world: World) -> None:
    """A cancelled record keeps its id: notarising it again reverts NotaryDuplicateRecord."""
    rid = world.notarise(digest("cancelled"))
    world.act(rid, "FRA", Intent.CANCELLATION, reason="typo")
    with pytest.raises(errors.NotaryDuplicateRecordError):
        world.notarise(digest("cancelled"))


def test_unknown_record(world: World) -> None:
    """Acting on, reading or superseding an unknown record reverts NotaryUnknownRecord(id)."""
    rid = record_id(digest("nothing"), code("FRA"))
    with pytest.raises(errors.NotaryUnknownRecordError) as exc:
        world.act(rid, "SGP")
    assert revert_args(exc.value) == {"recordId": rid}
    with pytest.raises(errors.NotaryUnknownRecordError) as exc:
        world.gw.record(rid)
    assert revert_args(exc.value) == {"recordId": rid}
    with pytest.raises(errors.NotaryUnknownRecordError) as exc:
        world.notarise(digest("amendment"), supersedes=rid)
    assert revert_args(exc.value) == {"recordId": rid}


def test_zero_digest(world: World) -> None:
    """Notarising the zero digest reverts NotaryZeroDigest()."""
    with pytest.raises(errors.NotaryZeroDigestError) as exc:
        world.notarise(bytes(32))
    assert exc.value.args_by_name == {}


@pytest.mark.parametrize(
    ("parties", "quorum"),
    [(("FRA", "SGP"), 0), (("FRA", "SGP"), 3), ((), 1), (tuple(f"P{i:02d}" for i in range(33)), 1)],
    ids=["quorum-0", "quorum-above-parties", "no-parties", "33-parties"],
)
def test_invalid_quorum(world: World, parties: tuple[str, ...], quorum: int) -> None:
    """A quorum outside 1..parties, or 0 or >32 parties, reverts NotaryInvalidQuorum(q, n)."""
    n = raw_notarisation(world, digest("q"), parties=[code(p) for p in parties], quorum=quorum)
    with pytest.raises(errors.NotaryInvalidQuorumError) as exc:
        submit(world, n, world.signers["FRA"])
    assert revert_args(exc.value) == {"quorum": quorum, "parties": len(parties)}


def test_duplicate_party(world: World) -> None:
    """A party listed twice reverts NotaryDuplicateParty(party)."""
    parties = [code("FRA"), code("SGP"), code("SGP")]
    n = raw_notarisation(world, digest("dup party"), parties=parties, quorum=2)
    with pytest.raises(errors.NotaryDuplicatePartyError) as exc:
        submit(world, n, world.signers["FRA"])
    assert revert_args(exc.value) == {"party": code("SGP")}


def test_unknown_required_party(world: World) -> None:
    """A required party that is not registered reverts NotaryUnknownParty(party)."""
    with pytest.raises(errors.NotaryUnknownPartyError) as exc:
        world.notarise(digest("with italy"), parties=("FRA", "ITA"))
    assert revert_args(exc.value) == {"party": code("ITA")}


def test_inactive_party(world: World) -> None:
    """A suspended or unregistered acting party reverts NotaryPartyInactive(party)."""
    rid = world.notarise(digest("suspended cosigner"))
    world.gw.suspend_party(world.depositary, code("SGP"))
    with pytest.raises(errors.NotaryPartyInactiveError) as exc:
        world.act(rid, "SGP")
    assert revert_args(exc.value) == {"party": code("SGP")}
    with pytest.raises(errors.NotaryPartyInactiveError) as exc:
        world.notarise(digest("suspended submitter"), "SGP", parties=("SGP", "FRA"))
    assert revert_args(exc.value) == {"party": code("SGP")}
    n = raw_notarisation(world, digest("stranger"), party="ITA")
    with pytest.raises(errors.NotaryPartyInactiveError) as exc:
        submit(world, n, world.signers["FRA"])
    assert revert_args(exc.value) == {"party": code("ITA")}
    world.gw.reinstate_party(world.depositary, code("SGP"))
    world.act(rid, "SGP")


def test_party_not_required(world: World) -> None:
    """A non-required actor, submitter or amender reverts NotaryPartyNotRequired(record, party)."""
    rid = world.notarise(digest("bilateral"))
    with pytest.raises(errors.NotaryPartyNotRequiredError) as exc:
        world.act(rid, "DEU")
    assert revert_args(exc.value) == {"recordId": rid, "party": code("DEU")}

    doc = digest("not mine")
    n = raw_notarisation(world, doc, parties=[code("SGP"), code("DEU")], quorum=1)
    with pytest.raises(errors.NotaryPartyNotRequiredError) as exc:
        submit(world, n, world.signers["FRA"])
    assert revert_args(exc.value) == {"recordId": record_id(doc, code("FRA")), "party": code("FRA")}

    old = executed(world, "between FRA and SGP")
    with pytest.raises(errors.NotaryPartyNotRequiredError) as exc:
        world.notarise(digest("DEU amends"), "DEU", parties=("DEU", "FRA"), supersedes=old)
    assert revert_args(exc.value) == {"recordId": old, "party": code("DEU")}


def test_already_attested(world: World) -> None:
    """A second act with the same intent reverts NotaryAlreadyAttested(record, party, intent)."""
    rid = world.notarise(digest("three"), parties=("FRA", "SGP", "DEU"), quorum=3)
    world.act(rid, "SGP")
    for party in ("SGP", "FRA"):
        with pytest.raises(errors.NotaryAlreadyAttestedError) as exc:
            world.act(rid, party)
        assert revert_args(exc.value) == {"recordId": rid, "party": code(party), "intent": 0}
    ratified = executed(world, "ratify twice", ratification=True)
    world.act(ratified, "FRA", Intent.RATIFICATION)
    with pytest.raises(errors.NotaryAlreadyAttestedError) as exc:
        world.act(ratified, "FRA", Intent.RATIFICATION)
    assert revert_args(exc.value)["intent"] == int(Intent.RATIFICATION)


@pytest.mark.parametrize("intent", [Intent.ANNULMENT, Intent.WITHDRAWAL, Intent.RATIFICATION])
def test_not_signatory(world: World, intent: Intent) -> None:
    """A required party that never signed cannot annul, withdraw or ratify: NotaryNotSignatory."""
    rid = world.notarise(digest("two of three"), parties=("FRA", "SGP", "DEU"), quorum=2, ratification=True)
    world.act(rid, "SGP")
    with pytest.raises(errors.NotaryNotSignatoryError) as exc:
        world.act(rid, "DEU", intent, reason="not a signatory")
    assert revert_args(exc.value) == {"recordId": rid, "party": code("DEU")}


def test_expired_deadline(world: World) -> None:
    """A payload whose deadline is before the block time reverts NotaryExpiredDeadline(deadline, time)."""
    deadline = world.gw.now()
    with pytest.raises(errors.NotaryExpiredDeadlineError) as exc:
        world.notarise(digest("late"), deadline=deadline)
    assert revert_args(exc.value) == {"deadline": deadline, "time": pending_time(world)}
    rid = world.notarise(digest("on time"), deadline=pending_time(world))  # deadline == time is fine
    late = act_payload(world, rid, "SGP", deadline=world.gw.now())
    with pytest.raises(errors.NotaryExpiredDeadlineError) as exc:
        submit(world, late, world.signers["SGP"])
    assert revert_args(exc.value) == {"deadline": late.deadline, "time": pending_time(world)}


def assert_unauthorised(world: World, rid: bytes, party: str, key) -> None:
    with pytest.raises(errors.NotaryUnauthorisedSignerError) as exc:
        world.act(rid, party, key=key)
    assert revert_args(exc.value) == {
        "party": code(party),
        "signer": key.address,
        "time": pending_time(world),
    }


def test_unauthorised_unknown_key(world: World) -> None:
    """A valid signature by a key never added for the party reverts NotaryUnauthorisedSigner."""
    rid = world.notarise(digest("unknown key"))
    assert_unauthorised(world, rid, "SGP", new_account(world, fund=False))
    assert_unauthorised(world, rid, "SGP", world.signers["DEU"])  # another party's key


def test_unauthorised_key_outside_window(world: World) -> None:
    """A key before its validFrom or from its validUntil on reverts NotaryUnauthorisedSigner."""
    rid = world.notarise(digest("window"))
    future, expired = new_account(world, fund=False), new_account(world, fund=False)
    now, controller = world.gw.now(), world.controllers["SGP"]
    world.gw.add_signer(controller, code("SGP"), future.address, now + 1000, now + 2000)
    world.gw.add_signer(controller, code("SGP"), expired.address, 0, now)
    assert_unauthorised(world, rid, "SGP", future)
    assert_unauthorised(world, rid, "SGP", expired)


def test_unauthorised_revoked_key(world: World) -> None:
    """A key revoked (effective now or earlier) reverts NotaryUnauthorisedSigner."""
    rid = world.notarise(digest("revoked"))
    key = world.signers["SGP"]
    world.gw.revoke_signer(world.controllers["SGP"], code("SGP"), key.address, world.gw.now())
    assert_unauthorised(world, rid, "SGP", key)


def test_invalid_signature_wrong_key(world: World) -> None:
    """SGP's key signing while FRA's key is named as signer reverts NotaryInvalidSignature."""
    fra = world.signers["FRA"].address
    n = world.notarisation(digest("forged"))
    with pytest.raises(errors.NotaryInvalidSignatureError) as exc:
        submit(world, n, world.signers["SGP"], signer=fra)
    assert revert_args(exc.value) == {"party": code("FRA"), "signer": fra}


@pytest.mark.parametrize("other", ["chain", "contract"])
def test_invalid_signature_other_domain(world: World, other: str) -> None:
    """An act signed for another chain id or contract, relayed directly, reverts NotaryInvalidSignature."""
    rid = world.notarise(digest("domain"))
    key, domain = world.signers["SGP"], world.gw.domain
    if other == "chain":
        domain = eip712.Domain(domain.chain_id + 1, domain.verifying_contract)
    else:
        domain = eip712.Domain(domain.chain_id, world.gw.registry.address)
    a = act_payload(world, rid, "SGP")
    with pytest.raises(errors.NotaryInvalidSignatureError) as exc:
        world.gw.act(world.relayer, a, key.address, eip712.sign(a, domain, key.key))
    assert revert_args(exc.value) == {"party": code("SGP"), "signer": key.address}
    submit(world, a, key)  # the same act signed for this ledger is accepted


def test_invalid_signature_v_zero_or_one(world: World) -> None:
    """A signature whose v byte is v-27 (0 or 1) is rejected with NotaryInvalidSignature."""
    rid = world.notarise(digest("v"))
    key = world.signers["SGP"]
    a = act_payload(world, rid, "SGP")
    good = eip712.sign(a, world.gw.domain, key.key)
    assert good[64] in (27, 28)
    with pytest.raises(errors.NotaryInvalidSignatureError) as exc:
        submit(world, a, key, signature=good[:64] + bytes([good[64] - 27]))
    assert revert_args(exc.value) == {"party": code("SGP"), "signer": key.address}
    submit(world, a, key, signature=good)


def test_malleable_signature(world: World) -> None:
    """The high-s twin of a valid signature reverts NotaryMalleableSignature(s)."""
    rid = world.notarise(digest("malleable"))
    key = world.signers["SGP"]
    a = act_payload(world, rid, "SGP")
    twin = eip712.malleable_twin(eip712.sign(a, world.gw.domain, key.key))
    with pytest.raises(errors.NotaryMalleableSignatureError) as exc:
        submit(world, a, key, signature=twin)
    assert revert_args(exc.value) == {"s": twin[32:64]}
    assert int.from_bytes(twin[32:64], "big") > eip712.SECP256K1_HALF_N
    submit(world, a, key)  # the low-s original is accepted


def test_wrong_state(world: World) -> None:
    """Acts not allowed in the record's state revert NotaryWrongState(record, status)."""
    rid = world.notarise(digest("open"), parties=("FRA", "SGP", "DEU"), quorum=2)
    for party, intent in (("FRA", Intent.WITHDRAWAL), ("FRA", Intent.ANNULMENT)):
        with pytest.raises(errors.NotaryWrongStateError) as exc:
            world.act(rid, party, intent, reason="too early")
        assert revert_args(exc.value) == {"recordId": rid, "status": int(Status.OPEN)}
    with pytest.raises(errors.NotaryWrongStateError) as exc:
        world.notarise(digest("amends an open record"), supersedes=rid)
    assert revert_args(exc.value) == {"recordId": rid, "status": int(Status.OPEN)}

    world.act(rid, "SGP")
    for party, intent in (("FRA", Intent.CANCELLATION),):
        with pytest.raises(errors.NotaryWrongStateError) as exc:
            world.act(rid, party, intent, reason="too late")
        assert revert_args(exc.value) == {"recordId": rid, "status": int(Status.EXECUTED)}


def test_wrong_state_after_later_states(world: World) -> None:
    """Acts on cancelled, in-force, annulled, superseded or terminated records revert NotaryWrongState."""

    def rejected(rid: bytes, party: str, intent: Intent, status: Status) -> None:
        with pytest.raises(errors.NotaryWrongStateError) as exc:
            world.act(rid, party, intent, reason="out of turn")
        assert revert_args(exc.value) == {"recordId": rid, "status": int(status)}

    cancelled = world.notarise(digest("cancel me"))
    world.act(cancelled, "FRA", Intent.CANCELLATION, reason="withdrawn draft")
    rejected(cancelled, "SGP", Intent.SIGNATURE, Status.CANCELLED)

    in_force = world.notarise(digest("in force"), parties=("FRA", "SGP", "DEU"), quorum=2, ratification=True)
    world.act(in_force, "SGP")
    world.act(in_force, "FRA", Intent.RATIFICATION)
    world.act(in_force, "SGP", Intent.RATIFICATION)
    rejected(in_force, "DEU", Intent.RATIFICATION, Status.IN_FORCE)

    annulled = executed(world, "annulled")
    world.act(annulled, "FRA", Intent.ANNULMENT, reason="a")
    world.act(annulled, "SGP", Intent.ANNULMENT, reason="b")
    rejected(annulled, "SGP", Intent.WITHDRAWAL, Status.ANNULLED)

    old = executed(world, "superseded")
    world.act(world.notarise(digest("amendment"), supersedes=old), "SGP")
    rejected(old, "SGP", Intent.ANNULMENT, Status.SUPERSEDED)

    terminated = executed(world, "terminated")
    world.act(terminated, "FRA", Intent.WITHDRAWAL, reason="denounced")
    rejected(terminated, "SGP", Intent.ANNULMENT, Status.TERMINATED)


def test_invalid_intent(world: World) -> None:
    """Intent 9 (raw call) and a ratification not required both revert NotaryInvalidIntent(intent)."""
    rid = executed(world, "no ratification")
    key, a = world.signers["SGP"], act_payload(world, rid, "SGP", intent=9)
    with pytest.raises(errors.NotaryInvalidIntentError) as exc:
        world.gw.act(world.relayer, a, key.address, eip712.sign(a, world.gw.domain, key.key))
    assert revert_args(exc.value) == {"intent": 9}
    with pytest.raises(errors.NotaryInvalidIntentError) as exc:
        world.act(rid, "SGP", Intent.RATIFICATION)
    assert revert_args(exc.value) == {"intent": int(Intent.RATIFICATION)}


def test_not_submitter(world: World) -> None:
    """A required party other than the submitter cancelling reverts NotaryNotSubmitter(record, party)."""
    rid = world.notarise(digest("theirs"), parties=("FRA", "SGP", "DEU"), quorum=3)
    with pytest.raises(errors.NotaryNotSubmitterError) as exc:
        world.act(rid, "SGP", Intent.CANCELLATION, reason="not mine to cancel")
    assert revert_args(exc.value) == {"recordId": rid, "party": code("SGP")}


def test_already_cosigned(world: World) -> None:
    """Cancelling after another party signed reverts NotaryAlreadyCosigned(record)."""
    rid = world.notarise(digest("cosigned"), parties=("FRA", "SGP", "DEU"), quorum=3)
    world.act(rid, "DEU")
    with pytest.raises(errors.NotaryAlreadyCosignedError) as exc:
        world.act(rid, "FRA", Intent.CANCELLATION, reason="too late")
    assert revert_args(exc.value) == {"recordId": rid}
    assert world.gw.record(rid).status is Status.OPEN


def test_anchor_reverts(world: World) -> None:
    """Anchors: zero root, count 0, same root twice and unknown ids revert with their typed errors."""
    key = world.signers["FRA"]
    with pytest.raises(errors.NotaryZeroDigestError):
        submit(world, anchor_payload(world, bytes(32)), key)
    with pytest.raises(errors.NotaryEmptyBatchError) as exc:
        submit(world, anchor_payload(world, digest("root"), count=0), key)
    assert exc.value.args_by_name == {}
    submit(world, anchor_payload(world, digest("root"), count=3), key)
    aid = anchor_id(digest("root"), code("FRA"))
    with pytest.raises(errors.NotaryDuplicateAnchorError) as exc:
        submit(world, anchor_payload(world, digest("root"), count=4), key)
    assert revert_args(exc.value) == {"anchorId": aid}
    unknown = anchor_id(digest("root"), code("SGP"))
    with pytest.raises(errors.NotaryUnknownAnchorError) as exc:
        world.gw.batch(unknown)
    assert revert_args(exc.value) == {"anchorId": unknown}
    with pytest.raises(errors.NotaryUnknownAnchorError) as exc:
        world.gw.verify_inclusion(unknown, digest("doc"), [])
    assert revert_args(exc.value) == {"anchorId": unknown}


def test_submit_rejects_payload_signed_for_another_domain(world: World) -> None:
    """ledger.submit refuses a payload signed for another chain/ledger before sending anything."""
    n = world.notarisation(digest("elsewhere"))
    other = eip712.Domain(world.gw.domain.chain_id + 1, world.gw.domain.verifying_contract)
    signed = ledger.sign(n, other, world.signers["FRA"])
    before = world.chain.block_number()
    with pytest.raises(errors.WrongDomainError):
        ledger.submit(world.gw, world.relayer, signed)
    assert world.chain.block_number() == before
    assert world.gw.records_of_digest(n.digest) == []
    rid, _ = notarise_tx(world, n.digest)
    assert world.gw.records_of_digest(n.digest) == [rid]
