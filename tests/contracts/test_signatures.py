"""EIP-712 hashes pinned against the contract, EIP-1271 contract signers, key windows."""

from __future__ import annotations

import itertools

import pytest
from contract_helpers import WINDOW, act_payload, block_time, code, digest, events, new_account, revert_args, submit
from eth_hash.auto import keccak
from eth_utils import to_checksum_address
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from notary import eip712, errors
from notary.chain import artifacts, tx
from notary.chain.gateway import terms_args
from notary.models import Act, BatchAnchor, Intent, Notarisation, SignerKey, Status, Terms
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
terms = st.builds(
    Terms,
    digest=bytes32,
    hash_algorithm=bytes32,
    kind=bytes32,
    submitter=bytes32,
    parties=st.lists(bytes32, max_size=40).map(tuple),
    quorum=uint8,
    supersedes=bytes32,
    metadata_hash=bytes32,
    ratification_required=st.booleans(),
)
acts = st.builds(Act, terms=terms, party=bytes32, intent=uint8, reason=st.text(), deadline=uint64)
anchors = st.builds(
    BatchAnchor,
    root=bytes32,
    party=bytes32,
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
@given(t=terms)
def test_terms_hash_matches_contract(world: World, t: Terms) -> None:
    """eip712.terms_hash (the struct hash the ledger stores) equals hashTerms for any terms."""
    assert eip712.terms_hash(t) == bytes(tx.call(world.gw.ledger.functions.hashTerms(terms_args(t))))


@HYPOTHESIS
@given(payload=acts)
def test_act_hash_matches_contract(world: World, payload: Act) -> None:
    """The Python EIP-712 hash of any Act (unicode reasons included) equals hashAct."""
    assert_hash_pinned(world, payload)


@HYPOTHESIS
@given(payload=anchors)
def test_anchor_hash_matches_contract(world: World, payload: BatchAnchor) -> None:
    """The Python EIP-712 hash of any BatchAnchor equals hashBatchAnchor."""
    assert_hash_pinned(world, payload)


BASE_TERMS = Terms(
    digest("r"), b"sha256".ljust(32, b"\0"), b"treaty".ljust(32, b"\0"), code("FRA"), (code("FRA"), code("SGP")),
    2, bytes(32), digest("metadata"), False,
)  # fmt: skip
TERMS_VARIANTS: dict[str, object] = {
    "digest": digest("s"),
    "hash_algorithm": b"sha3-256".ljust(32, b"\0"),
    "kind": b"mou".ljust(32, b"\0"),
    "submitter": code("SGP"),
    "parties": (code("SGP"), code("FRA")),
    "quorum": 1,
    "supersedes": digest("older record"),
    "metadata_hash": digest("other metadata"),
    "ratification_required": True,
}


def test_hash_changes_with_every_act_and_terms_field(world: World) -> None:
    """Changing any one Act field, or any one field of its Terms, changes the contract's hash:
    a signed act binds all of them."""
    base = Act(BASE_TERMS, code("FRA"), Intent.WITHDRAWAL, "raison d'État", 1000)
    variants = [
        Act(base.terms, code("SGP"), base.intent, base.reason, base.deadline),
        Act(base.terms, base.party, Intent.ANNULMENT, base.reason, base.deadline),
        Act(base.terms, base.party, base.intent, "raison d'Etat", base.deadline),
        Act(base.terms, base.party, base.intent, base.reason, base.deadline + 1),
    ] + [
        Act(Terms(**{**BASE_TERMS.__dict__, name: value}), base.party, base.intent, base.reason, base.deadline)
        for name, value in TERMS_VARIANTS.items()
    ]
    hashes = {world.gw.contract_signing_hash(p) for p in [base, *variants]}
    assert len(hashes) == len(variants) + 1


def test_hash_changes_with_every_notarisation_and_anchor_field(world: World) -> None:
    """The same for a Notarisation (every Terms field and the deadline) and a BatchAnchor
    (every field; there is no count any more)."""
    base = Notarisation.of(BASE_TERMS, 1000)
    notarisations = [base, Notarisation.of(BASE_TERMS, 1001)] + [
        Notarisation.of(Terms(**{**BASE_TERMS.__dict__, name: value}), 1000) for name, value in TERMS_VARIANTS.items()
    ]
    assert len({world.gw.contract_signing_hash(p) for p in notarisations}) == len(notarisations)
    a = BatchAnchor(digest("root"), code("FRA"), BASE_TERMS.hash_algorithm, digest("m"), 1000)
    anchors = [
        a,
        BatchAnchor(digest("other root"), a.party, a.hash_algorithm, a.metadata_hash, a.deadline),
        BatchAnchor(a.root, code("SGP"), a.hash_algorithm, a.metadata_hash, a.deadline),
        BatchAnchor(a.root, a.party, b"sha3-256".ljust(32, b"\0"), a.metadata_hash, a.deadline),
        BatchAnchor(a.root, a.party, a.hash_algorithm, digest("other m"), a.deadline),
        BatchAnchor(a.root, a.party, a.hash_algorithm, a.metadata_hash, a.deadline + 1),
    ]
    assert len({world.gw.contract_signing_hash(p) for p in anchors}) == len(anchors)
    assert "count" not in BatchAnchor.__dataclass_fields__


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
def test_authorised_at_matches_the_key_window_rule(world: World, window, revoked, probes) -> None:
    """models.SignerKey.authorised_at agrees with isAuthorisedAt for any window, revocation, time
    (a revocation further back than the repudiation window applies from the window's edge)."""
    valid_from, valid_until = window
    key = to_checksum_address(keccak(b"key %d" % next(_keys))[:20])
    controller = world.controllers["DEU"]
    world.gw.add_signer(controller, code("DEU"), key, valid_from, valid_until)
    expected, pending = 0, 0
    if revoked is not None:
        result = world.gw.revoke_signer(controller, code("DEU"), key, revoked)
        # A controller alone reaches back at most the repudiation window; the rest awaits the depositary.
        earliest = block_time(world, result) - WINDOW
        expected = max(revoked, 1, earliest)
        pending = max(revoked, 1) if max(revoked, 1) < earliest else 0
    stored = world.gw.signer_key(code("DEU"), key)
    assert (stored.valid_from, stored.valid_until) == (valid_from, valid_until)
    assert (stored.revoked_at, world.gw.pending_revocation(code("DEU"), key)) == (expected, pending)
    model = SignerKey("DEU", key, valid_from, valid_until, stored.revoked_at, stored.added_at)

    edges = {valid_from, valid_until, stored.revoked_at}
    candidates = set(probes) | {e + d for e in edges for d in (-1, 0, 1)}
    for t in sorted(c for c in candidates if 0 <= c <= UINT64):
        assert model.authorised_at(t) == world.gw.is_authorised_at(code("DEU"), key, t), t
