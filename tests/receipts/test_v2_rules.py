"""Receipts apply the protocol v2 rules exactly, on the in-process chain: acts rebuilt from events,
voided acts shown and never counted, only bound parties in the annulment and ratification quorums,
acts by keys unauthorised at their time not counting (voided on chain yet or not), and a record
notarised again after a void proved by its current notarisation only."""

from __future__ import annotations

import hashlib

from eth_account import Account
from eth_account.signers.local import LocalAccount

from notary import eip712, ledger, receipts, registry
from notary.codes import party_code
from notary.models import Intent, Status
from notary.receipts.build import record_receipt
from notary.receipts.online import verify_online
from notary.receipts.verify import verify_offline
from notary.testing import World


def sha(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def receipt_of(world: World, rid: bytes) -> receipts.Receipt:
    return receipts.loads(receipts.dumps(record_receipt(world.gw, rid)))


def second_key(world: World, party: str) -> LocalAccount:
    """Another key authorised for `party` (from time 0)."""
    key = Account.create()
    registry.add_signer(world.gw, world.controllers[party], party, key.address, 0)
    return key


def compromise(world: World, party: str, key: LocalAccount, since: int) -> None:
    """The controller declares `key` compromised from `since` (within the repudiation window)."""
    registry.revoke_signer(world.gw, world.controllers[party], party, key.address, since)


def test_payloads_come_from_the_events_with_their_terms(world: World) -> None:
    """Each act's payload is rebuilt from its ActRecorded event and the record's terms (held once): what
    each signer signed, recovered with the contract's rules."""
    digest = sha("events")
    rid = world.notarise(digest, "FRA", parties=("FRA", "SGP"))
    world.act(rid, "SGP")
    r = receipt_of(world, rid)
    assert r.record is not None and r.record.terms == world.gw.terms(rid)
    fra, sgp = r.record.attestations
    assert type(fra.payload).__name__ == "Notarisation" and type(sgp.payload).__name__ == "Act"
    for e, party in ((fra, "FRA"), (sgp, "SGP")):
        assert eip712.recover_signer(e.payload, r.chain.domain, e.signature) == world.signers[party].address
    assert verify_offline(r, digest, world.pinned).ok


def test_withdrawal_by_a_compromised_key_does_not_count(world: World) -> None:
    """SGP withdraws with a key declared compromised from before: the chain reads terminated until the act is
    voided, but the receipt's verdict is what the valid acts give (executed); once voided, it shows as voided."""
    digest = sha("forged withdrawal")
    rid = world.notarise(digest, "FRA", parties=("FRA", "SGP"))
    world.act(rid, "SGP")
    stolen = second_key(world, "SGP")
    result = world.act(rid, "SGP", Intent.WITHDRAWAL, "forged: ceasing to apply", key=stolen)
    compromise(world, "SGP", stolen, world.gw.chain.block_timestamp(result.block_number))
    r = receipt_of(world, rid)
    assert r.record is not None and r.record.status is Status.TERMINATED
    v = verify_offline(r, digest, world.pinned)
    assert v.ok, v.reasons
    assert any("SGP's withdrawal does not count" in w for w in v.warnings)
    assert any("on chain the record reads terminated" in w for w in v.warnings)
    online = verify_online(world.chain, r, digest, world.pinned)
    assert online.ok, online.reasons
    # Anyone voids it: the chain agrees, and a fresh receipt shows the act as voided.
    world.gw.void_act(world.relayer, world.gw.terms(rid), party_code("SGP"), Intent.WITHDRAWAL)
    fresh = receipt_of(world, rid)
    assert fresh.record is not None and fresh.record.status is Status.EXECUTED
    withdrawal = fresh.record.attestations[-1]
    assert withdrawal.intent == "withdrawal" and withdrawal.voided is not None
    v = verify_offline(fresh, digest, world.pinned)
    assert v.ok and not v.warnings, (v.reasons, v.warnings)
    changes = verify_online(world.chain, r, digest, world.pinned).changes
    assert any("withdrawal was voided" in c for c in changes), changes


def test_cancellation_by_a_compromised_key_does_not_count(world: World) -> None:
    """A cancellation by a key unauthorised at its time changes nothing: the record is still open (pending)."""
    digest = sha("forged cancellation")
    rid = world.notarise(digest, "FRA", parties=("FRA", "SGP"))
    stolen = second_key(world, "FRA")
    result = world.act(rid, "FRA", Intent.CANCELLATION, "forged", key=stolen)
    compromise(world, "FRA", stolen, world.gw.chain.block_timestamp(result.block_number))
    v = verify_offline(receipt_of(world, rid), digest, world.pinned)
    assert not any("cancelled" in x for x in v.reasons), v.reasons
    assert v.reasons == ["pending: 1 of 2 required valid signatures (waiting for SGP)"]


def test_annulment_quorum_counts_bound_parties_only(world: World) -> None:
    """DEU annuls then withdraws; FRA annuls: two annulments, but only one by a party still bound, below the
    quorum of 2: the record stands, on chain and in the receipt."""
    digest = sha("bound annulment")
    rid = world.notarise(digest, "FRA", parties=("FRA", "SGP", "DEU"), quorum=2)
    world.act(rid, "SGP")
    world.act(rid, "DEU")
    world.act(rid, "DEU", Intent.ANNULMENT, "void ab initio")
    world.act(rid, "DEU", Intent.WITHDRAWAL, "leaving")
    world.act(rid, "FRA", Intent.ANNULMENT, "void ab initio")
    r = receipt_of(world, rid)
    assert r.record is not None and r.record.status is Status.EXECUTED
    v = verify_offline(r, digest, world.pinned)
    assert v.ok, v.reasons


def test_ratification_quorum_counts_bound_parties_only(world: World) -> None:
    """DEU ratifies then withdraws; FRA ratifies: one ratification by a bound party of the 2 needed: executed,
    not in force, said in a warning."""
    digest = sha("bound ratification")
    rid = world.notarise(digest, "FRA", parties=("FRA", "SGP", "DEU"), quorum=2, ratification=True)
    world.act(rid, "SGP")
    world.act(rid, "DEU")
    world.act(rid, "DEU", Intent.RATIFICATION)
    world.act(rid, "DEU", Intent.WITHDRAWAL, "leaving")
    world.act(rid, "FRA", Intent.RATIFICATION)
    r = receipt_of(world, rid)
    assert r.record is not None and r.record.status is Status.EXECUTED
    v = verify_offline(r, digest, world.pinned)
    assert v.ok and "1 of 2 ratifications (of bound parties)" in v.warnings[0], (v.reasons, v.warnings)


def test_renotarised_record_uses_only_its_current_notarisation(world: World) -> None:
    """FRA's notarisation by a key compromised before it is voided (the record is void); FRA notarises again with
    a new key and SGP signs: the receipt holds the two acts of the new notarisation and verifies."""
    digest = sha("notarised again")
    old_key = world.signers["FRA"]
    rid = world.notarise(digest, "FRA", parties=("FRA", "SGP"))
    world.act(rid, "SGP")
    compromise(world, "FRA", old_key, world.gw.record(rid, with_attestations=False).created_at)
    world.gw.void_act(world.relayer, world.gw.terms(rid), party_code("FRA"), Intent.SIGNATURE)
    void = receipt_of(world, rid)
    assert void.record is not None and void.record.status is Status.VOID
    assert "void: the submitter's notarisation" in " ".join(verify_offline(void, digest, world.pinned).reasons)
    new_key = second_key(world, "FRA")
    n = world.notarisation(digest, "FRA", parties=("FRA", "SGP"))
    ledger.submit(world.gw, world.relayer, ledger.sign(n, world.gw.domain, new_key))
    world.act(rid, "SGP")
    r = receipt_of(world, rid)
    assert r.record is not None and [(e.party, e.signer) for e in r.record.attestations] == [
        ("FRA", new_key.address),
        ("SGP", world.signers["SGP"].address),
    ]
    assert all(e.voided is None for e in r.record.attestations)
    assert verify_offline(r, digest, world.pinned).ok
    online = verify_online(world.chain, r, digest, world.pinned)
    assert online.ok, online.reasons
    stale = verify_online(world.chain, void, digest, world.pinned)
    assert not stale.ok and any("notarised again" in c for c in stale.changes)
