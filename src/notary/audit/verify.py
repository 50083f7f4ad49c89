"""`notary audit verify`: re-check an export against the chain, trusting neither the service nor its index.

The algorithm, in numbered steps (each labelled in the code):

1. Read the manifest beside the export (strictly) and the export's rows (CSV or JSON Lines).
2. The file's SHA-256, its row count and the Merkle root over its rows must be the
   manifest's.
3. The connected chain and contracts must be the manifest's, and the hash of its last
   block (`to_block`) the manifest's head block hash.
4. Re-derive the expected rows from the chain alone: every event of both contracts from
   the deployment's first block to `to_block` (bounded ranges); each signed act's payload
   rebuilt from its own event (and its record's terms from the latest RecordNotarised
   before it) and its signature recovered; key windows from the registry's events and the
   voided acts from the ledger's ActVoided events up to `to_block`; the manifest's filters.
5. Compare row by row, keyed by (block, log index): a row not on chain (added), a row
   that differs in any field (altered; the field is named), a duplicate, a row out of
   chain order (reordered), an expected event not in the export (removed).
6. With `--previous OLD`: OLD must verify against its own manifest and (as of its own last
   block) against the chain, cover the same ledger, filters and first block, and its rows
   must be exactly the first rows of the new export (each old row at its position with the
   same facts, a changed field named; the Merkle root of the new export's first n rows
   equals OLD's root), and every newer row must lie after OLD's last block: nothing removed
   or rewritten. Only then is the export "consistent" with OLD. A row whose `check` changed
   (a key declared compromised since) is a note.

Fails closed: any problem, or an export that cannot be read, means it does not hold.
Rows whose re-check says `invalid` or `voided` are facts honestly exported (a key declared
compromised), reported as notes (with UTC times), not as problems of the export.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from notary.audit.export import file_sha256, read_rows
from notary.audit.manifest import Manifest, manifest_path
from notary.audit.merkle_log import TreeHasher
from notary.audit.rows import COLUMNS, FACT_COLUMNS, KeyWindows, Row, Voids, leaf_bytes, to_row
from notary.audit.wording import check_text
from notary.chain.events import EventReader, ranges
from notary.eip712 import Domain
from notary.index.normalise import Event, RecordInfo, normalise, record_info
from notary.index.queries import EventFilter

DEFAULT_RANGE = 1000


@dataclass
class VerifyReport:
    export: Path
    rows: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, object]:
        return {
            "export": str(self.export),
            "ok": self.ok,
            "rows": self.rows,
            "problems": self.problems,
            "notes": self.notes,
        }


def _key(row: Row) -> tuple[int, int]:
    return row["block_number"], row["log_index"]


def _where(row: Row) -> str:
    return f"{row['event']} at block {row['block_number']}, log {row['log_index']}"


def load_export(path: Path, report: VerifyReport) -> tuple[Manifest, list[Row]]:
    """Steps 1 and 2 for one file: its manifest and rows, with integrity problems recorded."""
    manifest = Manifest.load(manifest_path(path))
    rows = [row for _, row in read_rows(path, manifest.format)]
    tree = TreeHasher()
    for row in rows:
        tree.add(leaf_bytes(row))
    if file_sha256(path) != manifest.file_sha256:
        report.problems.append(f"{path.name}: the file's SHA-256 is not the manifest's (the file was changed)")
    if len(rows) != manifest.row_count:
        report.problems.append(f"{path.name}: {len(rows)} rows, the manifest says {manifest.row_count}")
    if "0x" + tree.root().hex() != manifest.merkle_root:
        report.problems.append(f"{path.name}: the Merkle root over the rows is not the manifest's")
    return manifest, rows


def expected_rows(reader: EventReader, manifest: Manifest, range_size: int = DEFAULT_RANGE) -> list[Row]:
    """Step 4: the rows the export should hold, from the chain's events alone."""
    domain = Domain(reader.chain.chain_id, reader.deployment.ledger.address)
    flt = EventFilter(**manifest.filters, from_block=manifest.from_block, to_block=manifest.to_block)
    records: dict[str, RecordInfo] = {}
    windows = KeyWindows()
    voided = Voids()
    selected: list[Event] = []
    for a, b in ranges(reader.start_block, manifest.to_block, range_size):
        for log in reader.logs(a, b):
            ev = normalise(log, domain, records.get, reader.is_contract)
            if ev.event == "RecordNotarised":
                records[ev.record] = record_info(ev)
            as_dict = ev.as_dict()
            windows.add(as_dict)
            voided.add(as_dict)
            if flt.matches(as_dict):
                selected.append(ev)
    return [to_row(ev.as_dict(), windows, voided) for ev in selected]


def compare(exported: list[Row], expected: list[Row], problems: list[str]) -> None:
    """Step 5: one problem per discrepancy, each naming the export's row (1-based)."""
    by_key = {_key(r): (n, r) for n, r in enumerate(expected, start=1)}
    seen: dict[tuple[int, int], int] = {}
    last: tuple[int, int] | None = None
    for n, row in enumerate(exported, start=1):
        key = _key(row)
        if key in seen:
            problems.append(f"row {n}: duplicates row {seen[key]} ({_where(row)})")
            continue
        seen[key] = n
        if last is not None and key < last:
            problems.append(f"row {n}: out of chain order ({_where(row)} comes after block {last[0]}, log {last[1]})")
        last = max(last, key) if last else key
        if key not in by_key:
            problems.append(f"row {n}: no such event on chain in the covered range ({_where(row)}): added or altered")
            continue
        _, want = by_key[key]
        for column in COLUMNS:
            if row[column] != want[column]:
                problems.append(
                    f"row {n} ({_where(want)}): {column} is {row[column]!r}, the chain says {want[column]!r}"
                )
    for key, (position, want) in by_key.items():
        if key not in seen:
            problems.append(
                f"missing: {_where(want)} (tx {want['tx_hash']}) is not in the export; it would be row {position}"
            )


def _changes(old: Row, new: Row, columns: tuple[str, ...]) -> list[str]:
    return [f"{c} was {old[c]!r}, now {new[c]!r}" for c in columns if old[c] != new[c]]


def consistency(
    new: Manifest, new_rows: list[Row], old_path: Path, reader: EventReader, report: VerifyReport, range_size: int
) -> None:
    """Step 6: the new export extends the old one, with nothing removed or rewritten."""
    problems: list[str] = []
    old_report = VerifyReport(old_path)
    old, old_rows = load_export(old_path, old_report)
    same = (old.chain_id, old.registry, old.ledger, old.filters, old.from_block)
    if same != (new.chain_id, new.registry, new.ledger, new.filters, new.from_block):
        report.problems.extend(f"previous export: {p}" for p in old_report.problems)
        report.problems.append(
            "previous export covers another ledger, other filters or another first block: not comparable"
        )
        return
    # (a) The old export holds against the chain as of its own last block: this names the
    # field of a row rewritten in either file.
    if old.to_block > new.to_block:
        old_report.problems.append(f"it reaches block {old.to_block}, beyond this one's {new.to_block}")
    else:
        if reader.block(old.to_block).hash != old.head_block_hash:
            old_report.problems.append(f"block {old.to_block} is not the block its manifest names (a reorganisation?)")
        compare(old_rows, expected_rows(reader, old, range_size), old_report.problems)
    problems.extend(f"previous export: {p}" for p in old_report.problems)
    # (b) Every old row is in the new export, at the same position, with the same facts.
    new_at = {_key(row): (m, row) for m, row in enumerate(new_rows, start=1)}
    moved: list[str] = []
    changed_checks: list[str] = []
    for n, old_row in enumerate(old_rows, start=1):
        found = new_at.get(_key(old_row))
        if found is None:
            problems.append(f"previous row {n} ({_where(old_row)}) is not in this export: removed since")
            continue
        m, row = found
        changed = _changes(old_row, row, FACT_COLUMNS)
        if changed:
            problems.append(f"row {m}: rewritten since the previous export ({_where(old_row)}): " + "; ".join(changed))
        elif m != n:
            moved.append(f"previous row {n} ({_where(old_row)}) is row {m} here")
        if row["check"] != old_row["check"] and not changed:
            changed_checks.append(
                f"row {m} ({_where(row)}): its check changed since the previous export, "
                f"from {check_text(old_row['check'])!r} to {check_text(row['check'])!r}"
            )
    if moved:
        more = f" (and {len(moved) - 1} more rows moved)" if len(moved) > 1 else ""
        problems.append(f"{moved[0]}: rows were removed or inserted before it{more}")
    # (c) The Merkle root of the new export's first rows is the old export's root.
    prefix = TreeHasher()
    for row in new_rows[: len(old_rows)]:
        prefix.add(leaf_bytes(row))
    if "0x" + prefix.root().hex() != old.merkle_root:
        problems.append(
            f"the Merkle root of this export's first {len(old_rows)} rows is not the previous export's root"
        )
    # (d) Nothing newer lies in the old export's range.
    for n, row in enumerate(new_rows[len(old_rows) :], start=len(old_rows) + 1):
        if row["block_number"] <= old.to_block:
            problems.append(f"row {n}: {_where(row)} lies in the previous export's range but was not in it")
    report.problems.extend(problems)
    if not old_report.problems:  # a check changed on chain since (a key declared compromised later)
        report.notes.extend(changed_checks)
    if not report.problems:
        report.notes.append(
            f"consistent: the first {len(old_rows)} rows are the previous export's, with its Merkle root"
        )


def verify_export(
    path: Path, reader: EventReader, previous: Path | None = None, range_size: int = DEFAULT_RANGE
) -> VerifyReport:
    report = VerifyReport(path)
    manifest, rows = load_export(path, report)  # steps 1-2
    report.rows = len(rows)
    dep = reader.deployment
    ours = (reader.chain.chain_id, dep.registry.address.lower(), dep.ledger.address.lower())
    if (manifest.chain_id, manifest.registry.lower(), manifest.ledger.lower()) != ours:  # step 3
        report.problems.append(
            f"the export is of ledger {manifest.ledger} on chain {manifest.chain_id}, "
            f"not the connected {ours[2]} on chain {ours[0]}"
        )
        return report
    head = reader.block(manifest.to_block).hash
    if head != manifest.head_block_hash:
        report.problems.append(
            f"block {manifest.to_block} is {head} on chain, the manifest says {manifest.head_block_hash} "
            "(the chain reorganised since the export, or it is another chain)"
        )
    compare(rows, expected_rows(reader, manifest, range_size), report.problems)  # steps 4-5
    for n, row in enumerate(rows, start=1):
        if row["check"].startswith(("invalid", "voided")):
            who = f"{row['party']}'s {row['intent'] or 'act'}, " if row["party"] else ""
            report.notes.append(f"row {n} ({who}{_where(row)}): {check_text(row['check'])}")
    if previous is not None:
        consistency(manifest, rows, previous, reader, report, range_size)  # step 6
    return report
