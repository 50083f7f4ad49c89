"""`audit verify` names the exact row of each tampering, and checks consistency with an older export."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from index_helpers import digest

from notary.audit import Manifest, export, manifest_path, verify_export
from notary.audit.export import file_sha256
from notary.audit.merkle_log import TreeHasher
from notary.audit.rows import leaf_bytes, parse_row
from notary.chain.events import EventReader
from notary.index import EventFilter, Indexer, IndexReader
from notary.testing import World

Edit = Callable[[list[str]], list[str]]


def _tamper(path: Path, edit: Edit, reseal: bool) -> None:
    """Apply `edit` to the data lines; with `reseal`, also rewrite the manifest to match (a careful forger)."""
    lines = path.read_text().splitlines()
    header, body = (lines[:1], lines[1:]) if path.suffix == ".csv" else ([], lines)
    path.write_text("\n".join(header + edit(body)) + "\n")
    if reseal:
        m = Manifest.load(manifest_path(path))
        tree = TreeHasher()
        for line in edit(body):
            values = json.loads(line)
            tree.add(leaf_bytes(parse_row(values, "row")))
        sealed = Manifest(
            **{
                **m.__dict__,
                "row_count": tree.size,
                "merkle_root": "0x" + tree.root().hex(),
                "file_sha256": file_sha256(path),
            }
        )
        sealed.save(manifest_path(path))


def _alter(body: list[str]) -> list[str]:
    row = json.loads(body[9])
    row["reason"] = "inserted by a forger"
    return body[:9] + [json.dumps(row)] + body[10:]


def _add(body: list[str]) -> list[str]:
    row = json.loads(body[4])
    row["log_index"] = 7
    return body[:5] + [json.dumps(row)] + body[5:]


CASES: dict[str, tuple[Edit, str]] = {
    "removed": (lambda b: b[:6] + b[7:], "missing: "),
    "altered": (_alter, "row 10 "),
    "reordered": (lambda b: b[:11] + [b[12], b[11]] + b[13:], "row 13: out of chain order"),
    "added": (_add, "row 6: no such event on chain"),
    "duplicated": (lambda b: b[:3] + [b[2]] + b[3:], "row 4: duplicates row 3"),
}


@pytest.mark.parametrize("reseal", [False, True], ids=["manifest-left", "manifest-resealed"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_tampered_export_fails_and_names_the_row(
    case: str, reseal: bool, sqlite_index: IndexReader, reader: EventReader, tmp_path: Path
) -> None:
    """Removed, altered, reordered, added or duplicated rows: verify fails and names the row."""
    path = tmp_path / "t.jsonl"
    export(sqlite_index, path, "jsonl")
    original = [json.loads(line) for line in path.read_text().splitlines()]
    edit, expected = CASES[case]
    _tamper(path, edit, reseal)
    report = verify_export(path, reader)
    assert not report.ok
    assert any(p.startswith(expected) for p in report.problems), report.problems
    if case == "removed":
        gone = original[6]
        want = f"missing: {gone['event']} at block {gone['block_number']}, log {gone['log_index']}"
        assert any(p.startswith(want) and p.endswith("it would be row 7") for p in report.problems)
    if case == "altered":
        assert any("reason is 'inserted by a forger'" in p for p in report.problems)
    if not reseal:
        assert any("SHA-256" in p for p in report.problems)


def test_tampered_csv_names_the_row(sqlite_index: IndexReader, reader: EventReader, tmp_path: Path) -> None:
    """The same holds for CSV: an altered signer is named with its row and field."""
    path = tmp_path / "t.csv"
    export(sqlite_index, path, "csv")
    lines = path.read_text().splitlines()
    row5 = lines[5].split(",")
    row5[11] = "0x" + "ab" * 20 if row5[11] else "0x" + "cd" * 20
    lines[5] = ",".join(row5)
    path.write_text("\n".join(lines) + "\n")
    report = verify_export(path, reader)
    assert not report.ok and any(p.startswith("row 5 (") and "signer is" in p for p in report.problems)


def test_new_export_extends_the_previous_one(
    world: World, sqlite_index: IndexReader, reader: EventReader, tmp_path: Path
) -> None:
    """After new events, the new export verifies with --previous; a rewritten old export does not, the changed
    field is named, and "consistent" is not claimed beside a problem."""
    old, new = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    export(sqlite_index, old, "jsonl")
    world.notarise(digest("a later instrument"))
    Indexer(reader, sqlite_index.engine).run_once()
    m = export(sqlite_index, new, "jsonl")
    report = verify_export(new, reader, previous=old)
    assert report.ok, report.problems
    assert any("consistent" in n for n in report.notes)
    # A previous export whose 5th row is rewritten (and resealed) is not a prefix of the new one.
    _tamper(old, lambda b: b[:4] + [b[4].replace('"registry"', '"ledger"')] + b[5:], True)
    report = verify_export(new, reader, previous=old)
    assert not report.ok
    rewritten = [p for p in report.problems if p.startswith("row 5: rewritten since the previous export")]
    assert len(rewritten) == 1 and rewritten[0].endswith("contract was 'ledger', now 'registry'"), report.problems
    # The old export is re-checked against the chain too: the forged field is named there.
    assert any(p.startswith("previous export: row 5 (") and "contract is 'ledger'" in p for p in report.problems)
    assert not any("consistent" in n for n in report.notes)
    # A new export that dropped an old row (resealed) fails both against the chain and the old export.
    export(sqlite_index, old, "jsonl", EventFilter(to_block=m.to_block - 1))
    export(sqlite_index, new, "jsonl")
    _tamper(new, lambda b: b[:2] + b[3:], True)
    report = verify_export(new, reader, previous=old)
    assert any(
        p.startswith("previous row 3 (") and p.endswith("is not in this export: removed since") for p in report.problems
    ), report.problems
    moved = [p for p in report.problems if "rows were removed or inserted before it" in p]
    assert len(moved) == 1 and moved[0].startswith("previous row 4 (") and "is row 3 here" in moved[0]
    assert any(p.startswith("missing: ") and p.endswith("it would be row 3") for p in report.problems)
    assert not any("consistent" in n for n in report.notes)


def test_previous_export_with_an_edited_check_is_named_and_not_called_consistent(
    sqlite_index: IndexReader, reader: EventReader, tmp_path: Path
) -> None:
    """A previous export whose `check` text was edited (not in the Merkle tree, so its root still matches):
    the edit is named with its row and field, and the result is not "consistent"."""
    old, new = tmp_path / "old.jsonl", tmp_path / "new.jsonl"
    export(sqlite_index, old, "jsonl")
    export(sqlite_index, new, "jsonl")
    lines = old.read_text().splitlines()
    n = next(i for i, line in enumerate(lines) if '"check":"voided' in line)
    row = json.loads(lines[n])
    row["check"] = "valid"
    lines[n] = json.dumps(row, sort_keys=True, separators=(",", ":"))
    old.write_text("\n".join(lines) + "\n")
    report = verify_export(new, reader, previous=old)
    assert not report.ok
    assert any(p.startswith("previous export: old.jsonl: the file's SHA-256") for p in report.problems)
    assert any(p.startswith(f"previous export: row {n + 1} (") and "check is 'valid'" in p for p in report.problems)
    assert not any("consistent" in note or "check changed" in note for note in report.notes), report.notes


def test_verify_notes_give_utc_times_not_unix_seconds(
    sqlite_index: IndexReader, reader: EventReader, tmp_path: Path
) -> None:
    """The notes on voided acts name the party and act and state times in UTC; the export keeps UNIX seconds."""
    export(sqlite_index, tmp_path / "t.jsonl", "jsonl")
    report = verify_export(tmp_path / "t.jsonl", reader)
    assert report.ok, report.problems
    voided = [note for note in report.notes if "SGP's signature, ActRecorded" in note]
    assert len(voided) == 1, report.notes
    assert re.search(r"voided at 20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ: the key was revoked", voided[0])
    assert not any(re.search(r"\b\d{9,}\b", note) for note in report.notes), report.notes
    raw = (tmp_path / "t.jsonl").read_text()
    assert re.search(r'"check":"voided at \d{10}: ', raw)
