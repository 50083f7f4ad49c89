"""Golden receipts: the valid ones verify offline, each invalid one fails with its own precise reason,
and no single-byte alteration of a valid receipt ever verifies."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest
from goldens import DOCUMENTS, GOLDEN, GOLDEN_PIN, MEMBER, all_goldens

from notary import receipts
from notary.errors import InvalidInputError
from notary.receipts.verify import verify_offline
from notary.trust import Anchors

VALID = {
    "valid-bilateral-record.receipt.json": "mou.txt",
    "valid-multi-text.receipt.json": "treaty-fr.txt",
    "valid-batch-member.receipt.json": f"certificate-{MEMBER:04d}.txt",
}

# Each invalid file: the error class it raises when read, or the verification reason it fails with.
INVALID: dict[str, type[Exception] | str] = {
    "invalid-oversize.receipt.json": receipts.ReceiptTooLargeError,
    "invalid-not-utf8.receipt.json": receipts.ReceiptSyntaxError,
    "invalid-not-json.receipt.json": receipts.ReceiptSyntaxError,
    "invalid-trailing-data.receipt.json": receipts.ReceiptTrailingDataError,
    "invalid-duplicate-key.receipt.json": receipts.ReceiptSyntaxError,
    "invalid-not-canonical.receipt.json": receipts.ReceiptNotCanonicalError,
    "invalid-media-type.receipt.json": receipts.ReceiptMediaTypeError,
    "invalid-version.receipt.json": receipts.ReceiptVersionError,
    "invalid-protocol-v1.receipt.json": receipts.ReceiptProtocolV1Error,
    "invalid-eip712-types.receipt.json": receipts.ReceiptFieldError,
    "invalid-unknown-field.receipt.json": receipts.ReceiptUnknownFieldError,
    "invalid-missing-field.receipt.json": receipts.ReceiptMissingFieldError,
    "invalid-field-value.receipt.json": receipts.ReceiptFieldError,
    "invalid-limit.receipt.json": receipts.ReceiptLimitError,
    "invalid-altered-unsealed.receipt.json": "the record section does not match its seal",
    "invalid-signature.receipt.json": "SGP's signature: the signature recovers to",
    "invalid-other-terms.receipt.json": "it is not over this act and these terms on this ledger",
    "invalid-void-claim.receipt.json": "SGP's signature is marked voided, but its key was authorised at its time",
    "invalid-malleable-signature.receipt.json": "upper half of the curve order",
    "invalid-payload-mismatch.receipt.json": "the signed terms differ from the receipt's claims in quorum",
    "invalid-record-id.receipt.json": "the record id does not bind the document digest and the submitter",
    "invalid-key-window.receipt.json": "was not authorised for SGP",
    "invalid-key-revoked.receipt.json": "was not authorised for FRA",
    "invalid-expired.receipt.json": "after the signed deadline",
    "invalid-quorum.receipt.json": "pending: 1 of 2 required valid signatures (waiting for SGP)",
    "invalid-status.receipt.json": "the record was annulled when this receipt was written, but its acts give executed",
    "invalid-metadata.receipt.json": "the metadata does not hash to the signed metadataHash",
    "invalid-text-path.receipt.json": "text 2 (treaty-fr.txt): its Merkle path does not lead to the instrument digest",
    "invalid-text-role.receipt.json": "the texts listed differ from the texts in the signed metadata",
    "invalid-batch-path.receipt.json": "the Merkle path does not lead from the document to the anchored root",
}


def golden(name: str) -> bytes:
    return (GOLDEN / name).read_bytes()


def digest(name: str) -> bytes:
    return hashlib.sha256(golden(name)).digest()


def test_goldens_are_reproduced_byte_for_byte() -> None:
    """A deterministic chain regenerates every committed golden file exactly: the format has not drifted."""
    generated = all_goldens()
    on_disk = {p.name for p in GOLDEN.iterdir()}
    assert on_disk == set(generated), "regenerate with: .venv/bin/python tests/receipts/goldens.py"
    changed = [name for name, raw in generated.items() if golden(name) != raw]
    assert not changed, f"golden files differ from what the code writes now: {changed}"


def test_every_failure_mode_has_a_golden_file() -> None:
    """The invalid goldens are exactly the failure modes listed here (one file each)."""
    assert {p.name for p in GOLDEN.glob("invalid-*")} == set(INVALID)


@pytest.mark.parametrize(("receipt", "document"), sorted(VALID.items()))
def test_valid_golden_verifies_offline(receipt: str, document: str) -> None:
    """Each valid golden receipt verifies its document offline, with no warning, against the explicit pin of
    the goldens' deployment; with nothing pinned it fails."""
    verdict = verify_offline(receipts.loads(golden(receipt)), digest(document), GOLDEN_PIN)
    assert verdict.ok, verdict.reasons
    assert verdict.warnings == []
    assert "canonical history" in verdict.trust
    assert verdict.deployment is not None and verdict.deployment.label == "golden receipts"
    unpinned = verify_offline(receipts.loads(golden(receipt)), digest(document), Anchors())
    assert not unpinned.ok and "is not pinned" in unpinned.reasons[0]


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_golden_fails_with_its_reason(name: str) -> None:
    """Each invalid golden fails, at parsing with its typed error or at verification with its reason."""
    expected = INVALID[name]
    document = "mou.txt"
    if "text" in name:
        document = "treaty-fr.txt"
    elif "batch" in name or "limit" in name:
        document = f"certificate-{MEMBER:04d}.txt"
    if isinstance(expected, type):
        with pytest.raises(expected) as info:
            receipts.loads(golden(name))
        assert isinstance(info.value, InvalidInputError) and info.value.message
        assert type(info.value) is expected or expected is receipts.ReceiptFieldError
        return
    verdict = verify_offline(receipts.loads(golden(name)), digest(document), GOLDEN_PIN)
    assert not verdict.ok
    assert any(expected in r for r in verdict.reasons), verdict.reasons


def _mutations(byte: int) -> list[int]:
    """Two replacements for a byte: a low-bit flip, and for hex digits another hex digit."""
    out = [byte ^ 0x01]
    hexdigits = b"0123456789abcdef"
    if byte in hexdigits:
        out.append(hexdigits[(hexdigits.index(byte) + 7) % 16])
    elif 0x20 <= byte < 0x7F:
        out.append(byte + 1 if byte < 0x7E else 0x20)
    return [b for b in dict.fromkeys(out) if b != byte]


@pytest.mark.parametrize(
    ("name", "positions"),
    [
        ("valid-bilateral-record.receipt.json", None),
        ("valid-multi-text.receipt.json", 700),
        ("valid-batch-member.receipt.json", 700),
    ],
)
def test_any_single_byte_alteration_fails(name: str, positions: int | None) -> None:
    """Each byte position (all of the bilateral receipt, a random sample of the others), altered two ways,
    fails: a typed parse error or a verification reason, never a pass."""
    raw = golden(name)
    target = digest(VALID[name])
    assert verify_offline(receipts.loads(raw), target, GOLDEN_PIN).ok
    chosen = range(len(raw)) if positions is None else sorted(random.Random(name).sample(range(len(raw)), positions))
    parse_errors = verification_failures = 0
    for i in chosen:
        byte = raw[i]
        for replacement in _mutations(byte):
            altered = raw[:i] + bytes([replacement]) + raw[i + 1 :]
            try:
                receipt = receipts.loads(altered)
            except receipts.ReceiptFormatError as exc:
                assert exc.message
                parse_errors += 1
                continue
            verdict = verify_offline(receipt, target, GOLDEN_PIN)
            assert not verdict.ok, f"byte {i} {chr(byte)!r} -> {chr(replacement)!r} still verifies"
            assert all(verdict.reasons)
            verification_failures += 1
    assert parse_errors > 0 and verification_failures > 0


def test_documents_are_the_goldens_documents() -> None:
    """The documents the goldens prove are committed beside them."""
    for name, content in DOCUMENTS.items():
        assert Path(GOLDEN / name).read_bytes() == content
