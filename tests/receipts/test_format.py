"""The receipt and bundle formats: canonical round trips, strict parsing, limits; the fast tree builder."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from goldens import GOLDEN, GOLDEN_PIN, MEMBER
from hypothesis import given, settings
from hypothesis import strategies as st

from notary import batch, merkle, receipts
from notary.errors import InvalidInputError
from notary.receipts.verify import verify_offline

BILATERAL = GOLDEN / "valid-bilateral-record.receipt.json"
MEMBER_RECEIPT = GOLDEN / "valid-batch-member.receipt.json"


def body(path: Path = BILATERAL) -> dict[str, Any]:
    return dict(json.loads(path.read_bytes()))


def test_round_trip_is_byte_identical() -> None:
    """Reading and writing a receipt again gives the same canonical bytes."""
    for path in GOLDEN.glob("valid-*.json"):
        raw = path.read_bytes()
        assert receipts.dumps(receipts.loads(raw)) == raw
        assert rfc8785.dumps(json.loads(raw)) == raw


def test_receipt_is_small_and_documented_limits_hold() -> None:
    """A bilateral receipt is a few KiB, far below the 1 MiB limit."""
    assert 2_000 < BILATERAL.stat().st_size < 8_000
    assert receipts.MAX_BYTES == 1024 * 1024


def test_record_and_batch_together_are_refused() -> None:
    """A receipt proves a record or a batch membership, not both: writing and reading refuse it."""
    r = receipts.loads(BILATERAL.read_bytes())
    m = receipts.loads(MEMBER_RECEIPT.read_bytes())
    with pytest.raises(InvalidInputError):
        receipts.dumps(receipts.Receipt(r.chain, r.document, r.metadata, record=r.record, batch=m.batch))
    both = body()
    both["batch"] = body(MEMBER_RECEIPT)["batch"]
    with pytest.raises(receipts.ReceiptUnknownFieldError, match="batch"):
        receipts.loads(rfc8785.dumps(both))
    neither = body()
    del neither["record"]
    with pytest.raises(receipts.ReceiptMissingFieldError, match="neither a record nor a batch"):
        receipts.loads(rfc8785.dumps(neither))


@pytest.mark.parametrize(
    ("path", "value", "error"),
    [
        ("record.attestations", [], receipts.ReceiptFieldError),
        ("record.quorum", True, receipts.ReceiptFieldError),
        ("record.quorum", 1.5, receipts.ReceiptFieldError),
        ("record.status", "none", receipts.ReceiptFieldError),
        ("record.parties", ["FRA", "fra"], receipts.ReceiptFieldError),
        ("record.supersedes", "0x" + "00" * 32, receipts.ReceiptFieldError),
        ("document.digest", "0x" + "AB" * 32, receipts.ReceiptFieldError),
        ("document.texts", [{}] * 257, receipts.ReceiptLimitError),
        ("chain.ledger", "0x" + "ab" * 20, receipts.ReceiptFieldError),
        ("metadata", {"title": "x" * 70_000}, receipts.ReceiptLimitError),
        ("metadata", [], receipts.ReceiptFieldError),
        ("seal.algorithm", "md5", receipts.ReceiptFieldError),
    ],
)
def test_malformed_values_are_typed_errors(path: str, value: Any, error: type[Exception]) -> None:
    """Each malformed value is refused with a typed error naming the field."""
    b = body()
    *parents, last = path.split(".")
    node: Any = b
    for p in parents:
        node = node[p]
    node[last] = value
    with pytest.raises(error):
        receipts.loads(rfc8785.dumps(b))


def test_too_many_attestations_is_a_limit_error() -> None:
    """More than 320 acts (160 standing, as many voided) is refused before they are parsed."""
    b = body()
    b["record"]["attestations"] = b["record"]["attestations"] * 161
    with pytest.raises(receipts.ReceiptLimitError, match="320"):
        receipts.loads(rfc8785.dumps(b))


def test_big_uint64_values_are_decimal_strings() -> None:
    """Key windows reach 2^63: written as strings, since I-JSON integers stop at 2^53."""
    attestation = body()["record"]["attestations"][0]
    assert attestation["signerKey"]["validUntil"] == str(2**63)
    assert isinstance(attestation["message"]["deadline"], str)


def test_wrong_document_and_missing_metadata_are_reported() -> None:
    """Another file fails with both digests named; a receipt without metadata warns that only its hash is signed."""
    r = receipts.loads(BILATERAL.read_bytes())
    wrong = verify_offline(r, hashlib.sha256(b"other").digest(), GOLDEN_PIN)
    assert not wrong.ok and "is not the receipt's document" in wrong.reasons[0]
    without = receipts.Receipt(r.chain, r.document, None, record=r.record)
    v = verify_offline(receipts.loads(receipts.dumps(without)), r.document.digest, GOLDEN_PIN)
    assert v.ok and "only its hash" in v.warnings[0]


def test_contract_signer_is_a_warning_offline() -> None:
    """An EIP-1271 contract signer cannot be checked offline: counted as the chain accepted it, with a warning."""
    from dataclasses import replace

    r = receipts.loads(BILATERAL.read_bytes())
    assert r.record is not None
    acts = list(r.record.attestations)
    acts[1] = replace(acts[1], contract_signer=True, signature=b"\x01" * 100)
    r2 = receipts.loads(receipts.dumps(replace(r, record=replace(r.record, attestations=tuple(acts)))))
    v = verify_offline(r2, r.document.digest, GOLDEN_PIN)
    assert v.ok and "cannot be checked offline" in v.warnings[0]


# --------------------------------------------------------------------- the fast tree builder


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=70))
def test_fast_tree_equals_the_frozen_tree(digests: list[bytes]) -> None:
    """FastMerkleTree has the same nodes, root and proofs as MerkleTree for any batch."""
    slow, fast = merkle.MerkleTree(digests), merkle.FastMerkleTree(digests)
    assert fast.nodes == slow.nodes and fast.root == slow.root
    for i in range(len(digests)):
        assert fast.proof(i) == slow.proof(i)
        assert merkle.verify(digests[i], fast.proof(i), fast.root)
        assert len(fast.proof(i)) <= batch.depth(len(digests))


def test_fast_tree_refuses_what_the_frozen_tree_refuses() -> None:
    """No documents, or a digest of the wrong size, are input errors."""
    with pytest.raises(InvalidInputError):
        merkle.FastMerkleTree([])
    with pytest.raises(InvalidInputError):
        merkle.FastMerkleTree([b"short"])


# --------------------------------------------------------------------- batches and bundles


def test_collect_walks_folders_in_order(tmp_path: Path) -> None:
    """A folder is walked recursively in sorted order, named relative to it; files keep their path."""
    (tmp_path / "b").mkdir()
    for name in ("b/2.txt", "a.txt", "b/1.txt"):
        (tmp_path / name).write_text(name)
    extra = tmp_path.parent / f"{tmp_path.name}-extra.txt"
    extra.write_text("x")
    assert [n for n, _ in batch.collect([tmp_path, extra])] == ["a.txt", "b/1.txt", "b/2.txt", str(extra)]
    with pytest.raises(InvalidInputError):
        batch.collect([tmp_path / "missing"])


def test_worker_hashing_equals_sequential(tmp_path: Path) -> None:
    """Hashing in worker processes gives the same digests, in order, as hashing here."""
    paths = []
    for i in range(batch.POOL_THRESHOLD + 5):
        p = tmp_path / f"{i}.txt"
        p.write_text(f"document {i}")
        paths.append(p)
    ticks: list[int] = []
    pooled = batch.hash_files(paths, workers=2, progress=ticks.append)
    assert pooled == batch.hash_files(paths, workers=1) == [hashlib.sha256(p.read_bytes()).digest() for p in paths]
    assert sum(ticks) == len(paths)


def _bundle() -> tuple[batch.Bundle, list[bytes]]:
    r = receipts.loads(MEMBER_RECEIPT.read_bytes())
    assert r.batch is not None
    digests = [hashlib.sha256(f"Consular certificate no. {i:04d}\n".encode()).digest() for i in range(10)]
    names = tuple(f"certificate-{i:04d}.txt" for i in range(10))
    return batch.Bundle(r.chain, r.metadata, r.batch.anchor, names, tuple(digests)), digests


def test_bundle_round_trip_and_proofs(tmp_path: Path) -> None:
    """A bundle written and read back rebuilds the anchored root and gives the golden member's receipt."""
    b, digests = _bundle()
    path = tmp_path / "b.json"
    b.write(path)
    again = batch.Bundle.read(path)
    assert again == b
    tree = again.tree()
    assert receipts.dumps(again.receipt(MEMBER, tree)) == MEMBER_RECEIPT.read_bytes()
    assert again.index_of(digests[7]) == 7
    with pytest.raises(InvalidInputError, match="no document"):
        again.index_of(b"\0" * 32)


def test_altered_bundle_index_is_detected(tmp_path: Path) -> None:
    """A bundle whose documents do not rebuild the anchored root (one replaced, one dropped) is refused;
    the order of the index is not part of the root (the tree sorts its leaves)."""
    b, digests = _bundle()
    stranger = hashlib.sha256(b"not anchored").digest()
    for altered in ((stranger, *digests[1:]), tuple(digests[1:])):
        bad = batch.Bundle(b.chain, b.metadata, b.anchor, b.names[: len(altered)], altered)
        with pytest.raises(batch.BundleFormatError, match="do not rebuild the anchored root"):
            bad.tree()
    reordered = batch.Bundle(b.chain, b.metadata, b.anchor, b.names[::-1], tuple(digests[::-1]))
    assert reordered.tree().root == b.payload.root


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda raw: raw + b"{}", "trailing data"),
        (lambda raw: raw.replace(b'"version":2', b'"version":3'), "version 3"),
        (lambda raw: raw.replace(b'"version":2', b'"version":1'), "made for protocol v1; re-issue it"),
        (lambda raw: raw.replace(b'"documents":', b'"extra":0,"documents":'), "fields differ"),
        (lambda raw: raw.replace(b'"mediaType":"application/vnd', b'"mediaType":"text/vnd'), "not a batch bundle"),
        (lambda raw: raw[:-40], "not UTF-8 JSON"),
    ],
)
def test_bundle_is_read_strictly(mutate: Any, message: str) -> None:
    """Trailing data, unknown versions or fields, another media type, broken JSON: each a BundleFormatError."""
    b, _ = _bundle()
    with pytest.raises(batch.BundleFormatError, match=message):
        batch.Bundle.from_json(mutate(b.to_json()))
