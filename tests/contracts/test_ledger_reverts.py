"""NotaryLedger reverts (protocol v2): each custom error surfaces as its typed exception with its
arguments, and the stored record is unchanged."""

from __future__ import annotations

import pytest
from contract_helpers import (
    act_payload,
    anchor_payload,
    block_time,
    code,
    digest,
    new_account,
    notarise_tx,
    pending_time,
    raw_notarisation,
    revert_args,
    reverts,
    revoke,
    statuses,
    stored,
    submit,
    void,
)

from notary import eip712, errors, ledger
from notary.chain import tx
from notary.chain.gateway import NO_TERMS, contract_args, terms_args
from notary.models import Intent, Notarisation, Status, Terms, anchor_id, record_id
from notary.testing import World


def executed(world: World, label: str, **kwargs) -> bytes:
    """A record FRA + SGP (quorum 2) that both signed: EXECUTED."""
    rid = world.notarise(digest(label), **kwargs)
    world.act(rid, "SGP")
    return rid


def notarise_raw(world: World, n: Notarisation, superseded: Terms = NO_TERMS, key=None):
    """notarise with any `superseded` terms (the gateway would fetch the real ones)."""
    key = key or world.signers[bytes(n.party).rstrip(b"\0").decode()]
    sig = eip712.sign(n, world.gw.domain, key.key)
    fn = world.gw.ledger.functions.notarise(contract_args(n), terms_args(superseded), key.address, sig)
    return tx.send(world.chain, fn, world.relayer)


def void_raw(world: World, terms: Terms, history, party: str, intent: Intent):
    """voidAct with any history (the gateway would rebuild the real one from events)."""
    rows = [(e.party, e.intent, e.signer, e.time) for e in history]
    fn = world.gw.ledger.functions.voidAct(terms_args(terms), rows, code(party), int(intent))
    return tx.send(world.chain, fn, world.relayer)


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
    """Acting on, voiding, refreshing, reading or superseding an unknown record reverts NotaryUnknownRecord(id)."""
    n = raw_notarisation(world, digest("nothing"), parties=[code("FRA"), code("SGP")], quorum=2)
    rid = record_id(n.digest, code("FRA"))
    with reverts("NotaryUnknownRecord", recordId=rid):
        submit(world, act_payload(world, n.terms, "SGP"), world.signers["SGP"])
    with reverts("NotaryUnknownRecord", recordId=rid):
        void_raw(world, n.terms, [], "SGP", Intent.SIGNATURE)
    with reverts("NotaryUnknownRecord", recordId=rid):
        world.gw.refresh(world.relayer, n.terms)
    with reverts("NotaryUnknownRecord", recordId=rid):
        world.gw.record(rid)
    amendment = raw_notarisation(world, digest("amendment"), parties=n.parties, quorum=2, supersedes=rid)
    with reverts("NotaryUnknownRecord", recordId=rid):
        notarise_raw(world, amendment, n.terms)
    assert world.gw.records_of_digest(amendment.digest) == []


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
    with reverts("NotaryPartyNotRequired", recordId=old, party=code("DEU")):
        world.notarise(digest("DEU amends"), "DEU", parties=("FRA", "SGP", "DEU"), supersedes=old)
    with reverts("NotaryPartyNotRequired", recordId=rid, party=code("DEU")):
        void(world, rid, "DEU", Intent.SIGNATURE)


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
    """Acts on cancelled, in-force, annulled, superseded, terminated or void records revert NotaryWrongState."""

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
    rejected(in_force, "FRA", Intent.CANCELLATION, Status.IN_FORCE)

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

    void_record = world.notarise(digest("void"))
    revoke(world, "FRA", world.signers["FRA"], world.gw.record(void_record).created_at)
    void(world, void_record, "FRA", Intent.SIGNATURE)
    rejected(void_record, "SGP", Intent.SIGNATURE, Status.VOID)
    with reverts("NotaryWrongState", recordId=void_record, status=int(Status.VOID)):
        void(world, void_record, "FRA", Intent.SIGNATURE)
    with reverts("NotaryWrongState", recordId=void_record, status=int(Status.VOID)):
        world.gw.refresh(world.relayer, world.gw.terms(void_record))


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
    """Anchors: zero root, the same valid root twice and unknown ids revert with their typed errors."""
    key = world.signers["FRA"]
    with reverts("NotaryZeroDigest"):
        submit(world, anchor_payload(world, bytes(32)), key)
    first = submit(world, anchor_payload(world, digest("root")), key)
    aid = anchor_id(digest("root"), code("FRA"))
    with reverts("NotaryDuplicateAnchor", anchorId=aid):
        submit(world, anchor_payload(world, digest("root"), metadata_hash=digest("other metadata")), key)
    assert tuple(tx.call(world.gw.ledger.functions.batch(aid))) == (key.address, block_time(world, first))
    unknown = anchor_id(digest("root"), code("SGP"))
    with reverts("NotaryUnknownAnchor", anchorId=unknown):
        tx.call(world.gw.ledger.functions.batch(unknown))
    with reverts("NotaryUnknownAnchor", anchorId=unknown):
        world.gw.verify_inclusion(unknown, digest("doc"), [])
    assert tx.call(world.gw.ledger.functions.batchValid(digest("root"), code("SGP"))) is False


def test_anchor_by_compromised_key_may_be_anchored_again(world: World) -> None:
    """A batch whose key is since declared compromised from its time is invalid and may be anchored
    again by the party's new key; the stored signer and time are the new ones."""
    root, aid = digest("batch root"), anchor_id(digest("batch root"), code("FRA"))
    stolen = world.signers["FRA"]
    first = submit(world, anchor_payload(world, root), stolen)
    fn = world.gw.ledger.functions
    assert tx.call(fn.batchValid(root, code("FRA"))) is True
    revoke(world, "FRA", stolen, block_time(world, first))
    assert tx.call(fn.batchValid(root, code("FRA"))) is False
    with reverts("NotaryUnauthorisedSigner", party=code("FRA"), signer=stolen.address, time=pending_time(world)):
        submit(world, anchor_payload(world, root), stolen)
    fresh = new_account(world, fund=False)
    world.gw.add_signer(world.controllers["FRA"], code("FRA"), fresh.address, 0, 2**63)
    again = submit(world, anchor_payload(world, root), fresh)
    assert tuple(tx.call(fn.batch(aid))) == (fresh.address, block_time(world, again))
    assert tx.call(fn.batchValid(root, code("FRA"))) is True
    with reverts("NotaryDuplicateAnchor", anchorId=aid):
        submit(world, anchor_payload(world, root), fresh)


# ------------------------------------------------------------------ v2: terms, amendments, voids


def test_terms_mismatch(world: World) -> None:
    """Acting on, voiding, refreshing or amending a record with terms other than its own reverts
    NotaryTermsMismatch(record, hash of the terms given); the stored record is unchanged."""
    rid = world.notarise(digest("the real terms"))
    before = stored(world, rid)
    real = world.gw.terms(rid)
    altered = Terms(**{**real.__dict__, "quorum": 1})  # same digest and submitter: same record id
    assert altered.record_id == rid
    bad = eip712.terms_hash(altered)
    with reverts("NotaryTermsMismatch", recordId=rid, termsHash=bad):
        submit(world, act_payload(world, altered, "SGP"), world.signers["SGP"])
    with reverts("NotaryTermsMismatch", recordId=rid, termsHash=bad):
        void_raw(world, altered, world.gw.act_history(rid), "FRA", Intent.SIGNATURE)
    with reverts("NotaryTermsMismatch", recordId=rid, termsHash=bad):
        world.gw.refresh(world.relayer, altered)
    assert stored(world, rid) == before

    old = executed(world, "old terms")
    old_terms = world.gw.terms(old)
    wrong = Terms(**{**old_terms.__dict__, "metadata_hash": digest("not the old metadata")})
    amendment = raw_notarisation(world, digest("amends"), parties=old_terms.parties, quorum=2, supersedes=old)
    with reverts("NotaryTermsMismatch", recordId=old, termsHash=eip712.terms_hash(wrong)):
        notarise_raw(world, amendment, wrong)
    notarise_raw(world, amendment, old_terms)  # with the old record's real terms it is accepted


@pytest.mark.parametrize(
    "parties",
    [("SGP", "FRA"), ("FRA",), ("FRA", "DEU"), ("FRA", "DEU", "SGP")],
    ids=["reordered", "one-left-out", "one-replaced", "one-inserted"],
)
def test_amendment_parties(world: World, parties: tuple[str, ...]) -> None:
    """An amendment not listing the old record's parties first, in order, reverts
    NotaryAmendmentParties(amendment, old) and creates nothing."""
    old = executed(world, "mou FRA-SGP")
    doc = digest("amendment")
    with reverts("NotaryAmendmentParties", recordId=record_id(doc, code("FRA")), supersedes=old):
        world.notarise(doc, parties=parties, quorum=1, supersedes=old)
    assert world.gw.records_of_digest(doc) == []
    assert world.gw.record(old).status is Status.EXECUTED
    world.notarise(doc, parties=("FRA", "SGP", "DEU"), quorum=2, supersedes=old)  # the old parties first


def test_no_such_act(world: World) -> None:
    """Voiding an act nobody recorded reverts NotaryNoSuchAct(record, party, intent)."""
    rid = world.notarise(digest("nothing to void"), parties=("FRA", "SGP", "DEU"), quorum=3)
    for party, intent in (("SGP", Intent.SIGNATURE), ("FRA", Intent.WITHDRAWAL), ("FRA", Intent.CANCELLATION)):
        with reverts("NotaryNoSuchAct", recordId=rid, party=code(party), intent=int(intent)):
            void(world, rid, party, intent)


def test_act_valid(world: World) -> None:
    """Voiding an act whose key was authorised at its time (no compromise, or one declared from a
    later time) reverts NotaryActValid(record, party, intent)."""
    rid = executed(world, "valid acts")
    before = stored(world, rid)
    with reverts("NotaryActValid", recordId=rid, party=code("SGP"), intent=0):
        void(world, rid, "SGP", Intent.SIGNATURE)
    signed_at = world.gw.record(rid).attestations[1].time
    revoke(world, "SGP", world.signers["SGP"], signed_at + 1)
    with reverts("NotaryActValid", recordId=rid, party=code("SGP"), intent=0):
        void(world, rid, "SGP", Intent.SIGNATURE)
    assert stored(world, rid) == before


def test_history_mismatch(world: World) -> None:
    """voidAct with a history that does not hash to the stored chain (an entry altered, dropped or
    added) reverts NotaryHistoryMismatch(record); the real history voids the act."""
    rid = executed(world, "history")
    terms, history = world.gw.terms(rid), world.gw.act_history(rid)
    revoke(world, "SGP", world.signers["SGP"], history[1].time)
    sgp = history[1]
    tampered = [
        [history[0], type(sgp)(sgp.party, sgp.intent, sgp.signer, sgp.time - 1)],
        [history[0], type(sgp)(sgp.party, sgp.intent, world.signers["DEU"].address, sgp.time)],
        history[1:],
        [*history, sgp],
    ]
    for rows in tampered:
        with reverts("NotaryHistoryMismatch", recordId=rid):
            void_raw(world, terms, rows, "SGP", Intent.SIGNATURE)
    assert stored(world, rid)["signed"] == 0b11
    void_raw(world, terms, history, "SGP", Intent.SIGNATURE)
    assert (stored(world, rid)["signed"], world.gw.record(rid).status) == (0b01, Status.OPEN)


def test_refresh_changes_nothing_when_nothing_changed(world: World) -> None:
    """refresh (anyone) on a settled record emits no transition and keeps the stored state, its time too
    (`updatedAt` is the time of the latest status change)."""
    rid = executed(world, "settled")
    before = stored(world, rid)
    result = world.gw.refresh(new_account(world), world.gw.terms(rid))
    after = stored(world, rid)
    assert after == before
    assert statuses(world, result) == []


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
