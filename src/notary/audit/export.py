"""`notary audit export`: the index's events as CSV, JSON Lines or a PDF report, with a manifest.

The algorithm, in numbered steps:

1. Fix the covered range: `to_block` defaults to the index's checkpoint (never past it:
   the index must have reached it), `from_block` to the deployment's first block; read
   the head block hash of `to_block`.
2. Build every key's window from the registry events up to `to_block`, and the set of
   acts the ledger voided up to `to_block` (its ActVoided events).
3. Stream the matching events in chain order; turn each into an audit row (with its
   off-chain re-check, `notary.audit.rows`); write it and add its facts to the Merkle
   tree. Nothing else is held in memory (the windows and voids grow with keys and voids,
   not with rows), so 100,000 rows cost what 100 do (the PDF report excepted: see
   `notary.audit.pdf`).
4. Write the file atomically, then the manifest beside it.

Same index, same range and filters: same bytes (the CSV and JSON Lines exports and the
manifest hold no creation time; the PDF report states when it was generated, so it is the
same bytes for the same `generated_at`).
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from notary.audit.manifest import FORMATS, Manifest, manifest_path
from notary.audit.merkle_log import TreeHasher
from notary.audit.rows import COLUMNS, KeyWindows, Row, Voids, leaf_bytes, parse_row, to_row
from notary.errors import InvalidInputError, NotaryError
from notary.index.queries import EventFilter, IndexReader


class ExportError(NotaryError, RuntimeError):
    """An export cannot be made from the index as it stands."""

    code = "audit-export"


def covered_filter(index: IndexReader, flt: EventFilter) -> EventFilter:
    """Step 1: the filter with its block range made explicit and checked against the index."""
    state = index.state()
    if state is None or state.last_block < state.start_block:
        raise ExportError("the index holds nothing yet", hint="run `notary index` first")
    to_block = state.last_block if flt.to_block is None else flt.to_block
    if to_block > state.last_block:
        raise ExportError(
            f"the index has reached block {state.last_block}, not {to_block}",
            hint="run `notary index` (or wait for the confirmations), or export a lower --to-block",
        )
    from_block = state.start_block if flt.from_block is None else flt.from_block
    if from_block > to_block:
        raise InvalidInputError(f"the block range {from_block}..{to_block} is empty")
    return dataclasses.replace(flt, from_block=from_block, to_block=to_block)


def key_windows(index: IndexReader, to_block: int) -> KeyWindows:
    """Step 2 (a key has one window per party: every addition precedes its revocations)."""
    windows = KeyWindows()
    for name in ("SignerAdded", "SignerRevoked"):
        for ev in index.iter_events(EventFilter(event=name, to_block=to_block)):
            windows.add(ev)
    return windows


def voids(index: IndexReader, to_block: int) -> Voids:
    """Step 2: the acts voided on chain up to `to_block`."""
    out = Voids()
    for ev in index.iter_events(EventFilter(event="ActVoided", to_block=to_block)):
        out.add(ev)
    return out


def iter_rows(index: IndexReader, flt: EventFilter, windows: KeyWindows, voided: Voids) -> Iterator[Row]:
    """Step 3: the audit rows of the matching events, in chain order."""
    for ev in index.iter_events(flt):
        yield to_row(ev, windows, voided)


def jsonl_line(row: Row) -> str:
    return json.dumps(
        {**row, "detail": json.loads(row["detail"])}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def export(
    index: IndexReader,
    out: Path,
    fmt: str,
    flt: EventFilter | None = None,
    *,
    block_hash: Callable[[int], str | None] | None = None,
    generated_at: int | None = None,
) -> Manifest:
    """Write the export and its manifest; returns the manifest.

    `block_hash(n)` gives a block's hash when the index did not store it (an arbitrary
    `--to-block`); by default only stored hashes are used. `generated_at` (UNIX seconds,
    default now) is the time the PDF report states; the CSV and JSON Lines exports hold none.
    """
    if fmt not in FORMATS:
        raise InvalidInputError(f"export format {fmt!r} is unknown", hint="use csv, jsonl or pdf")
    covered = covered_filter(index, flt or EventFilter())  # step 1
    assert covered.to_block is not None and covered.from_block is not None
    head_hash = index.block_hash(covered.to_block) or (block_hash(covered.to_block) if block_hash else None)
    if not head_hash:
        raise ExportError(
            f"the index stores no hash for block {covered.to_block}",
            hint="export up to the index's checkpoint, or give a connected chain",
        )
    state = index.state()
    assert state is not None
    windows = key_windows(index, covered.to_block)  # step 2
    voided = voids(index, covered.to_block)
    from notary.files import temporary_sibling

    tmp = temporary_sibling(out)
    tree = TreeHasher()
    if fmt == "pdf":
        from notary.audit.pdf import write_pdf
        from notary.audit.summary import Summary

        summary = Summary()
        for row in iter_rows(index, covered, windows, voided):
            tree.add(leaf_bytes(row))
            summary.add(row)
        info = _manifest_fields(state, covered, head_hash, tree)
        at = int(time.time()) if generated_at is None else generated_at
        write_pdf(tmp, lambda: iter_rows(index, covered, windows, voided), summary, info, at)
    else:
        _write_rows(tmp, fmt, iter_rows(index, covered, windows, voided), tree)  # step 3
    os.replace(tmp, out)  # step 4
    manifest = Manifest(format=fmt, file_sha256=file_sha256(out), **_manifest_fields(state, covered, head_hash, tree))
    manifest.save(manifest_path(out))
    return manifest


def _manifest_fields(state: Any, covered: EventFilter, head_hash: str, tree: TreeHasher) -> dict[str, Any]:
    filters = {k: v for k, v in covered.to_json().items() if k not in ("from_block", "to_block")}
    return {
        "chain_id": state.chain_id,
        "registry": state.registry,
        "ledger": state.ledger,
        "from_block": covered.from_block,
        "to_block": covered.to_block,
        "head_block_hash": head_hash,
        "filters": filters,
        "row_count": tree.size,
        "merkle_root": "0x" + tree.root().hex(),
    }


def _write_rows(path: Path, fmt: str, rows: Iterator[Row], tree: TreeHasher) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        if fmt == "csv":
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(COLUMNS)
            for row in rows:
                writer.writerow([row[c] for c in COLUMNS])
                tree.add(leaf_bytes(row))
        else:
            for row in rows:
                fh.write(jsonl_line(row) + "\n")
                tree.add(leaf_bytes(row))


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def read_rows(path: Path, fmt: str) -> Iterator[tuple[int, Row]]:
    """Rows of a CSV or JSON Lines export with their 1-based row numbers (strict)."""
    if fmt == "csv":
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None or tuple(header) != COLUMNS:
                raise InvalidInputError(f"{path}: the header is not {','.join(COLUMNS)}")
            for n, values in enumerate(reader, start=1):
                if len(values) != len(COLUMNS):
                    raise InvalidInputError(f"{path}: row {n} has {len(values)} fields, not {len(COLUMNS)}")
                yield n, parse_row(dict(zip(COLUMNS, values, strict=True)), f"row {n}")
    elif fmt == "jsonl":
        with path.open("rb") as fh:
            for n, raw in enumerate(fh, start=1):
                try:
                    obj = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError):
                    raise InvalidInputError(f"{path}: row {n} is not JSON") from None
                if not isinstance(obj, dict):
                    raise InvalidInputError(f"{path}: row {n} is not a JSON object")
                yield n, parse_row(obj, f"row {n}")
    else:
        raise InvalidInputError(
            f"{path} is a {fmt} export, which is for people",
            hint="verify the CSV or JSON Lines export of the same range; its manifest commits to the same rows",
        )
