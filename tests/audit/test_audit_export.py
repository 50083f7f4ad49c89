"""Exports: every format, deterministic bytes, manifest, filters, off-chain re-check; verify on honest exports."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from index_helpers import Story

from notary.audit import Manifest, export, manifest_path, verify_export
from notary.audit.merkle_log import EMPTY_ROOT, TreeHasher, leaf_hash, root_of
from notary.audit.rows import COLUMNS
from notary.chain.events import EventReader
from notary.errors import InvalidInputError
from notary.index import EventFilter, IndexReader


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "pdf"])
def test_export_is_deterministic_and_carries_a_manifest(
    fmt: str, index: IndexReader, reader: EventReader, tmp_path: Path
) -> None:
    """The same range exported twice gives the same bytes and the same manifest."""
    a, b = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    ma, mb = export(index, a, fmt), export(index, b, fmt)
    assert a.read_bytes() == b.read_bytes()
    assert manifest_path(a).read_text() == manifest_path(b).read_text()
    assert Manifest.load(manifest_path(a)) == ma == mb
    state = index.state()
    assert state is not None
    assert (ma.from_block, ma.to_block) == (reader.start_block, state.last_block)
    assert ma.head_block_hash == reader.block(state.last_block).hash
    assert ma.row_count == index.count() and ma.merkle_root.startswith("0x")


def test_csv_and_jsonl_hold_the_same_rows_and_verify_against_the_chain(
    index: IndexReader, reader: EventReader, tmp_path: Path
) -> None:
    """Both machine formats commit to the same Merkle root, and `audit verify` says they hold."""
    mc = export(index, tmp_path / "t.csv", "csv")
    mj = export(index, tmp_path / "t.jsonl", "jsonl")
    assert mc.merkle_root == mj.merkle_root and mc.row_count == mj.row_count
    with (tmp_path / "t.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == COLUMNS
    assert [json.loads(line)["event"] for line in (tmp_path / "t.jsonl").read_text().splitlines()] == [
        r["event"] for r in rows
    ]
    for path in (tmp_path / "t.csv", tmp_path / "t.jsonl"):
        report = verify_export(path, reader)
        assert report.ok, report.problems
        assert report.rows == mc.row_count


def test_each_row_reports_the_off_chain_recheck(sqlite_index: IndexReader, story: Story, tmp_path: Path) -> None:
    """Signed acts re-verify; the act of a key later declared compromised is reported invalid."""
    export(sqlite_index, tmp_path / "t.csv", "csv")
    with (tmp_path / "t.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    signed = [r for r in rows if r["event"] in ("ActRecorded", "BatchAnchored")]
    assert signed and all(r["check"] != "n/a" for r in signed)
    assert all(r["check"] == "n/a" for r in rows if r not in signed)
    sgp = [r for r in signed if r["party"] == "SGP"]
    assert len(sgp) == 1 and sgp[0]["check"].startswith("invalid: the key was revoked")
    assert sgp[0]["signer"] == story.compromised_signer
    assert all(r["check"] == "valid" for r in signed if r["party"] != "SGP")
    withdrawal = next(r for r in rows if r["intent"] == "withdrawal")
    assert (withdrawal["party"], withdrawal["reason"], withdrawal["kind"]) == ("DEU", "parliament refused", "treaty")


def test_filtered_export_holds_only_matching_rows_and_still_verifies(
    sqlite_index: IndexReader, reader: EventReader, tmp_path: Path
) -> None:
    """--party and --kind select rows; verify re-derives the same selection from the chain."""
    m = export(sqlite_index, tmp_path / "fra.jsonl", "jsonl", EventFilter(party="FRA", kind="treaty"))
    rows = [json.loads(line) for line in (tmp_path / "fra.jsonl").read_text().splitlines()]
    assert rows and all(r["party"] == "FRA" and r["kind"] == "treaty" for r in rows)
    assert m.filters == {"party": "FRA", "kind": "treaty"} and m.row_count == len(rows)
    assert verify_export(tmp_path / "fra.jsonl", reader).ok
    state = sqlite_index.state()
    assert state is not None
    ranged = export(sqlite_index, tmp_path / "r.csv", "csv", EventFilter(from_block=state.last_block - 3))
    assert 0 < ranged.row_count < sqlite_index.count()
    assert verify_export(tmp_path / "r.csv", reader).ok


def test_pdf_report_is_a_pdf_and_verify_points_to_the_machine_formats(
    sqlite_index: IndexReader, reader: EventReader, tmp_path: Path
) -> None:
    """The PDF is for people; verifying it is refused with a hint, not passed."""
    export(sqlite_index, tmp_path / "t.pdf", "pdf")
    assert (tmp_path / "t.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(InvalidInputError, match="for people"):
        verify_export(tmp_path / "t.pdf", reader)


def test_merkle_tree_matches_rfc6962_vectors_and_the_recursive_definition() -> None:
    """Known answers for the empty tree and the empty leaf; incremental equals recursive for 0..70 leaves."""
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"").hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    leaves = [bytes([i]) * (i % 5) for i in range(70)]
    for n in range(71):
        tree = TreeHasher()
        for leaf in leaves[:n]:
            tree.add(leaf)
        assert tree.root() == root_of(leaves[:n])
