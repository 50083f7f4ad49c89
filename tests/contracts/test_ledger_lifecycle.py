"""NotaryLedger lifecycle (protocol v2): every transition, its events and the stored record."""

from __future__ import annotations

from contract_helpers import (
    SHA256,
    ZERO32,
    acts,
    block_time,
    code,
    digest,
    events,
    history_hash,
    masks,
    notarise_tx,
    revoke,
    statuses,
    stored,
    supersessions,
    void,
)

from notary import eip712
from notary.chain import tx
from notary.codes import kind_code
from notary.hashing import metadata_hash
from notary.models import Intent, Status, record_id
from notary.testing import World


def counts(world: World, rid: bytes) -> tuple[int, int, int, int]:
    r = world.gw.record(rid, with_attestations=False)
    return (r.signatures, r.ratifications, r.annulments, r.withdrawals)


def executed(world: World, label: str, **kwargs) -> bytes:
    """A record FRA + SGP (quorum 2) that both signed: EXECUTED."""
    rid = world.notarise(digest(label), **kwargs)
    world.act(rid, "SGP")
    assert world.gw.record(rid, with_attestations=False).status is Status.EXECUTED
    return rid


# ------------------------------------------------------------------ notarise -> OPEN


def test_notarise_opens_record_with_events_and_stored_fields(world: World) -> None:
    """notarise emits RecordNotarised (with the terms hash), FRA's signature act and None->Open, and
    stores the terms hash, the packed state and a one-entry act history."""
    doc = digest("treaty of friendship")
    meta = {"title": "Treaty of friendship", "lang": "fr"}
    rid, result = notarise_tx(world, doc, parties=("FRA", "SGP", "DEU"), quorum=3, kind="treaty", metadata=meta)
    now, signer = block_time(world, result), world.signers["FRA"].address
    fra, sgp, deu = code("FRA"), code("SGP"), code("DEU")
    terms = world.gw.terms(rid)
    assert events(world, result, world.gw.ledger.events.RecordNotarised) == [
        {
            "recordId": rid,
            "digest": doc,
            "party": fra,
            "hashAlgorithm": SHA256,
            "kind": kind_code("treaty"),
            "parties": [fra, sgp, deu],
            "quorum": 3,
            "supersedes": ZERO32,
            "metadataHash": metadata_hash(meta),
            "ratificationRequired": False,
            "termsHash": eip712.terms_hash(terms),
        }
    ]
    assert statuses(world, result) == [(rid, Status.NONE, Status.OPEN, now)]
    assert acts(world, result) == [(rid, fra, Intent.SIGNATURE, signer, "", now)]
    recorded = events(world, result, world.gw.ledger.events.ActRecorded)[0]
    assert recorded["deadline"] > now and len(recorded["signature"]) == 65

    r = world.gw.record(rid)
    assert rid == record_id(doc, fra) == tx.call(world.gw.ledger.functions.recordId(doc, fra))
    assert (r.digest, r.hash_algorithm, r.kind, r.submitter) == (doc, "sha256", "treaty", "FRA")
    assert (r.parties, r.quorum, r.metadata_hash) == (("FRA", "SGP", "DEU"), 3, metadata_hash(meta))
    assert (r.supersedes, r.superseded_by, r.ratification_required) == (ZERO32, ZERO32, False)
    assert (r.status, r.created_at, r.updated_at, r.executed) == (Status.OPEN, now, now, False)
    assert counts(world, rid) == (1, 0, 0, 0)
    assert [(a.party, a.intent, a.signer, a.time, a.valid, a.voided) for a in r.attestations] == [
        ("FRA", Intent.SIGNATURE, signer, now, True, False)
    ]
    s = stored(world, rid)
    assert s["termsHash"] == eip712.terms_hash(terms) == tx.call(world.gw.ledger.functions.hashTerms(
        (terms.digest, terms.hash_algorithm, terms.kind, terms.submitter, list(terms.parties), terms.quorum,
         terms.supersedes, terms.metadata_hash, terms.ratification_required)))  # fmt: skip
    assert (s["signed"], s["withdrawn"], s["annulled"], s["ratified"]) == (0b001, 0, 0, 0)
    assert (s["quorum"], s["partyCount"], s["executed"], s["superseded"], s["updatedAt"]) == (3, 3, False, False, now)
    assert s["historyHash"] == history_hash(world.gw.act_history(rid))
    assert [(e.party, e.intent, e.signer, e.time) for e in world.gw.act_history(rid)] == [(fra, 0, signer, now)]


def test_quorum_one_executes_immediately(world: World) -> None:
    """With quorum 1 the notarisation itself executes the record: None->Open->Executed in one tx."""
    rid, result = notarise_tx(world, digest("note verbale"), parties=("FRA", "SGP"), quorum=1)
    now = block_time(world, result)
    assert statuses(world, result) == [
        (rid, Status.NONE, Status.OPEN, now),
        (rid, Status.OPEN, Status.EXECUTED, now),
    ]
    assert (world.gw.record(rid).status, stored(world, rid)["executed"]) == (Status.EXECUTED, True)
    assert counts(world, rid) == (1, 0, 0, 0)


# ------------------------------------------------------------------ OPEN -> EXECUTED


def test_cosignature_reaching_quorum_executes(world: World) -> None:
    """SGP's co-signature reaches quorum 2: ActRecorded(SGP) and Open->Executed; updatedAt moves."""
    rid, first = notarise_tx(world, digest("bilateral mou"))
    result = world.act(rid, "SGP")
    now = block_time(world, result)
    assert acts(world, result) == [(rid, code("SGP"), Intent.SIGNATURE, world.signers["SGP"].address, "", now)]
    assert statuses(world, result) == [(rid, Status.OPEN, Status.EXECUTED, now)]
    r = world.gw.record(rid)
    assert (r.status, r.created_at, r.updated_at, r.executed) == (Status.EXECUTED, block_time(world, first), now, True)
    assert counts(world, rid) == (2, 0, 0, 0)
    assert stored(world, rid)["historyHash"] == history_hash(world.gw.act_history(rid))


def test_quorum_below_parties_executes_without_every_party(world: World) -> None:
    """Quorum 2 of 3: one signature keeps it open, the second executes it though SGP never signed."""
    rid = world.notarise(digest("trilateral"), parties=("FRA", "SGP", "DEU"), quorum=2)
    assert world.gw.record(rid).status is Status.OPEN
    result = world.act(rid, "DEU")
    assert statuses(world, result) == [(rid, Status.OPEN, Status.EXECUTED, block_time(world, result))]
    r = world.gw.record(rid)
    assert [a.party for a in r.attestations] == ["FRA", "DEU"]
    assert counts(world, rid) == (2, 0, 0, 0)
    assert masks(world, rid)["signed"] == {"FRA", "DEU"}


def test_signature_below_quorum_stays_open(world: World) -> None:
    """A co-signature short of quorum records the act but emits no StatusChanged."""
    rid = world.notarise(digest("three way"), parties=("FRA", "SGP", "DEU"), quorum=3)
    result = world.act(rid, "SGP")
    assert statuses(world, result) == []
    assert [a[1] for a in acts(world, result)] == [code("SGP")]
    assert world.gw.record(rid).status is Status.OPEN
    assert counts(world, rid) == (2, 0, 0, 0)
    assert stored(world, rid)["signed"] == 0b011


# ------------------------------------------------------------------ EXECUTED -> IN_FORCE


def test_ratification_quorum_puts_record_in_force(world: World) -> None:
    """With ratification required, the record is executed, then in force once quorum ratified."""
    rid = executed(world, "treaty to ratify", ratification=True)
    assert world.gw.record(rid).ratification_required is True
    first = world.act(rid, "FRA", Intent.RATIFICATION)
    assert statuses(world, first) == []
    assert world.gw.record(rid).status is Status.EXECUTED
    assert counts(world, rid) == (2, 1, 0, 0)

    result = world.act(rid, "SGP", Intent.RATIFICATION)
    now = block_time(world, result)
    assert acts(world, result) == [(rid, code("SGP"), Intent.RATIFICATION, world.signers["SGP"].address, "", now)]
    assert statuses(world, result) == [(rid, Status.EXECUTED, Status.IN_FORCE, now)]
    r = world.gw.record(rid)
    assert (r.status, r.updated_at) == (Status.IN_FORCE, now)
    assert counts(world, rid) == (2, 2, 0, 0)
    assert masks(world, rid)["ratified"] == {"FRA", "SGP"}
    assert [(a.party, a.intent) for a in r.attestations][-2:] == [
        ("FRA", Intent.RATIFICATION),
        ("SGP", Intent.RATIFICATION),
    ]


# ------------------------------------------------------------------ OPEN -> CANCELLED


def test_submitter_cancels_before_cosignature(world: World) -> None:
    """The submitter's cancellation (with reason) of an uncosigned record: Open->Cancelled."""
    rid = world.notarise(digest("draft"))
    result = world.act(rid, "FRA", Intent.CANCELLATION, reason="wrong annex attached")
    now = block_time(world, result)
    assert acts(world, result) == [
        (rid, code("FRA"), Intent.CANCELLATION, world.signers["FRA"].address, "wrong annex attached", now)
    ]
    assert statuses(world, result) == [(rid, Status.OPEN, Status.CANCELLED, now)]
    r = world.gw.record(rid)
    assert (r.status, r.updated_at) == (Status.CANCELLED, now)
    assert counts(world, rid) == (1, 0, 0, 0)
    assert r.attestations[-1].reason == "wrong annex attached"
    assert stored(world, rid)["historyHash"] == history_hash(world.gw.act_history(rid))


def test_amendment_submitter_cancels_after_cosignature(world: World) -> None:
    """An open amendment may be cancelled by its submitter even after a co-signature."""
    old = world.notarise(digest("treaty v1"), parties=("FRA", "SGP", "DEU"), quorum=2)
    world.act(old, "SGP")
    world.act(old, "DEU")  # DEU is bound too: the amendment needs it
    new = world.notarise(digest("treaty v2"), parties=("FRA", "SGP", "DEU"), quorum=2, supersedes=old)
    world.act(new, "SGP")
    assert world.gw.record(new).status is Status.OPEN  # quorate, but DEU has not consented
    result = world.act(new, "FRA", Intent.CANCELLATION, reason="superseded by a better draft")
    assert statuses(world, result) == [(new, Status.OPEN, Status.CANCELLED, block_time(world, result))]
    assert (world.gw.record(new).status, world.gw.record(old).status) == (Status.CANCELLED, Status.EXECUTED)


# ------------------------------------------------------------------ EXECUTED -> SUPERSEDED


def test_executed_amendment_supersedes_old_record(world: World) -> None:
    """An amendment superseding an executed record marks it SUPERSEDED when the amendment executes."""
    old = executed(world, "agreement v1")
    new, opened = notarise_tx(world, digest("agreement v2"), supersedes=old)
    assert events(world, opened, world.gw.ledger.events.RecordNotarised)[0]["supersedes"] == old
    assert world.gw.record(old).status is Status.EXECUTED  # an open amendment changes nothing

    result = world.act(new, "SGP")
    now = block_time(world, result)
    assert statuses(world, result) == [
        (old, Status.EXECUTED, Status.SUPERSEDED, now),
        (new, Status.OPEN, Status.EXECUTED, now),
    ]
    assert supersessions(world, result) == [(old, new, now)]
    o, n = world.gw.record(old), world.gw.record(new)
    assert (o.status, o.superseded_by, o.supersedes, o.updated_at) == (Status.SUPERSEDED, new, ZERO32, now)
    assert (n.status, n.supersedes, n.superseded_by, n.executed) == (Status.EXECUTED, old, ZERO32, True)
    assert (stored(world, old)["superseded"], stored(world, old)["supersededBy"]) == (True, new)


def test_amendment_supersedes_record_in_force(world: World) -> None:
    """SGP's amendment of a record in force (the old parties first, in order), once FRA co-signs it,
    supersedes that record."""
    old = executed(world, "convention v1", ratification=True)
    world.act(old, "FRA", Intent.RATIFICATION)
    world.act(old, "SGP", Intent.RATIFICATION)
    new = world.notarise(digest("convention v2"), "SGP", parties=("FRA", "SGP"), supersedes=old)
    result = world.act(new, "FRA")
    now = block_time(world, result)
    assert statuses(world, result) == [
        (old, Status.IN_FORCE, Status.SUPERSEDED, now),
        (new, Status.OPEN, Status.EXECUTED, now),
    ]
    assert (world.gw.record(old).superseded_by, world.gw.record(new).supersedes) == (new, old)


# ------------------------------------------------------------------ EXECUTED -> ANNULLED


def test_quorum_of_annulments_annuls(world: World) -> None:
    """Annulments by the quorum (2) of signatories: the first counts, the second annuls."""
    rid = executed(world, "mou to annul")
    first = world.act(rid, "FRA", Intent.ANNULMENT, reason="signed in error")
    assert statuses(world, first) == []
    assert counts(world, rid) == (2, 0, 1, 0)
    result = world.act(rid, "SGP", Intent.ANNULMENT, reason="agreed annulment")
    now = block_time(world, result)
    assert acts(world, result) == [
        (rid, code("SGP"), Intent.ANNULMENT, world.signers["SGP"].address, "agreed annulment", now)
    ]
    assert statuses(world, result) == [(rid, Status.EXECUTED, Status.ANNULLED, now)]
    r = world.gw.record(rid)
    assert (r.status, counts(world, rid)) == (Status.ANNULLED, (2, 0, 2, 0))
    assert [a.reason for a in r.attestations if a.intent is Intent.ANNULMENT] == [
        "signed in error",
        "agreed annulment",
    ]


# ------------------------------------------------------------------ withdrawals -> TERMINATED


def test_withdrawal_leaving_fewer_than_quorum_terminates(world: World) -> None:
    """Quorum 2 of 3 executed by FRA+DEU: DEU's withdrawal (reason recorded) leaves 1 < 2: TERMINATED."""
    rid = world.notarise(digest("multilateral"), parties=("FRA", "SGP", "DEU"), quorum=2)
    world.act(rid, "DEU")
    result = world.act(rid, "DEU", Intent.WITHDRAWAL, reason="parliament refused")
    now = block_time(world, result)
    assert acts(world, result) == [
        (rid, code("DEU"), Intent.WITHDRAWAL, world.signers["DEU"].address, "parliament refused", now)
    ]
    assert statuses(world, result) == [(rid, Status.EXECUTED, Status.TERMINATED, now)]
    r = world.gw.record(rid)
    assert (r.status, r.updated_at) == (Status.TERMINATED, now)
    assert counts(world, rid) == (2, 0, 0, 1)
    assert masks(world, rid)["withdrawn"] == {"DEU"}
    assert r.attestations[-1].reason == "parliament refused"


def test_withdrawal_from_record_in_force_terminates(world: World) -> None:
    """A signatory's withdrawal from a record in force (quorum 2 of 2) terminates it."""
    rid = executed(world, "in force then withdrawn", ratification=True)
    world.act(rid, "FRA", Intent.RATIFICATION)
    world.act(rid, "SGP", Intent.RATIFICATION)
    result = world.act(rid, "FRA", Intent.WITHDRAWAL, reason="denunciation")
    assert statuses(world, result) == [(rid, Status.IN_FORCE, Status.TERMINATED, block_time(world, result))]
    assert counts(world, rid) == (2, 1, 0, 1)  # FRA's ratification no longer counts: FRA is not bound


# ------------------------------------------------------------------ digests and health


def test_records_of_digest_lists_every_submitter(world: World) -> None:
    """DEU notarising FRA's digest first does not block FRA: both records are listed, in order."""
    doc = digest("contested text")
    deu = world.notarise(doc, "DEU", parties=("DEU", "FRA"))
    fra = world.notarise(doc, "FRA", parties=("FRA", "SGP"))
    assert deu != fra
    assert world.gw.records_of_digest(doc) == [deu, fra]
    assert world.gw.record(deu).submitter == "DEU"
    assert world.gw.record(fra).submitter == "FRA"
    world.act(fra, "SGP")
    assert world.gw.record(fra).status is Status.EXECUTED
    assert world.gw.record(deu).status is Status.OPEN
    assert world.gw.records_of_digest(digest("never notarised")) == []


def test_attestation_health_follows_later_compromise(world: World) -> None:
    """A compromise declared after an act leaves it valid; one declared from its time makes it
    invalid off chain at once and, once voided, on chain."""
    rid = executed(world, "health check")
    signed_at = world.gw.record(rid).attestations[1].time
    sgp_key = world.signers["SGP"].address

    revoke(world, "SGP", sgp_key, signed_at + 1)
    assert [(a.party, a.valid) for a in world.gw.record(rid).attestations] == [("FRA", True), ("SGP", True)]
    revoke(world, "SGP", sgp_key, signed_at)
    r = world.gw.record(rid)
    assert [(a.party, a.valid, a.voided) for a in r.attestations] == [("FRA", True, False), ("SGP", False, False)]
    assert (r.status, r.signatures) == (Status.EXECUTED, 2)  # on chain it counts until voided

    result = void(world, rid, "SGP", Intent.SIGNATURE)
    now = block_time(world, result)
    assert statuses(world, result) == [(rid, Status.EXECUTED, Status.OPEN, now)]
    r = world.gw.record(rid)
    assert [(a.party, a.valid, a.voided) for a in r.attestations] == [("FRA", True, False), ("SGP", False, True)]
    assert (r.status, r.signatures, r.executed) == (Status.OPEN, 1, False)
