"""EIP-712 hashes pinned against the contract, EIP-1271 contract signers, key windows."""

from __future__ import annotations

import itertools

import pytest
from contract_helpers import act_payload, code, digest, events, new_account, revert_args, submit
from eth_hash.auto import keccak
from eth_utils import to_checksum_address
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from notary import eip712, errors
from notary.chain import artifacts, tx
from notary.models import Act, BatchAnchor, Intent, Notarisation, SignerKey, Status
from notary.testing import World

HYPOTHESIS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
UINT64 = 2**64 - 1

bytes32 = st.binary(min_size=32, max_size=32)
uint8 = st.integers(0, 255)
uint64 = st.integers(0, UINT64)

notarisations = st.builds(
    Notarisation,
    digest=bytes32,
    hash_algorithm=bytes32,
    kind=bytes32,
    party=bytes32,
    parties=st.lists(bytes32, max_size=40).map(tuple),
    quorum=uint8,
    supersedes=bytes32,
    metadata_hash=bytes32,
    ratification_required=st.booleans(),
    deadline=uint64,
)
acts = st.builds(Act, record_id=bytes32, party=bytes32, intent=uint8, reason=st.text(), deadline=uint64)
anchors = st.builds(
    BatchAnchor,
    root=bytes32,
    party=bytes32,
    count=uint64,
    hash_algorithm=bytes32,
    metadata_hash=bytes32,
    deadline=uint64,
)


def assert_hash_pinned(world: World, payload: Notarisation | Act | BatchAnchor) -> None:
    domain = world.gw.domain
    on_chain = world.gw.contract_signing_hash(payload)
    assert eip712.signing_hash(payload, domain) == on_chain
    other = eip712.Domain(domain.chain_id + 1, domain.verifying_contract)
    assert eip712.signing_hash(payload, other) != on_chain


@HYPOTHESIS
@given(payload=notarisations)
def test_notarisation_hash_matches_contract(world: World, payload: Notarisation) -> None:
    """The Python EIP-712 hash of any Notarisation equals hashNotarisation, and binds the chain id."""
    assert_hash_pinned(world, payload)


@HYPOTHESIS
@given(payload=acts)
def test_act_hash_matches_contract(world: World, payload: Act) -> None:
    """The Python EIP-712 hash of any Act (unicode reasons included) equals hashAct."""
    assert_hash_pinned(world, payload)


@HYPOTHESIS
@given(payload=anchors)
def test_batch_anchor_hash_matches_contract(world: World, payload: BatchAnchor) -> None:
    """The Python EIP-712 hash of any BatchAnchor equals hashBatchAnchor."""
    assert_hash_pinned(world, payload)


def test_hash_changes_with_every_act_field(world: World) -> None:
    """Changing any one Act field changes the contract's hash (no field is left out of it)."""
    base = Act(digest("r"), code("FRA"), Intent.WITHDRAWAL, "raison d'État", 1000)
    variants = [
        Act(digest("s"), base.party, base.intent, base.reason, base.deadline),
        Act(base.record_id, code("SGP"), base.intent, base.reason, base.deadline),
        Act(base.record_id, base.party, Intent.ANNULMENT, base.reason, base.deadline),
        Act(base.record_id, base.party, base.intent, "raison d'Etat", base.deadline),
        Act(base.record_id, base.party, base.intent, base.reason, base.deadline + 1),
    ]
    hashes = {world.gw.contract_signing_hash(p) for p in [base, *variants]}
    assert len(hashes) == len(variants) + 1


# ------------------------------------------------------------------ EIP-1271 contract signers


@pytest.fixture
def contract_signer(world: World):
    """A ContractSigner owned by a fresh key, registered as a signer key of FRA."""
    owner = new_account(world, fund=False)
    art = artifacts.load("ContractSigner")
    deployed = tx.deploy(world.chain, art.abi, art.bytecode, world.depositary, owner.address)
    address = to_checksum_address(tx.contract_address(world.chain, deployed))
    contract = world.chain.w3.eth.contract(address=address, abi=art.abi)
    assert tx.call(contract.functions.owner()) == owner.address
    world.gw.add_signer(world.controllers["FRA"], code("FRA"), address, 0, 2**63)
    return address, owner


def test_contract_signer_notarises(world: World, contract_signer) -> None:
    """A notarisation signed by the contract's owner, naming the contract as signer, is accepted."""
    address, owner = contract_signer
    n = world.notarisation(digest("multisig notarisation"))
    result = submit(world, n, owner, signer=address)
    recorded = events(world, result, world.gw.ledger.events.ActRecorded)
    assert [(e["party"], e["signer"]) for e in recorded] == [(code("FRA"), address)]
    record = world.gw.record(recorded[0]["recordId"])
    assert [(a.party, a.signer, a.valid) for a in record.attestations] == [("FRA", address, True)]


def test_contract_signer_acts(world: World, contract_signer) -> None:
    """FRA's co-signature by its contract signer executes SGP's record, signer = the contract."""
    address, owner = contract_signer
    rid = world.notarise(digest("from singapore"), "SGP", parties=("SGP", "FRA"))
    result = submit(world, act_payload(world, rid, "FRA"), owner, signer=address)
    assert [e["signer"] for e in events(world, result, world.gw.ledger.events.ActRecorded)] == [address]
    assert world.gw.record(rid).status is Status.EXECUTED


@pytest.mark.parametrize("forgery", ["other key", "malleable twin"])
def test_contract_signer_rejects_other_signatures(world: World, contract_signer, forgery) -> None:
    """A signature the contract does not accept (other key, high-s twin) reverts NotaryInvalidSignature."""
    address, owner = contract_signer
    n = world.notarisation(digest("forged multisig"))
    if forgery == "other key":
        signature = eip712.sign(n, world.gw.domain, world.signers["FRA"].key)
    else:
        signature = eip712.malleable_twin(eip712.sign(n, world.gw.domain, owner.key))
    with pytest.raises(errors.NotaryInvalidSignatureError) as exc:
        submit(world, n, owner, signer=address, signature=signature)
    assert revert_args(exc.value) == {"party": code("FRA"), "signer": address}


# ------------------------------------------------------------------ key windows, off chain vs on chain

_keys = itertools.count()
times = st.one_of(st.integers(0, 40), st.sampled_from([UINT64 - 1, UINT64, 2**63]))


# Every example sends transactions: no shrinking (minutes on failure); the failing example and t are reported.
@settings(HYPOTHESIS, phases=(Phase.explicit, Phase.reuse, Phase.generate))
@given(
    window=st.tuples(times, times).filter(lambda w: w[0] != w[1]).map(sorted),
    revoked=st.none() | times,
    probes=st.lists(times, max_size=4),
)
def test_authorised_at_matches_registry(world: World, window, revoked, probes) -> None:
    """models.SignerKey.authorised_at agrees with isAuthorisedAt for any window, revocation, time."""
    valid_from, valid_until = window
    key = to_checksum_address(keccak(b"key %d" % next(_keys))[:20])
    controller = world.controllers["DEU"]
    world.gw.add_signer(controller, code("DEU"), key, valid_from, valid_until)
    if revoked is not None:
        world.gw.revoke_signer(controller, code("DEU"), key, revoked)
    stored = world.gw.signer_key(code("DEU"), key)
    assert (stored.valid_from, stored.valid_until) == (valid_from, valid_until)
    assert stored.revoked_at == (0 if revoked is None else max(revoked, 1))
    model = SignerKey("DEU", key, valid_from, valid_until, stored.revoked_at, stored.added_at)

    edges = {valid_from, valid_until, stored.revoked_at}
    candidates = set(probes) | {e + d for e in edges for d in (-1, 0, 1)}
    for t in sorted(c for c in candidates if 0 <= c <= UINT64):
        assert model.authorised_at(t) == world.gw.is_authorised_at(code("DEU"), key, t), t
