"""Our EIP-712 documents are standard: ethers v6 (JavaScript, the npm package `ethers`), an
implementation independent of eth-account, recovers every signer from the files' data alone.

Through tools/eip712/verify_typed_data.js, which hands each document to `ethers.verifyTypedData`
as it is (bytes as 0x-hex, uint64 as decimal strings), minus the `EIP712Domain` entry that ethers
infers itself: the golden receipts' acts, assembled as the receipt's `eip712.assembly` says, and
signed-payload files for a Notarisation, an Act and a BatchAnchor; a changed term recovers another
address.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from node_tools import node_with

from notary import batch, ledger, signed_payload
from notary.chain.connect import in_process
from notary.ledger import SignedPayload
from notary.models import Intent
from notary.testing import World

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "eip712" / "verify_typed_data.js"
GOLDEN = ROOT / "tests" / "receipts" / "golden"
VALID = sorted(p.name for p in GOLDEN.glob("valid-*.receipt.json"))


@pytest.fixture(scope="module")
def node() -> str:
    """The node binary, with the pinned library installed; else skip (or fail in CI)."""
    return node_with("ethers", "ethers (JavaScript EIP-712)")


def ethers_recover(node: str, docs: list[dict[str, Any]]) -> list[str]:
    """The address ethers recovers for each {domain, types, primaryType, message, signature}; also checks
    that the primary type ethers infers from the types is the document's."""
    done = subprocess.run(
        [node, str(SCRIPT)], input=json.dumps(docs), capture_output=True, text=True, timeout=120, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    results: list[dict[str, str]] = json.loads(done.stdout)
    assert [r["primaryType"] for r in results] == [d["primaryType"] for d in docs]
    return [r["address"] for r in results]


def _in_file_encoding(message: dict[str, Any]) -> None:
    """The message is given to ethers in the files' own encoding: uint64 as decimal strings, bytes as hex."""
    assert isinstance(message["deadline"], str) and message["deadline"].isdigit()
    for v in [*message.values(), *message.get("terms", {}).values()]:
        if isinstance(v, str) and v.startswith("0x"):
            assert len(v) == 66


# --------------------------------------------------------------------- the golden receipts


def receipt_documents(body: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """(EIP-712 document with its signature, signer) of every signed act of a receipt, built from the file
    alone as its `eip712.assembly` says: the act's primary type's types, the domain, and the act's
    message (with `terms = record.terms` for a record's attestations)."""
    e = body["eip712"]
    if "record" in body:
        acts = body["record"]["attestations"]
        messages = [{**a["message"], "terms": body["record"]["terms"]} for a in acts]
    else:
        acts = [body["batch"]["anchor"]]
        messages = [acts[0]["message"]]
    return [
        (
            {
                "domain": e["domain"],
                "types": e["types"][a["primaryType"]],
                "primaryType": a["primaryType"],
                "message": m,
                "signature": a["signature"],
            },
            a["signer"],
        )
        for a, m in zip(acts, messages, strict=True)
    ]


@pytest.mark.parametrize("name", VALID)
def test_ethers_recovers_every_signer_of_the_golden_receipt(node: str, name: str) -> None:
    """For each act of a golden receipt, ethers' verifyTypedData over the file's own domain, types and
    message recovers exactly the act's recorded signer."""
    docs = receipt_documents(json.loads((GOLDEN / name).read_bytes()))
    assert docs
    for doc, _ in docs:
        assert "EIP712Domain" in doc["types"]
        _in_file_encoding(doc["message"])
    assert ethers_recover(node, [d for d, _ in docs]) == [signer for _, signer in docs]


def test_golden_receipts_cover_every_primary_type() -> None:
    """The goldens hold a Notarisation, an Act and a BatchAnchor between them."""
    kinds = {d["primaryType"] for n in VALID for d, _ in receipt_documents(json.loads((GOLDEN / n).read_bytes()))}
    assert kinds == {"Notarisation", "Act", "BatchAnchor"}


# --------------------------------------------------------------------- signed-payload files


@pytest.fixture(scope="module")
def signed_files() -> dict[str, SignedPayload]:
    """A Notarisation, an Act (a withdrawal with a non-ASCII reason), a BatchAnchor, and an Act whose
    deadline is the largest uint64 (past JavaScript's exact integers), each signed by a party's key."""
    world = World.build(in_process())
    domain, fra, sgp = world.gw.domain, world.signers["FRA"], world.signers["SGP"]
    rid = world.notarise(b"\x42" * 32, metadata={"title": "Accord"})
    terms = world.gw.terms(rid)
    act = ledger.prepare_act(terms, "SGP", Intent.WITHDRAWAL, world.deadline(), "retrait, note n° 2026/4 — 撤回")
    root = b"\x5e" * 32
    anchor = batch.prepare_anchor(root, "FRA", world.deadline(), batch.anchor_metadata(3, "Lot"))
    far = ledger.prepare_act(terms, "SGP", Intent.SIGNATURE, 2**64 - 1)
    return {
        "Notarisation": ledger.sign(world.notarisation(b"\x43" * 32, metadata={"n": 1}), domain, fra),
        "Act": ledger.sign(act, domain, sgp),
        "BatchAnchor": ledger.sign(anchor, domain, fra),
        "Act-max-deadline": ledger.sign(far, domain, sgp),
    }


def file_document(signed: SignedPayload) -> tuple[dict[str, Any], str]:
    """The signed-payload file's `typedData`, as written by `signed_payload.to_json`, with its signature."""
    body = json.loads(signed_payload.to_json(signed))
    return {**body["typedData"], "signature": body["signature"]}, body["signer"]


def test_ethers_recovers_the_signer_of_signed_payload_files(node: str, signed_files: dict[str, SignedPayload]) -> None:
    """Each file's typedData, given to ethers as it is, recovers the file's signer: the party's key."""
    docs = [file_document(s) for s in signed_files.values()]
    assert [d["primaryType"] for d, _ in docs] == ["Notarisation", "Act", "BatchAnchor", "Act"]
    for (doc, signer), s in zip(docs, signed_files.values(), strict=True):
        assert signer == s.signer and "EIP712Domain" in doc["types"]
        _in_file_encoding(doc["message"])
    assert docs[3][0]["message"]["deadline"] == str(2**64 - 1)
    assert ethers_recover(node, [d for d, _ in docs]) == [s.signer for s in signed_files.values()]


def _tamper(doc: dict[str, Any]) -> dict[str, Any]:
    """The document with one term changed: the record's quorum, or a batch anchor's root."""
    out = json.loads(json.dumps(doc))
    m = out["message"]
    if "terms" in m:
        m["terms"]["quorum"] = 1 if m["terms"]["quorum"] != 1 else 2
    else:
        m["root"] = "0x" + ("00" if m["root"][2:4] != "00" else "11") + m["root"][4:]
    return out


def test_a_changed_term_recovers_another_address(node: str, signed_files: dict[str, SignedPayload]) -> None:
    """The check is live: with one term changed, ethers recovers some other address, for every file and
    every golden act; the untouched documents, in the same run, still recover their signers."""
    docs = [file_document(s) for s in signed_files.values()]
    docs += [d for n in VALID for d in receipt_documents(json.loads((GOLDEN / n).read_bytes()))]
    tampered = [_tamper(d) for d, _ in docs]
    assert all(t["message"] != d["message"] for t, (d, _) in zip(tampered, docs, strict=True))
    recovered = ethers_recover(node, tampered + [d for d, _ in docs])
    signers = [s for _, s in docs]
    assert recovered[len(docs) :] == signers
    for got, signer in zip(recovered[: len(docs)], signers, strict=True):
        assert got != signer
