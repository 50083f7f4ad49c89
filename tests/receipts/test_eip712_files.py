"""Anyone's EIP-712 library checks the files' signatures: eth-account's own `encode_typed_data`, fed
the file's data as it is (never our helper), recovers every signer of the golden receipts and of a
signed-payload file; version 1 files are refused as made for protocol v1."""

from __future__ import annotations

import json
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import to_checksum_address
from goldens import GOLDEN

from notary import eip712, receipts, signed_payload
from notary.codes import kind_code, party_code, text_to_bytes32
from notary.ledger import SignedPayload
from notary.models import Act, BatchAnchor, Intent, Notarisation, Terms

VALID = sorted(p.name for p in GOLDEN.glob("valid-*.receipt.json"))


def documents_of(body: dict[str, Any]) -> list[tuple[dict[str, Any], str, str]]:
    """(EIP-712 document, signer, signature) of every signed act, assembled as `eip712.assembly` says."""
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
                "types": e["types"][a["primaryType"]],
                "primaryType": a["primaryType"],
                "domain": e["domain"],
                "message": m,
            },
            a["signer"],
            a["signature"],
        )
        for a, m in zip(acts, messages, strict=True)
    ]


@pytest.mark.parametrize("name", VALID)
def test_eth_account_recovers_every_signer_from_the_receipt(name: str) -> None:
    """For each act of a golden receipt, eth-account's encode_typed_data over the file's own types, domain
    and message (plus the record's terms, once) recovers exactly the act's signer."""
    body = json.loads((GOLDEN / name).read_bytes())
    docs = documents_of(body)
    assert docs
    for doc, signer, signature in docs:
        assert "EIP712Domain" in doc["types"] and doc["domain"]["name"] == "NotaryLedger"
        assert doc["domain"]["version"] == "2" and doc["domain"]["chainId"] == body["chain"]["chainId"]
        recovered = Account.recover_message(encode_typed_data(full_message=doc), signature=bytes.fromhex(signature[2:]))
        assert recovered == signer


@pytest.mark.parametrize("name", VALID)
def test_the_files_documents_are_what_eip712_typed_data_builds(name: str) -> None:
    """The assembled document is, value for value, `eip712.typed_data` of the parsed payload: the same bytes
    to sign, the same types (field order and widths) and the same domain."""
    raw = (GOLDEN / name).read_bytes()
    r = receipts.loads(raw)
    evidence = r.record.attestations if r.record is not None else (r.batch.anchor,)  # type: ignore[union-attr]
    for (doc, _, _), e in zip(documents_of(json.loads(raw)), evidence, strict=True):
        ours = eip712.typed_data(e.payload, r.chain.domain)
        assert doc["types"] == ours["types"] and doc["domain"] == ours["domain"]
        assert doc["primaryType"] == ours["primaryType"]
        assert encode_typed_data(full_message=doc) == encode_typed_data(full_message=ours)


def test_receipt_says_how_to_assemble_the_documents() -> None:
    """The receipt names its assembly rule, and holds the record's terms once (no act repeats them)."""
    body = json.loads((GOLDEN / "valid-bilateral-record.receipt.json").read_bytes())
    assert "message with terms = record.terms" in body["eip712"]["assembly"]
    assert all("terms" not in a["message"] for a in body["record"]["attestations"])
    assert set(body["eip712"]["types"]) == {"Notarisation", "Act"}


# --------------------------------------------------------------------- the signed-payload file

DOMAIN = eip712.Domain(31337, to_checksum_address("0x" + "5a" * 20))
KEY = Account.from_key(b"\x07" * 32)
TERMS = Terms(
    b"\x11" * 32, text_to_bytes32("sha256"), kind_code("treaty"), party_code("FRA"),
    (party_code("FRA"), party_code("SGP")), 2, bytes(32), b"\x22" * 32, True,
)  # fmt: skip
PAYLOADS: list[Notarisation | Act | BatchAnchor] = [
    Notarisation.of(TERMS, 4_000_000_000),
    Act(TERMS, party_code("SGP"), Intent.WITHDRAWAL, "ceasing to apply, note 2026/4", 2**64 - 1),
    BatchAnchor(b"\x33" * 32, party_code("FRA"), text_to_bytes32("sha256"), bytes(32), 123),
]


def signed(payload: Notarisation | Act | BatchAnchor) -> SignedPayload:
    return SignedPayload(payload, DOMAIN, KEY.address, eip712.sign(payload, DOMAIN, KEY.key))


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda p: type(p).__name__)
def test_signed_payload_file_is_a_complete_eip712_document(payload: Notarisation | Act | BatchAnchor) -> None:
    """The file's typedData goes to eth-account as it is and recovers the signer; it reads back to the payload."""
    text = signed_payload.to_json(signed(payload))
    body = json.loads(text)
    assert body["version"] == 2 and set(body) == {"mediaType", "version", "typedData", "signer", "signature"}
    typed = body["typedData"]
    assert typed["types"] == eip712.types_of(type(payload).__name__)
    recovered = Account.recover_message(
        encode_typed_data(full_message=typed), signature=bytes.fromhex(body["signature"][2:])
    )
    assert recovered == KEY.address
    assert encode_typed_data(full_message=typed) == encode_typed_data(full_message=eip712.typed_data(payload, DOMAIN))
    assert signed_payload.from_json(text) == signed(payload)


def test_version_1_signed_payload_is_refused_as_protocol_v1() -> None:
    """A version 1 file is refused with its own typed error: made for protocol v1, re-issue it."""
    body = json.loads(signed_payload.to_json(signed(PAYLOADS[1])))
    body["version"] = 1
    with pytest.raises(signed_payload.SignedPayloadProtocolV1Error, match="made for protocol v1; re-issue it"):
        signed_payload.from_json(json.dumps(body))
    body["version"] = 3
    with pytest.raises(signed_payload.SignedPayloadVersionError, match="version 3"):
        signed_payload.from_json(json.dumps(body))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t["types"]["Act"][4].update(type="uint256"), "not protocol v2's Act"),
        (lambda t: t["types"]["Terms"].reverse(), "not protocol v2's Act"),
        (lambda t: t["domain"].update(version="1"), "version '1'"),
        (lambda t: t["message"]["terms"].pop("quorum"), "fields differ"),
        (lambda t: t["message"].update(deadline=5), "decimal string"),
        (lambda t: t.update(primaryType="Terms"), "unknown"),
    ],
)
def test_signed_payload_file_is_read_strictly(change: Any, message: str) -> None:
    """Other types, another domain version, a missing field or an integer deadline: each a typed format error."""
    body = json.loads(signed_payload.to_json(signed(PAYLOADS[1])))
    change(body["typedData"])
    with pytest.raises(signed_payload.SignedPayloadFormatError, match=message):
        signed_payload.from_json(json.dumps(body))
