"""Exports: every format, deterministic bytes, manifest, filters, off-chain re-check; verify on honest exports."""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path

import pytest
from index_helpers import Story

from notary.audit import Manifest, export, manifest_path, verify_export
from notary.audit.merkle_log import EMPTY_ROOT, TreeHasher, leaf_hash, root_of
from notary.audit.rows import COLUMNS
from notary.chain.events import ChainLog, EventReader
from notary.errors import InvalidInputError
from notary.index import EventFilter, IndexReader
from notary.index.normalise import Event, RecordInfo, normalise


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "pdf"])
def test_export_is_deterministic_and_carries_a_manifest(
    fmt: str, index: IndexReader, reader: EventReader, tmp_path: Path
) -> None:
    """The same range exported twice gives the same bytes and the same manifest (the PDF: for the same
    stated generation time)."""
    a, b = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    ma, mb = export(index, a, fmt, generated_at=1_800_000_000), export(index, b, fmt, generated_at=1_800_000_000)
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
    """Signed acts re-verify from their events; acts voided on chain are `voided` rows, and so are the
    ActVoided events; nothing else carries a check."""
    export(sqlite_index, tmp_path / "t.csv", "csv")
    with (tmp_path / "t.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    signed = [r for r in rows if r["event"] in ("ActRecorded", "BatchAnchored")]
    voids = [r for r in rows if r["event"] == "ActVoided"]
    assert signed and all(r["check"] != "n/a" for r in signed)
    assert all(r["check"] == "n/a" for r in rows if r not in signed and r not in voids)
    voided = [r for r in signed if r["check"].startswith("voided")]
    # SGP's MoU signature (its key declared compromised), and DEU's first notarisation of the
    # re-notarised record: each with why it is void.
    assert [(r["party"], r["intent"]) for r in voided] == [("SGP", "signature"), ("DEU", "signature")]
    assert voided[0]["signer"] == story.compromised_signer
    assert all("the key was revoked (declared compromised)" in r["check"] for r in voided)
    assert [(r["party"], r["record"]) for r in voids] == [
        ("SGP", "0x" + story.mou.hex()),
        ("DEU", "0x" + story.renotarised.hex()),
    ]
    assert all(r["check"].startswith("voided: the key was revoked") for r in voids)
    assert all(r["check"] == "valid" for r in signed if r not in voided)
    relayed = next(r for r in signed if r["tx_hash"] == story.relayed_tx)
    assert (relayed["party"], relayed["check"]) == ("SGP", "valid")  # relayed through a contract
    withdrawal = next(r for r in rows if r["intent"] == "withdrawal")
    assert (withdrawal["party"], withdrawal["reason"], withdrawal["kind"]) == ("DEU", "parliament refused", "treaty")
    detail = json.loads(withdrawal["detail"])
    assert detail["deadline"] > detail["time"] and len(detail["signature"]) == 2 + 130


def test_check_comes_from_the_event_alone(sqlite_index: IndexReader, reader: EventReader) -> None:
    """The check rebuilds the signed payload from the event: another act's signature, a changed reason
    or a deadline before the act's time each make it invalid; a key not yet voided says so."""
    from notary.audit.rows import KeyWindows, Voids, check
    from notary.eip712 import Domain
    from notary.index.normalise import record_info

    domain = Domain(reader.chain.chain_id, reader.deployment.ledger.address)
    logs = reader.logs(reader.start_block, reader.head())
    records: dict[str, RecordInfo] = {}
    acts: list[tuple[ChainLog, Event]] = []
    for log in logs:
        ev = normalise(log, domain, records.get, reader.is_contract)
        if ev.event == "RecordNotarised":
            records[ev.record] = record_info(ev)
        if ev.event == "ActRecorded":
            acts.append((log, ev))
    windows = KeyWindows.from_events(sqlite_index.iter_events())
    withdrawal_log, withdrawal = next(a for a in acts if a[1].intent == "withdrawal")
    other_log = acts[0][0]
    assert check(withdrawal.as_dict(), windows, Voids()) == "valid"

    def renormalised(**changes: object) -> dict[str, object]:
        log = dataclasses.replace(withdrawal_log, args={**withdrawal_log.args, **changes})
        return normalise(log, domain, records.get, reader.is_contract).as_dict()

    swapped = renormalised(signature=other_log.args["signature"])
    assert check(swapped, windows, Voids()).startswith("invalid: the signature recovers to")
    assert check(renormalised(reason="another reason"), windows, Voids()).startswith("invalid: the signature")
    late = withdrawal.as_dict()
    late["detail"] = json.dumps({**json.loads(withdrawal.detail), "deadline": withdrawal_log.args["time"] - 1})
    assert check(late, windows, Voids()).startswith("invalid: the signed payload expired")
    # Without the ActVoided events, a compromised act is invalid and not yet voided.
    sgp = next(ev for _, ev in acts if ev.party == "SGP")
    assert check(sgp.as_dict(), windows, Voids()).endswith("not voided on chain yet (anyone may void it)")


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
