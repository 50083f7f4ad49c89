"""Protocol v2 against the attacks v1 could not undo: each scenario's damage is undone or refused,
the record is valid again where the honest parties want it, and nothing is left stuck.

The pattern of every recovery: the victim's controller revokes the stolen key from the time of the
theft (at most the 72 h repudiation window back on its own), anyone calls voidAct, the record's
state re-derives from the remaining acts, and the victim acts again with a new key.
"""

from __future__ import annotations

import pytest
from contract_helpers import (
    HOURS,
    WINDOW,
    ZERO32,
    act_payload,
    acts,
    add_key,
    anchor_payload,
    block_time,
    code,
    digest,
    events,
    history_hash,
    masks,
    new_account,
    notarise_tx,
    pending_time,
    reverts,
    revoke,
    statuses,
    stored,
    submit,
    supersessions,
    travel,
    void,
    voids,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from notary import eip712, ledger, merkle
from notary.chain import tx
from notary.chain.tx import TxResult
from notary.models import Intent, Notarisation, Status, anchor_id
from notary.testing import World

EXAMPLES = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def executed_mou(world: World, label: str, **kwargs) -> bytes:
    """FRA notarises, SGP co-signs (2 of 2): EXECUTED. The clock then moves an hour on, so a
    later theft is strictly after these genuine acts."""
    rid = world.notarise(digest(label), **kwargs)
    world.act(rid, "SGP")
    assert world.gw.record(rid).status is Status.EXECUTED
    travel(world, HOURS)
    return rid


def registry_events(world: World, result: TxResult, name: str) -> list[tuple]:
    return [tuple(e.values()) for e in events(world, result, getattr(world.gw.registry.events, name))]


def assert_history_consistent(world: World, rid: bytes) -> None:
    """The act history rebuilt from events hashes to the stored chain (what voidAct will check)."""
    assert stored(world, rid)["historyHash"] == history_hash(world.gw.act_history(rid))


# ------------------------------------------------------------------ (1) stolen keys, undone


def test_stolen_key_withdrawal_is_voided_and_the_record_executes_again(world: World) -> None:
    """A thief with SGP's key withdraws SGP from an executed 2-of-2 MoU (TERMINATED). SGP's controller
    revokes the key from the theft's time (within the window), anyone voids the withdrawal: the MoU
    is EXECUTED again, SGP's genuine signature still counts, and SGP's new key can act again."""
    rid = executed_mou(world, "mou")
    stolen = world.signers["SGP"]
    theft = world.act(rid, "SGP", Intent.WITHDRAWAL, reason="forged denunciation", key=stolen)
    stolen_at = block_time(world, theft)
    assert statuses(world, theft) == [(rid, Status.EXECUTED, Status.TERMINATED, stolen_at)]

    travel(world, 10 * HOURS)
    revoked = revoke(world, "SGP", stolen, stolen_at)
    assert registry_events(world, revoked, "SignerRevoked") == [
        (code("SGP"), stolen.address, stolen_at, block_time(world, revoked))
    ]
    assert registry_events(world, revoked, "BackdatedRevocationRequested") == []
    with reverts("NotaryActValid", recordId=rid, party=code("SGP"), intent=int(Intent.SIGNATURE)):
        void(world, rid, "SGP", Intent.SIGNATURE)  # signed before the theft: it stands

    result = void(world, rid, "SGP", Intent.WITHDRAWAL, sender=new_account(world))  # anyone
    now = block_time(world, result)
    assert voids(world, result) == [(rid, code("SGP"), Intent.WITHDRAWAL, stolen.address, stolen_at, now)]
    assert statuses(world, result) == [(rid, Status.TERMINATED, Status.EXECUTED, now)]
    r = world.gw.record(rid)
    assert (r.status, r.withdrawals, r.signatures, r.updated_at) == (Status.EXECUTED, 0, 2, now)
    assert [(a.intent, a.valid, a.voided) for a in r.attestations if a.party == "SGP"] == [
        (Intent.SIGNATURE, True, False),
        (Intent.WITHDRAWAL, False, True),
    ]
    assert_history_consistent(world, rid)

    fresh = add_key(world, "SGP")
    result = world.act(rid, "SGP", Intent.ANNULMENT, reason="proposed by the real SGP", key=fresh)
    assert acts(world, result)[0][1:4] == (code("SGP"), Intent.ANNULMENT, fresh.address)
    assert (world.gw.record(rid).status, masks(world, rid)["annulled"]) == (Status.EXECUTED, {"SGP"})


def test_stolen_submitter_key_cancellation_is_voided_and_the_record_reopens(world: World) -> None:
    """A thief with FRA's key cancels FRA's fresh record; once voided it is OPEN again and SGP's
    co-signature executes it."""
    rid = world.notarise(digest("fresh record"))
    travel(world, HOURS)
    stolen = world.signers["FRA"]
    theft = world.act(rid, "FRA", Intent.CANCELLATION, reason="forged", key=stolen)
    stolen_at = block_time(world, theft)
    revoke(world, "FRA", stolen, stolen_at)
    add_key(world, "FRA")

    result = void(world, rid, "FRA", Intent.CANCELLATION)
    now = block_time(world, result)
    assert voids(world, result) == [(rid, code("FRA"), Intent.CANCELLATION, stolen.address, stolen_at, now)]
    assert statuses(world, result) == [(rid, Status.CANCELLED, Status.OPEN, now)]
    assert (world.gw.record(rid).status, masks(world, rid)["signed"]) == (Status.OPEN, {"FRA"})
    result = world.act(rid, "SGP")
    assert statuses(world, result) == [(rid, Status.OPEN, Status.EXECUTED, block_time(world, result))]
    assert_history_consistent(world, rid)


def test_fake_amendment_by_stolen_keys_is_undone(world: World) -> None:
    """Thieves with FRA's and SGP's keys notarise and co-sign a fake amendment that supersedes a
    genuine treaty. Voiding the executing signature un-supersedes the treaty (EXECUTED); voiding
    the fake notarisation makes the amendment VOID."""
    treaty = executed_mou(world, "genuine treaty", kind="treaty")
    fra_key, sgp_key = world.signers["FRA"], world.signers["SGP"]
    fake, made = notarise_tx(world, digest("fake amendment"), key=fra_key, supersedes=treaty)
    cosigned = world.act(fake, "SGP", key=sgp_key)
    cosigned_at = block_time(world, cosigned)
    assert supersessions(world, cosigned) == [(treaty, fake, cosigned_at)]
    assert world.gw.record(treaty).status is Status.SUPERSEDED

    revoke(world, "SGP", sgp_key, cosigned_at)
    result = void(world, fake, "SGP", Intent.SIGNATURE)
    now = block_time(world, result)
    assert voids(world, result) == [(fake, code("SGP"), Intent.SIGNATURE, sgp_key.address, cosigned_at, now)]
    assert supersessions(world, result) == [(treaty, ZERO32, now)]
    assert statuses(world, result) == [
        (treaty, Status.SUPERSEDED, Status.EXECUTED, now),
        (fake, Status.EXECUTED, Status.OPEN, now),
    ]
    t, f = world.gw.record(treaty), world.gw.record(fake)
    assert (t.status, t.superseded_by, stored(world, treaty)["superseded"]) == (Status.EXECUTED, ZERO32, False)
    assert (f.status, f.executed, f.signatures) == (Status.OPEN, False, 1)

    revoke(world, "FRA", fra_key, block_time(world, made))
    result = void(world, fake, "FRA", Intent.SIGNATURE)
    assert statuses(world, result) == [(fake, Status.OPEN, Status.VOID, block_time(world, result))]
    assert world.gw.record(fake).status is Status.VOID
    # The treaty's genuine signatures, made before the theft, still stand.
    assert [(a.party, a.valid) for a in world.gw.record(treaty).attestations] == [("FRA", True), ("SGP", True)]
    assert world.gw.record(treaty).status is Status.EXECUTED


def test_forged_annulment_vote_is_voided(world: World) -> None:
    """FRA annuls for real; a thief adds SGP's annulment (ANNULLED). Voided, the MoU is EXECUTED with
    FRA's vote alone; SGP's new key may vote for real later."""
    rid = executed_mou(world, "mou to keep")
    world.act(rid, "FRA", Intent.ANNULMENT, reason="FRA wants out")
    stolen = world.signers["SGP"]
    theft = world.act(rid, "SGP", Intent.ANNULMENT, reason="forged", key=stolen)
    assert world.gw.record(rid).status is Status.ANNULLED
    revoke(world, "SGP", stolen, block_time(world, theft))
    result = void(world, rid, "SGP", Intent.ANNULMENT)
    now = block_time(world, result)
    assert statuses(world, result) == [(rid, Status.ANNULLED, Status.EXECUTED, now)]
    assert (world.gw.record(rid).annulments, masks(world, rid)["annulled"]) == (1, {"FRA"})
    fresh = add_key(world, "SGP")
    result = world.act(rid, "SGP", Intent.ANNULMENT, reason="agreed", key=fresh)
    assert statuses(world, result) == [(rid, Status.EXECUTED, Status.ANNULLED, block_time(world, result))]


def test_digest_notarised_by_stolen_key_is_void_then_notarised_for_real(world: World) -> None:
    """A thief with FRA's key notarises a digest FRA never meant (its record id is FRA's). Voided,
    the record is VOID; FRA then notarises the digest for real with new terms, and the old
    co-signatures, over the thief's terms, cannot be replayed on it."""
    doc = digest("text FRA never signed")
    stolen = world.signers["FRA"]
    rid, made = notarise_tx(world, doc, key=stolen, parties=("FRA", "SGP"), quorum=2)
    old_terms = world.gw.terms(rid)
    sgp_act = act_payload(world, rid, "SGP")
    sgp_sig = eip712.sign(sgp_act, world.gw.domain, world.signers["SGP"].key)
    revoke(world, "FRA", stolen, block_time(world, made))
    with reverts("NotaryDuplicateRecord", recordId=rid):  # not void yet: nobody can notarise it
        notarise_tx(world, doc, key=add_key(world, "FRA"))

    result = void(world, rid, "FRA", Intent.SIGNATURE)
    now = block_time(world, result)
    assert voids(world, result) == [(rid, code("FRA"), Intent.SIGNATURE, stolen.address, block_time(world, made), now)]
    assert statuses(world, result) == [(rid, Status.OPEN, Status.VOID, now)]
    assert (stored(world, rid)["status"], stored(world, rid)["signed"]) == (Status.VOID, 0)
    with reverts("NotaryWrongState", recordId=rid, status=int(Status.VOID)):
        world.gw.act(world.relayer, sgp_act, world.signers["SGP"].address, sgp_sig)

    again, result = notarise_tx(world, doc, parties=("FRA", "SGP", "DEU"), quorum=2, kind="treaty")
    now = block_time(world, result)
    assert again == rid
    assert statuses(world, result) == [(rid, Status.VOID, Status.OPEN, now)]
    new_terms = world.gw.terms(rid)
    assert new_terms != old_terms and len(world.gw.notarised_logs(rid)) == 2
    assert [(e.party, e.intent, e.signer) for e in world.gw.act_history(rid)] == [
        (code("FRA"), 0, world.signers["FRA"].address)
    ]
    assert_history_consistent(world, rid)
    r = world.gw.record(rid)
    assert (r.status, r.parties, r.kind, r.signatures) == (Status.OPEN, ("FRA", "SGP", "DEU"), "treaty", 1)
    assert [(a.party, a.signer) for a in r.attestations] == [("FRA", world.signers["FRA"].address)]

    with reverts("NotaryTermsMismatch", recordId=rid, termsHash=eip712.terms_hash(old_terms)):
        world.gw.act(world.relayer, sgp_act, world.signers["SGP"].address, sgp_sig)
    result = world.act(rid, "SGP")
    assert statuses(world, result) == [(rid, Status.OPEN, Status.EXECUTED, block_time(world, result))]


# ------------------------------------------------------------------ (2) re-signing after a compromise


def test_party_resigns_with_new_key_after_declaring_compromise(world: World) -> None:
    """SGP declares the key that co-signed compromised from that signature; voided, the MoU is OPEN;
    SGP re-signs with a new key and the record verifies (EXECUTED) again."""
    rid = world.notarise(digest("mou"))
    old_key = world.signers["SGP"]
    signed = world.act(rid, "SGP")
    revoke(world, "SGP", old_key, block_time(world, signed))
    assert [(a.party, a.valid) for a in world.gw.record(rid).attestations] == [("FRA", True), ("SGP", False)]
    with reverts("NotaryAlreadyAttested", recordId=rid, party=code("SGP"), intent=0):
        world.act(rid, "SGP", key=add_key(world, "SGP"))  # the old act stands until voided

    result = void(world, rid, "SGP", Intent.SIGNATURE)
    assert statuses(world, result) == [(rid, Status.EXECUTED, Status.OPEN, block_time(world, result))]
    result = world.act(rid, "SGP")
    now = block_time(world, result)
    assert acts(world, result) == [(rid, code("SGP"), Intent.SIGNATURE, world.signers["SGP"].address, "", now)]
    assert statuses(world, result) == [(rid, Status.OPEN, Status.EXECUTED, now)]
    r = world.gw.record(rid)
    assert (r.status, r.signatures) == (Status.EXECUTED, 2)
    assert [(a.party, a.signer == old_key.address, a.valid, a.voided) for a in r.attestations] == [
        ("FRA", False, True, False),
        ("SGP", True, False, True),
        ("SGP", False, True, False),
    ]
    assert_history_consistent(world, rid)


# ------------------------------------------------------------------ (3) the repudiation window


def test_backdating_beyond_the_window_needs_the_depositary(world: World) -> None:
    """100 h after SGP signed, SGP's controller revokes the key "from time 1": it is revoked from
    now - 72 h at once (the thief's recent annulment is void), the rest awaits the depositary;
    the old signature stays valid until the depositary confirms."""
    rid = world.notarise(digest("old treaty"), parties=("FRA", "SGP", "DEU"), quorum=2)
    key = world.signers["SGP"]
    signed = world.act(rid, "SGP")
    signed_at = block_time(world, signed)
    travel(world, 100 * HOURS)
    theft = world.act(rid, "SGP", Intent.ANNULMENT, reason="forged", key=key)
    theft_at = block_time(world, theft)

    requested = revoke(world, "SGP", key, 1)
    now = block_time(world, requested)
    assert registry_events(world, requested, "BackdatedRevocationRequested") == [(code("SGP"), key.address, 1, now)]
    assert registry_events(world, requested, "SignerRevoked") == [(code("SGP"), key.address, now - WINDOW, now)]
    assert world.gw.signer_key(code("SGP"), key.address).revoked_at == now - WINDOW
    assert world.gw.pending_revocation(code("SGP"), key.address) == 1
    assert now - WINDOW < theft_at and signed_at < now - WINDOW

    void(world, rid, "SGP", Intent.ANNULMENT)  # within the window: void at once
    with reverts("NotaryActValid", recordId=rid, party=code("SGP"), intent=0):
        void(world, rid, "SGP", Intent.SIGNATURE)
    assert world.gw.record(rid).status is Status.EXECUTED
    assert [a.valid for a in world.gw.record(rid).attestations if a.intent is Intent.SIGNATURE] == [True, True]
    with reverts("OwnableUnauthorizedAccount", account=world.controllers["SGP"].address):
        world.gw.confirm_revocation(world.controllers["SGP"], code("SGP"), key.address)

    confirmed = world.gw.confirm_revocation(world.depositary, code("SGP"), key.address)
    at = block_time(world, confirmed)
    assert registry_events(world, confirmed, "BackdatedRevocationConfirmed") == [(code("SGP"), key.address, 1, at)]
    assert registry_events(world, confirmed, "SignerRevoked") == [(code("SGP"), key.address, 1, at)]
    assert world.gw.pending_revocation(code("SGP"), key.address) == 0
    result = void(world, rid, "SGP", Intent.SIGNATURE)
    assert statuses(world, result) == [(rid, Status.EXECUTED, Status.OPEN, block_time(world, result))]
    with reverts("RegistryNoPendingRevocation", code=code("SGP"), key=key.address):
        world.gw.confirm_revocation(world.depositary, code("SGP"), key.address)


# ------------------------------------------------------------------ (4) consent bound to the terms


def test_cosignature_cannot_be_reused_for_other_terms(world: World) -> None:
    """SGP's co-signature of FRA's new MoU signs the MoU's full terms. Relayed for an amendment it
    recovers to another address (NotaryInvalidSignature); relayed with altered terms of the same
    record the stored terms hash does not match, checked before any signature (NotaryTermsMismatch);
    relayed as another intent it is again NotaryInvalidSignature. With the real terms it executes."""
    old = executed_mou(world, "older mou")
    rid = world.notarise(digest("new mou"))
    key = world.signers["SGP"]
    genuine = act_payload(world, rid, "SGP")
    signature = eip712.sign(genuine, world.gw.domain, key.key)

    amendment = world.notarise(digest("amendment"), supersedes=old)
    on_amendment = act_payload(world, amendment, "SGP", deadline=genuine.deadline)
    assert eip712.signing_hash(on_amendment, world.gw.domain) != eip712.signing_hash(genuine, world.gw.domain)
    with reverts("NotaryInvalidSignature", party=code("SGP"), signer=key.address):
        world.gw.act(world.relayer, on_amendment, key.address, signature)

    t = genuine.terms
    altered = type(genuine)(type(t)(**{**t.__dict__, "quorum": 1}), genuine.party, genuine.intent, "", genuine.deadline)
    with reverts("NotaryTermsMismatch", recordId=rid, termsHash=eip712.terms_hash(altered.terms)):
        world.gw.act(world.relayer, altered, key.address, signature)

    as_annulment = type(genuine)(t, genuine.party, Intent.ANNULMENT, "", genuine.deadline)
    with reverts("NotaryInvalidSignature", party=code("SGP"), signer=key.address):
        world.gw.act(world.relayer, as_annulment, key.address, signature)

    assert (world.gw.record(rid).status, world.gw.record(amendment).status) == (Status.OPEN, Status.OPEN)
    world.gw.act(world.relayer, genuine, key.address, signature)
    assert world.gw.record(rid).status is Status.EXECUTED


# ------------------------------------------------------------------ (5) only bound parties count


def test_annulment_by_withdrawn_party_no_longer_counts(world: World) -> None:
    """2 of 3, all signed: FRA annuls then withdraws; SGP's annulment alone does not annul (FRA's vote
    no longer counts); DEU's makes the quorum."""
    rid = world.notarise(digest("trilateral"), parties=("FRA", "SGP", "DEU"), quorum=2)
    world.act(rid, "SGP")
    world.act(rid, "DEU")
    world.act(rid, "FRA", Intent.ANNULMENT, reason="FRA wants out")
    world.act(rid, "FRA", Intent.WITHDRAWAL, reason="FRA leaves")
    result = world.act(rid, "SGP", Intent.ANNULMENT, reason="SGP agrees")
    assert statuses(world, result) == []
    r = world.gw.record(rid)
    assert (r.status, r.annulments, masks(world, rid)["annulled"]) == (Status.EXECUTED, 1, {"FRA", "SGP"})
    with reverts("NotaryAlreadyAttested", recordId=rid, party=code("FRA"), intent=int(Intent.ANNULMENT)):
        world.act(rid, "FRA", Intent.ANNULMENT, reason="again")
    result = world.act(rid, "DEU", Intent.ANNULMENT, reason="DEU agrees")
    assert statuses(world, result) == [(rid, Status.EXECUTED, Status.ANNULLED, block_time(world, result))]


def test_ratification_by_withdrawn_party_no_longer_counts(world: World) -> None:
    """The same for ratification: FRA ratifies then withdraws; SGP's ratification alone does not
    bring the 2-of-3 into force; DEU's does."""
    rid = world.notarise(digest("trilateral"), parties=("FRA", "SGP", "DEU"), quorum=2, ratification=True)
    world.act(rid, "SGP")
    world.act(rid, "DEU")
    world.act(rid, "FRA", Intent.RATIFICATION)
    world.act(rid, "FRA", Intent.WITHDRAWAL, reason="FRA leaves")
    result = world.act(rid, "SGP", Intent.RATIFICATION)
    assert statuses(world, result) == []
    assert (world.gw.record(rid).status, world.gw.record(rid).ratifications) == (Status.EXECUTED, 1)
    result = world.act(rid, "DEU", Intent.RATIFICATION)
    assert statuses(world, result) == [(rid, Status.EXECUTED, Status.IN_FORCE, block_time(world, result))]
    with reverts("NotaryNotSignatory", recordId=rid, party=code("FRA")):
        world.act(rid, "FRA", Intent.ANNULMENT, reason="not bound any more")


# ------------------------------------------------------------------ (6) accession during an amendment


def test_accession_after_amendment_created_then_amendment_executes(world: World) -> None:
    """DEU accedes to the old record after the amendment was notarised: the amendment, quorate with
    SGP, waits for DEU's signature and then executes."""
    old = world.notarise(digest("treaty"), parties=("FRA", "SGP", "DEU"), quorum=2)
    world.act(old, "SGP")
    new = world.notarise(digest("treaty v2"), parties=("FRA", "SGP", "DEU"), quorum=2, supersedes=old)
    world.act(old, "DEU")  # accession: DEU is now bound by the old record
    result = world.act(new, "SGP")
    assert (statuses(world, result), world.gw.record(new).status) == ([], Status.OPEN)
    result = world.act(new, "DEU")
    now = block_time(world, result)
    assert statuses(world, result) == [
        (old, Status.EXECUTED, Status.SUPERSEDED, now),
        (new, Status.OPEN, Status.EXECUTED, now),
    ]
    assert world.gw.record(old).superseded_by == new


def test_amendment_waiting_for_accession_can_be_cancelled(world: World) -> None:
    """If DEU, who acceded, never signs the amendment, FRA (its submitter) cancels it though SGP
    co-signed: nothing is stuck, the old record stays EXECUTED."""
    old = world.notarise(digest("treaty"), parties=("FRA", "SGP", "DEU"), quorum=2)
    world.act(old, "SGP")
    new = world.notarise(digest("treaty v2"), parties=("FRA", "SGP", "DEU"), quorum=2, supersedes=old)
    world.act(old, "DEU")
    world.act(new, "SGP")
    result = world.act(new, "FRA", Intent.CANCELLATION, reason="DEU will not sign")
    assert statuses(world, result) == [(new, Status.OPEN, Status.CANCELLED, block_time(world, result))]
    assert (world.gw.record(new).status, world.gw.record(old).status) == (Status.CANCELLED, Status.EXECUTED)
    assert world.gw.record(old).superseded_by == ZERO32


# ------------------------------------------------------------------ (7) signed payloads in the events


def test_act_recorded_carries_what_recovers_its_signer(world: World) -> None:
    """Every ActRecorded (the submitter's notarisation included) carries the payload's deadline and
    signature: ledger.payload_of_act over the record's terms and eip712.recover_signer give the
    signer back, for every intent. After a void and re-notarisation, acts before the latest
    RecordNotarised recover over the old terms."""
    doc = digest("audited treaty")
    stolen = world.signers["FRA"]
    rid, made = notarise_tx(world, doc, key=stolen, parties=("FRA", "SGP", "DEU"), quorum=2, kind="thief")
    thief_terms = world.gw.terms(rid)
    revoke(world, "FRA", stolen, block_time(world, made))
    void(world, rid, "FRA", Intent.SIGNATURE)
    add_key(world, "FRA")
    world.notarise(doc, parties=("FRA", "SGP", "DEU"), quorum=2, ratification=True)
    world.act(rid, "SGP")
    world.act(rid, "FRA", Intent.RATIFICATION)
    world.act(rid, "SGP", Intent.ANNULMENT, reason="annul")
    world.act(rid, "DEU")
    world.act(rid, "DEU", Intent.WITHDRAWAL, reason="leave")
    cancelled = world.notarise(digest("draft"), "SGP", parties=("SGP", "FRA"))
    world.act(cancelled, "SGP", Intent.CANCELLATION, reason="draft")

    seen = set()
    for record in (rid, cancelled):
        notarised = world.gw.notarised_logs(record)
        for log in world.gw.act_logs(record):
            n = max((x for x in notarised if (x["blockNumber"], x["logIndex"]) < (log["blockNumber"], log["logIndex"])),
                    key=lambda x: (x["blockNumber"], x["logIndex"]))  # fmt: skip
            terms = world.gw.terms(record) if n is notarised[-1] else _terms_of_log(n)
            payload = ledger.payload_of_act(
                terms, bytes(log["party"]), Intent(log["intent"]), log["reason"], log["deadline"]
            )
            assert eip712.recover_signer(payload, world.gw.domain, bytes(log["signature"])) == log["signer"]
            assert log["deadline"] >= log["time"]
            seen.add((type(payload).__name__, Intent(log["intent"])))
    assert seen == {("Notarisation", Intent.SIGNATURE), ("Act", Intent.SIGNATURE)} | {
        ("Act", i) for i in (Intent.RATIFICATION, Intent.ANNULMENT, Intent.WITHDRAWAL, Intent.CANCELLATION)
    }
    first = world.gw.act_logs(rid)[0]
    assert first["signer"] == stolen.address  # the void notarisation, over the thief's terms
    assert thief_terms != world.gw.terms(rid)
    assert eip712.recover_signer(
        Notarisation.of(thief_terms, first["deadline"]), world.gw.domain, first["signature"]
    ) == (stolen.address)


def _terms_of_log(log):
    from notary.models import Terms

    return Terms(
        bytes(log["digest"]), bytes(log["hashAlgorithm"]), bytes(log["kind"]), bytes(log["party"]),
        tuple(bytes(p) for p in log["parties"]), int(log["quorum"]), bytes(log["supersedes"]),
        bytes(log["metadataHash"]), bool(log["ratificationRequired"]),
    )  # fmt: skip


# ------------------------------------------------------------------ (8) batches


@pytest.fixture
def anchored(world: World):
    """A batch of 5 digests (proofs of 2 and 3 steps) anchored by FRA."""
    docs = [digest(f"certificate {i}") for i in range(5)]
    tree = merkle.MerkleTree(docs)
    result = submit(world, anchor_payload(world, tree.root), world.signers["FRA"])
    return docs, tree, result


def test_anchored_batch_carries_no_count(world: World, anchored) -> None:
    """BatchAnchored carries no count and no time (the block's time is the anchor's), and the
    stored batch is (signer, time)."""
    docs, tree, result = anchored
    aid, signer = anchor_id(tree.root, code("FRA")), world.signers["FRA"].address
    [event] = events(world, result, world.gw.ledger.events.BatchAnchored)
    assert set(event) == {
        "anchorId",
        "party",
        "root",
        "hashAlgorithm",
        "metadataHash",
        "signer",
        "deadline",
        "signature",
    }
    assert (event["anchorId"], event["root"], event["signer"]) == (aid, tree.root, signer)
    payload = anchor_payload(world, tree.root, deadline=event["deadline"])
    assert eip712.recover_signer(payload, world.gw.domain, bytes(event["signature"])) == signer
    assert tuple(tx.call(world.gw.ledger.functions.batch(aid))) == (signer, block_time(world, result))
    assert {len(tree.proof(i)) for i in range(len(docs))} == {2, 3}


@EXAMPLES
@given(
    doc_index=st.integers(0, 5),
    edits=st.lists(
        st.one_of(
            st.tuples(st.just("append"), st.integers(0, 8)),
            st.tuples(st.just("drop"), st.integers(0, 3)),
            st.tuples(st.just("replace"), st.integers(0, 3), st.integers(0, 8)),
        ),
        max_size=3,
    ),
)
def test_proofs_are_checked_alike_on_and_off_chain(world: World, anchored, doc_index: int, edits) -> None:
    """verifyInclusion and notary.merkle.verify agree on every (digest, proof), whatever its length:
    the proofs of members, proofs with nodes dropped, added or replaced, internal nodes as digests."""
    docs, tree, _ = anchored
    aid = anchor_id(tree.root, code("FRA"))
    pool = tree.nodes + [digest("stranger")]
    doc = docs[doc_index] if doc_index < len(docs) else digest("not a member")
    proof = tree.proof(doc_index) if doc_index < len(docs) else tree.proof(0)
    for edit in edits:
        if edit[0] == "append":
            proof = [*proof, pool[edit[1] % len(pool)]]
        elif edit[0] == "drop" and proof:
            del proof[edit[1] % len(proof)]
        elif edit[0] == "replace" and proof:
            proof[edit[1] % len(proof)] = pool[edit[2] % len(pool)]
    off_chain = merkle.verify(doc, proof, tree.root)
    assert world.gw.verify_inclusion(aid, doc, proof) is off_chain
    assert off_chain is (doc_index < len(docs) and proof == tree.proof(doc_index))
    for node in tree.nodes[1:]:  # an internal node or a leaf hash is not a member digest
        assert world.gw.verify_inclusion(aid, node, []) is merkle.verify(node, [], tree.root) is False


# ------------------------------------------------------------------ contract bugs found (fixed)


def test_voiding_a_cancellation_nobody_else_made_is_no_such_act(world: World) -> None:
    """On a cancelled record, voiding SGP's cancellation (SGP never cancelled) reverts NotaryNoSuchAct."""
    rid = world.notarise(digest("cancelled"))
    world.act(rid, "FRA", Intent.CANCELLATION, reason="draft")
    with reverts("NotaryNoSuchAct", recordId=rid, party=code("SGP"), intent=int(Intent.CANCELLATION)):
        void(world, rid, "SGP", Intent.CANCELLATION)


def test_stolen_cosignature_on_cancelled_amendment_can_be_voided(world: World) -> None:
    """A thief co-signs an amendment as DEU, FRA cancels the amendment; DEU's signature can still be voided."""
    old = executed_mou(world, "treaty")
    amendment = world.notarise(digest("amendment"), parties=("FRA", "SGP", "DEU"), quorum=3, supersedes=old)
    theft = world.act(amendment, "DEU", key=world.signers["DEU"])
    world.act(amendment, "FRA", Intent.CANCELLATION, reason="suspicious")
    revoke(world, "DEU", world.signers["DEU"], block_time(world, theft))
    void(world, amendment, "DEU", Intent.SIGNATURE)
    assert masks(world, amendment)["signed"] == {"FRA"}


def test_renotarised_record_is_not_superseded_by_the_old_amendment(world: World) -> None:
    """X executed and superseded by amendment A; X's notarisation is voided (stolen key) and FRA
    notarises X's digest again: the new X reports no superseding record."""
    stolen = world.signers["FRA"]
    x, made = notarise_tx(world, digest("X"), key=stolen)
    world.act(x, "SGP")
    travel(world, HOURS)
    add_key(world, "FRA")
    a = world.notarise(digest("A"), supersedes=x)
    world.act(a, "SGP")
    revoke(world, "FRA", stolen, block_time(world, made))
    void(world, x, "FRA", Intent.SIGNATURE)
    # A void record never was: nothing supersedes it, and the amendment is open again (cancellable).
    assert (world.gw.record(x).status, world.gw.record(x).superseded_by) == (Status.VOID, ZERO32)
    assert world.gw.record(a).status is Status.OPEN
    world.notarise(digest("X"), parties=("FRA", "DEU"), quorum=2)
    assert stored(world, x)["superseded"] is False
    assert stored(world, x)["supersededBy"] == ZERO32


def test_amendment_for_void_terms_cannot_supersede_the_renotarised_record(world: World) -> None:
    """Amendment A, fully signed for X's (thief's) terms and waiting for DEU, must not supersede X
    notarised again with new terms when a stranger calls refresh(A): nobody consented to that."""
    stolen = world.signers["FRA"]
    parties = ("FRA", "SGP", "DEU")
    x, made = notarise_tx(world, digest("X"), key=stolen, parties=parties, quorum=2, metadata={"title": "thief's"})
    world.act(x, "SGP")
    world.act(x, "DEU")  # DEU accedes: A needs DEU's consent, so it waits
    travel(world, HOURS)
    add_key(world, "FRA")
    a = world.notarise(digest("A"), parties=parties, quorum=2, supersedes=x)
    world.act(a, "SGP")
    assert world.gw.record(a).status is Status.OPEN
    revoke(world, "FRA", stolen, block_time(world, made))
    void(world, x, "FRA", Intent.SIGNATURE)
    world.notarise(digest("X"), parties=parties, quorum=2, metadata={"title": "the real text"})
    world.act(x, "SGP")  # DEU has not (yet) signed the real X
    assert world.gw.record(x).status is Status.EXECUTED
    world.gw.refresh(new_account(world), world.gw.terms(a))
    assert (world.gw.record(x).status, world.gw.record(a).status) == (Status.EXECUTED, Status.OPEN)


def test_stolen_key_act_is_authorised_until_declared(world: World) -> None:
    """Until the controller declares the compromise, the thief's act is valid on and off chain
    (voidAct refuses it): v2 undoes damage only after the victim's controller speaks."""
    rid = executed_mou(world, "mou")
    theft = world.act(rid, "SGP", Intent.WITHDRAWAL, reason="forged")
    with reverts("NotaryActValid", recordId=rid, party=code("SGP"), intent=int(Intent.WITHDRAWAL)):
        void(world, rid, "SGP", Intent.WITHDRAWAL)
    assert world.gw.record(rid).attestations[-1].valid is True
    assert pending_time(world) > block_time(world, theft)
