"""Receipts that trust only a block hash: headers and eth_getProof state proofs, on a real anvil.

A receipt written against anvil carries, for each block it names, the header and the trie
nodes of the registry's key entries and the ledger's stored record; offline verification
reads every claim through them. Each test that tampers with a receipt reseals it, so that the
state proofs, not the seal, are what refute it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import rfc8785
import rlp
from eth_account import Account
from eth_hash.auto import keccak

from notary import batch, ledger, receipts, registry, trust
from notary.chain.connect import rpc
from notary.chain.node import ephemeral_anvil
from notary.codes import party_code
from notary.models import Intent
from notary.receipts import format as receipt_format
from notary.receipts import storage_layout
from notary.receipts.build import anchor_evidence, anchor_proofs, batch_receipt, chain_ref, record_receipt
from notary.receipts.online import verify_online
from notary.receipts.state_proofs import EMPTY_TRIE_ROOT, ProofError, Witness, decode_header, encode_header
from notary.receipts.verify import PROVED, REFUTED, UNPROVED, ReceiptVerdict, verify_offline
from notary.testing import World

pytestmark = pytest.mark.anvil  # most tests run on a real anvil node

STRONG = "this trusts only that block(s)"
WEAK = "this receipt carries no state proofs"


def sha(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


@dataclass
class Signed:
    """A record FRA, SGP and DEU (quorum 2) signed by all three, and its receipt's canonical bytes."""

    world: World
    digest: bytes
    rid: bytes
    raw: bytes

    def verify(self, raw: bytes, pinned: trust.Anchors | None = None) -> ReceiptVerdict:
        return verify_offline(receipts.loads(raw), self.digest, pinned or self.world.pinned)


@pytest.fixture(scope="module")
def anvil_world() -> Iterator[World]:
    with ephemeral_anvil() as url:
        chain = rpc(url)
        yield World.build(chain, (("FRA", "French Republic"), ("SGP", "Singapore"), ("DEU", "Germany")))


@pytest.fixture(scope="module")
def signed(anvil_world: World) -> Signed:
    digest = sha("a trilateral declaration")
    rid = anvil_world.notarise(digest, "FRA", parties=("FRA", "SGP", "DEU"), quorum=2)
    anvil_world.act(rid, "SGP")
    anvil_world.act(rid, "DEU")
    return Signed(anvil_world, digest, rid, receipts.dumps(record_receipt(anvil_world.gw, rid)))


def edited(raw: bytes, change: Callable[[dict[str, Any]], None]) -> bytes:
    """The receipt with `change` applied and every section resealed."""
    body = json.loads(raw)
    change(body)
    sections = {k: v for k, v in body.items() if k not in ("mediaType", "version", "seal")}
    body["seal"]["sections"] = receipts.seal_of(sections)
    return bytes(rfc8785.dumps(body))


def refuted(v: ReceiptVerdict, needle: str) -> None:
    assert not v.ok and v.state_proofs == REFUTED, v.reasons
    assert any(needle in reason for reason in v.reasons), v.reasons
    assert STRONG not in v.trust and "its state proofs do not hold" in v.trust


# --------------------------------------------------------------------- the strong trust


def test_anvil_receipt_carries_proofs_and_verifies_with_block_hash_trust(signed: Signed) -> None:
    """The receipt proves each act's block and the observed block; offline it verifies, trusting only those
    block hashes."""
    r = receipts.loads(signed.raw)
    assert r.proofs is not None and r.record is not None
    wanted = {e.block_number for e in r.record.attestations} | {r.record.observed_block}
    assert {b.number for b in r.proofs.blocks} == wanted and r.proofs.observed_block == r.record.observed_block
    v = signed.verify(signed.raw)
    assert v.ok and v.state_proofs == PROVED, v.reasons
    assert STRONG in v.trust and "hold these transactions" not in v.trust
    assert v.to_json()["stateProofs"] == PROVED


def test_online_verification_confirms_the_proved_blocks(signed: Signed) -> None:
    """Online, the node confirms the proved blocks are canonical: the receipt verifies with nothing changed."""
    w = signed.world
    v = verify_online(w.chain, receipts.loads(signed.raw), signed.digest, w.pinned)
    assert v.ok and v.changes == [] and v.state_proofs == PROVED, v.reasons


def test_headers_rebuild_anvil_block_hashes(signed: Signed) -> None:
    """Every anvil block's header, rebuilt from the node's fields (Prague: requestsHash last), hashes to
    anvil's own block hash, and decodes back to its number, time and state root."""
    gw = signed.world.gw
    for number in range(gw.chain.block_number() + 1):
        fields = gw.block_fields(number)
        h = decode_header(encode_header(fields))
        assert h.hash == bytes(fields["hash"]), number
        assert (h.number, h.timestamp, h.state_root) == (number, fields["timestamp"], bytes(fields["stateRoot"]))


def test_pinned_code_hashes_are_checked_against_the_proved_accounts(signed: Signed) -> None:
    """A trust-store pin's code hashes must be the proved accounts' code hashes."""
    gw = signed.world.gw
    ledger_hash = "0x" + keccak(bytes(gw.chain.w3.eth.get_code(gw.deployment.ledger.address))).hex()
    registry_hash = "0x" + keccak(bytes(gw.chain.w3.eth.get_code(gw.deployment.registry.address))).hex()
    r = receipts.loads(signed.raw)
    pin = trust.Pin(r.chain.chain_id, r.chain.ledger, r.chain.registry, ledger_hash, registry_hash)
    v = signed.verify(signed.raw, trust.Anchors((pin,)))
    assert v.ok and v.state_proofs == PROVED, v.reasons
    other = trust.Pin(r.chain.chain_id, r.chain.ledger, r.chain.registry, "0x" + "ab" * 32, registry_hash)
    refuted(signed.verify(signed.raw, trust.Anchors((other,))), "does not have the pinned code")


def test_voided_act_and_compromised_key_are_proved(anvil_world: World) -> None:
    """A withdrawal by a key declared compromised, then voided: the key entries read when written and the
    act history with its void entry are all proved, and the receipt verifies with the strong trust."""
    w = anvil_world
    digest = sha("a withdrawal that was voided")
    rid = w.notarise(digest, "FRA", parties=("FRA", "SGP"))
    w.act(rid, "SGP")
    stolen = Account.create()
    registry.add_signer(w.gw, w.controllers["SGP"], "SGP", stolen.address, 0)
    result = w.act(rid, "SGP", Intent.WITHDRAWAL, "forged", key=stolen)
    registry.revoke_signer(
        w.gw, w.controllers["SGP"], "SGP", stolen.address, w.chain.block_timestamp(result.block_number)
    )
    w.gw.void_act(w.relayer, w.gw.terms(rid), party_code("SGP"), Intent.WITHDRAWAL)
    raw = receipts.dumps(record_receipt(w.gw, rid))
    r = receipts.loads(raw)
    assert r.record is not None and r.record.attestations[-1].voided is not None and r.proofs is not None
    v = verify_offline(r, digest, w.pinned)
    assert v.ok and v.state_proofs == PROVED, v.reasons

    # Hiding the void (and the key's compromise) is refuted by the history and the observed key entry.
    def hide(b: dict[str, Any]) -> None:
        act = b["record"]["attestations"][-1]
        act["voided"] = None
        act["signerKeyObserved"] = dict(act["signerKey"])

    hidden = verify_offline(receipts.loads(edited(raw, hide)), digest, w.pinned)
    assert any("act history" in x for x in hidden.reasons), hidden.reasons
    assert any("(when written)" in x for x in hidden.reasons), hidden.reasons


def test_batch_receipt_with_proofs_verifies_and_proves_the_stored_batch(anvil_world: World) -> None:
    """A batch member's receipt carries the anchor's block and the observed block; a claimed anchor time
    that is not the stored one is refuted."""
    w = anvil_world
    digests = [sha(f"certificate {i}") for i in range(5)]
    tree = batch.tree_of(digests)
    anchor = batch.prepare_anchor(tree.root, "FRA", w.deadline(), batch.anchor_metadata(5, "certificates"))
    ledger.submit(w.gw, w.relayer, ledger.sign(anchor, w.gw.domain, w.signers["FRA"]))
    observed = w.chain.block_number()
    evidence = anchor_evidence(w.gw, tree.root, "FRA", observed)
    proofs = anchor_proofs(w.gw, evidence, observed)
    assert proofs is not None
    meta = batch.anchor_metadata(5, "certificates")
    raw = receipts.dumps(batch_receipt(chain_ref(w.gw), evidence, digests[2], tree.proof(2), meta, proofs))
    v = verify_offline(receipts.loads(raw), digests[2], w.pinned)
    assert v.ok and v.state_proofs == PROVED, v.reasons
    assert "the batch's stored state" in v.trust

    def later(b: dict[str, Any]) -> None:
        b["batch"]["anchor"]["time"] = str(int(b["batch"]["anchor"]["time"]) - 1)

    v = verify_offline(receipts.loads(edited(raw, later)), digests[2], w.pinned)
    refuted(v, "the ledger stores the batch as anchored by")
    assert any("but its block" in x and "time is" in x for x in v.reasons), v.reasons


# --------------------------------------------------------------------- tampering: each a reason


def _flip(hex_value: str, at: int) -> str:
    chars = list(hex_value)
    chars[at] = "1" if chars[at] != "1" else "2"
    return "".join(chars)


def test_a_tampered_trie_node_is_refuted(signed: Signed) -> None:
    """Changing one byte of a proof node breaks the path from the state root: the proof lacks a node."""

    def change(b: dict[str, Any]) -> None:
        for block in b["stateProofs"]["blocks"]:
            block["nodes"] = sorted(_flip(n, 40) for n in block["nodes"])

    refuted(signed.verify(edited(signed.raw, change)), "lacks a trie node")


def test_a_tampered_header_is_refuted(signed: Signed) -> None:
    """A header byte changed (here, in the state root) no longer hashes to the named block hash."""

    def change(b: dict[str, Any]) -> None:
        block = b["stateProofs"]["blocks"][0]
        block["header"] = _flip(block["header"], 200)

    refuted(signed.verify(edited(signed.raw, change)), "does not hash to")


def test_another_blocks_header_is_refuted(signed: Signed) -> None:
    """A valid header of another block, with its own hash, does not prove the block the receipt names."""

    def change(b: dict[str, Any]) -> None:
        first, second = b["stateProofs"]["blocks"][:2]
        first["header"], first["blockHash"] = second["header"], second["blockHash"]

    v = signed.verify(edited(signed.raw, change))
    refuted(v, "is proved as")


def test_a_missing_block_is_refuted(signed: Signed) -> None:
    """Dropping the proof of an act's block leaves that act's key entry unproved."""

    def change(b: dict[str, Any]) -> None:
        b["stateProofs"]["blocks"] = b["stateProofs"]["blocks"][1:]

    refuted(signed.verify(edited(signed.raw, change)), "which the receipt relies on, is not proved")


def test_a_claimed_key_window_is_refuted(signed: Signed) -> None:
    """SGP's key window claimed wider than the registry held it (still authorising the act, so only the
    proofs can tell) is refuted at the act's block."""

    def change(b: dict[str, Any]) -> None:
        key = b["record"]["attestations"][1]["signerKey"]
        key["validUntil"] = str(int(key["validUntil"]) - 1)

    refuted(signed.verify(edited(signed.raw, change)), "validUntil")


def test_a_hidden_compromise_is_refuted(signed: Signed) -> None:
    """A key entry 'when written' that differs from the registry's at the observed block is refuted."""

    def change(b: dict[str, Any]) -> None:
        b["record"]["attestations"][2]["signerKeyObserved"]["addedAt"] = "1"

    refuted(signed.verify(edited(signed.raw, change)), "(when written)")


def test_an_omitted_act_is_refuted(signed: Signed) -> None:
    """DEU's signature dropped: the quorum still holds offline, but the stored party set and the act
    history prove DEU signed."""

    def change(b: dict[str, Any]) -> None:
        b["record"]["attestations"] = b["record"]["attestations"][:2]

    v = signed.verify(edited(signed.raw, change))
    refuted(v, "signed 7 (receipt: 3)")
    assert any("act history" in x for x in v.reasons)


def test_a_claimed_record_state_is_refuted(signed: Signed) -> None:
    """A record claimed superseded by another (while executed) is refuted by the stored state."""

    def change(b: dict[str, Any]) -> None:
        b["record"]["supersededBy"] = "0x" + "44" * 32

    refuted(signed.verify(edited(signed.raw, change)), "superseded 0 (receipt: 1)")


def test_a_claimed_act_time_is_refuted(signed: Signed) -> None:
    """An act's time moved by a second (before its deadline, inside its key's window) is refuted by its
    block's header and the act history."""

    def change(b: dict[str, Any]) -> None:
        act = b["record"]["attestations"][1]
        act["time"] = str(int(act["time"]) - 1)

    refuted(signed.verify(edited(signed.raw, change)), "but its block")


def test_an_observed_block_that_is_not_the_records_is_refuted(signed: Signed) -> None:
    def change(b: dict[str, Any]) -> None:
        b["stateProofs"]["observedAt"] -= 1

    refuted(signed.verify(edited(signed.raw, change)), "but the record was observed at")


# --------------------------------------------------------------------- no proofs: the weaker trust


def test_embedded_chain_receipt_says_it_has_no_state_proofs(world: World) -> None:
    """eth-tester cannot serve eth_getProof: the receipt holds `stateProofs: null` and the verdict states the
    weaker trust plainly."""
    digest = sha("embedded")
    rid = world.notarise(digest, "FRA", parties=("FRA", "SGP"))
    world.act(rid, "SGP")
    raw = receipts.dumps(record_receipt(world.gw, rid))
    assert json.loads(raw)["stateProofs"] is None
    v = verify_offline(receipts.loads(raw), digest, world.pinned)
    assert v.ok and v.state_proofs == UNPROVED, v.reasons
    assert v.trust.startswith(WEAK) and "hold these transactions" in v.trust


def test_proofs_past_the_size_limit_are_left_out(anvil_world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the proofs would pass the file's size limit, the receipt is written without them, not refused."""
    digest = sha("a record whose proofs do not fit")
    rid = anvil_world.notarise(digest, "FRA", parties=("FRA", "SGP"))
    anvil_world.act(rid, "SGP")
    full = receipts.dumps(record_receipt(anvil_world.gw, rid))
    monkeypatch.setattr(receipt_format, "MAX_BYTES", len(full) - 1)
    r = record_receipt(anvil_world.gw, rid)
    assert r.proofs is None and len(receipts.dumps(r)) < len(full)
    assert verify_offline(r, digest, anvil_world.pinned).state_proofs == UNPROVED


def test_a_receipt_without_the_section_still_verifies(signed: Signed) -> None:
    """A receipt written before state proofs (no `stateProofs` key) reads and verifies, with the weaker trust."""

    def change(b: dict[str, Any]) -> None:
        del b["stateProofs"]

    v = signed.verify(edited(signed.raw, change))
    assert v.ok and v.state_proofs == UNPROVED and v.trust.startswith(WEAK), v.reasons


# --------------------------------------------------------------------- the section's format and the trie reader


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda p: p["blocks"][0]["nodes"].reverse(), receipts.ReceiptFieldError),
        (lambda p: p["blocks"].reverse(), receipts.ReceiptFieldError),
        (lambda p: p.update(blocks=[]), receipts.ReceiptFieldError),
        (lambda p: p["blocks"][0].update(note="x"), receipts.ReceiptUnknownFieldError),
        (lambda p: p["blocks"][0].pop("header"), receipts.ReceiptMissingFieldError),
        (lambda p: p["blocks"][0].update(header="0x" + "00" * 1025), receipts.ReceiptLimitError),
        (lambda p: p["blocks"][0].update(nodes=[f"0x{i:04x}" for i in range(513)]), receipts.ReceiptLimitError),
        (lambda p: p["blocks"][0].update(blockHash="0x12"), receipts.ReceiptFieldError),
    ],
    ids=["unsorted-nodes", "blocks-out-of-order", "no-blocks", "unknown-field", "missing-header", "big-header",
         "too-many-nodes", "short-hash"],
)  # fmt: skip
def test_malformed_sections_are_refused(signed: Signed, change: Callable[[Any], None], error: type) -> None:
    """The section is read strictly: each malformation is its own typed format error."""
    raw = edited(signed.raw, lambda b: change(b["stateProofs"]))
    with pytest.raises(error):
        receipts.loads(raw)


def test_witness_reads_absent_keys_as_empty_and_refuses_gaps(signed: Signed) -> None:
    """An absent slot reads as 0 (an exclusion proof); a witness without the nodes raises ProofError."""
    gw = signed.world.gw
    number = gw.chain.block_number()
    header = decode_header(encode_header(gw.block_fields(number)))
    nodes = gw.proof_nodes(gw.deployment.ledger.address, [b"\x99" * 32], number)
    assert nodes is not None
    account = Witness(nodes).account(header.state_root, gw.deployment.ledger.address)
    assert account is not None and account.storage_root != EMPTY_TRIE_ROOT
    assert Witness(nodes).storage(account.storage_root, b"\x99" * 32, "an unused slot") == 0
    with pytest.raises(ProofError, match="lacks a trie node"):
        Witness(nodes[:1]).storage(account.storage_root, b"\x99" * 32, "an unused slot")
    with pytest.raises(ProofError):
        decode_header(b"\x01\x02")


@pytest.mark.parametrize(
    "node",
    [b"\x01\x02\x03", rlp.encode([b"\x01"] * 5), rlp.encode([[b"\x01"]] * 17)],
    ids=["not-rlp", "five-items", "branch-of-lists"],
)
def test_crafted_trie_nodes_are_proof_errors(node: bytes) -> None:
    """A crafted header can name any root: a node under it that is no trie node is a ProofError, never a crash."""
    address = "0x" + "11" * 20
    with pytest.raises(ProofError):
        Witness([node]).account(keccak(node), address)
    with pytest.raises(ProofError):
        Witness([node]).storage(keccak(node), bytes(32), "a slot")


def test_the_section_round_trips_byte_for_byte(signed: Signed) -> None:
    """A parsed receipt with proofs writes back exactly the bytes it was read from."""
    first = receipts.loads(signed.raw)
    assert receipts.dumps(copy.deepcopy(first)) == signed.raw


# --------------------------------------------------------------------- the storage layout, against solc


def _solc_layouts() -> dict[str, Any]:
    """solc's storageLayout of the registry and the ledger, compiled from the current sources."""
    scripts = Path(__file__).resolve().parents[2] / "scripts"
    sys.path.insert(0, str(scripts))
    try:
        import compile_contracts as cc
    finally:
        sys.path.remove(str(scripts))
    settings = copy.deepcopy(cc.SETTINGS)
    settings["outputSelection"] = {"*": {"*": ["storageLayout"]}}
    try:
        compiler = cc.resolve_compiler(cc.read_pins().solc)
    except cc.PipelineError as exc:
        pytest.skip(f"no solc to compare the storage layout with: {exc}")
    out = cc.run_solc(compiler, cc.load_sources(cc.DEFAULT_CONTRACTS_DIR), settings, cc.REPO_ROOT)
    return {name: out["contracts"][f"contracts/{name}.sol"][name]["storageLayout"] for name in storage_layout.VARIABLES}


def test_storage_layout_is_solcs_for_the_current_sources() -> None:
    """Every slot, type and packed member offset in `notary.receipts.storage_layout` is what solc lays out now."""
    layouts = _solc_layouts()
    for contract, variables in storage_layout.VARIABLES.items():
        layout = layouts[contract]
        by_label = {v["label"]: v for v in layout["storage"]}
        for label, (slot, type_label) in variables.items():
            entry = by_label[label]
            assert (int(entry["slot"]), entry["offset"]) == (slot, 0), (contract, label)
            assert layout["types"][entry["type"]]["label"] == type_label, (contract, label)
    structs = {
        t["label"].removeprefix("struct "): t
        for layout in layouts.values()
        for t in layout["types"].values()
        if t["label"].startswith("struct ") and t["label"].removeprefix("struct ") in storage_layout.STRUCTS
    }
    assert set(structs) == set(storage_layout.STRUCTS)
    for name, members in storage_layout.STRUCTS.items():
        t = structs[name]
        sizes = {k: int(v["numberOfBytes"]) for layout in layouts.values() for k, v in layout["types"].items()}
        solc = {m["label"]: (m["offset"], sizes[m["type"]]) for m in t["members"]}
        assert int(t["numberOfBytes"]) == 32 and {m["slot"] for m in t["members"]} == {"0"}, name
        assert solc == members, name
