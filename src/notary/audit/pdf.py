"""The PDF report of an audit export: a summary a person can read, then the rows.

Page 1: what the export covers (ledger, chain, block range, head block hash, row count,
Merkle root) and counts by party, by record state and by event. Then the rows, one line
each, long values shortened (the CSV and JSON Lines exports carry them whole; the
manifest commits to the same rows either way).

Drawn with reportlab's canvas page by page; `invariant=True` removes the creation time
and random document id, so the same export gives the same bytes. reportlab keeps the
pages in memory until it saves, so a PDF of 100,000 rows (about 2,000 pages) costs
memory in proportion; the CSV and JSON Lines exports stream in flat memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from notary.audit.rows import Row

_PAGE_W, _PAGE_H = 842.0, 595.0  # A4 landscape, points
_MARGIN = 36.0
_LINE = 9.5
_FONT = "Helvetica"
_MONO = "Courier"
# (title, row key, width in points, characters kept)
_COLUMNS = (
    ("#", "_n", 34, 7),
    ("block", "block_number", 40, 9),
    ("log", "log_index", 20, 4),
    ("time (UTC)", "time", 78, 20),
    ("event", "event", 78, 20),
    ("party", "party", 36, 8),
    ("digest / record", "_subject", 86, 17),
    ("signer", "signer", 86, 17),
    ("intent", "intent", 52, 12),
    ("check", "check", 110, 28),
    ("reason / detail", "_detail", 140, 40),
)


def _short(value: str, keep: int) -> str:
    return value if len(value) <= keep else value[: keep - 1] + "…"


def write_pdf(path: Path, rows: Callable[[], Iterator[Row]], summary: dict[str, Any], info: dict[str, Any]) -> None:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(_PAGE_W, _PAGE_H), invariant=True, pageCompression=1)
    c.setTitle("notary audit export")
    c.setAuthor("notary")
    page = _summary_page(c, summary, info)
    y = _table_header(c, page)
    for n, row in enumerate(rows(), start=1):
        if y < _MARGIN + _LINE:
            c.showPage()
            page += 1
            y = _table_header(c, page)
        _row_line(c, y, n, row)
        y -= _LINE
    c.showPage()
    c.save()


def _summary_page(c: Any, summary: dict[str, Any], info: dict[str, Any]) -> int:
    y = _PAGE_H - _MARGIN
    c.setFont(_FONT + "-Bold", 16)
    c.drawString(_MARGIN, y, "Audit trail export")
    y -= 24
    c.setFont(_FONT, 9)
    filters = ", ".join(f"{k}={v}" for k, v in sorted(info["filters"].items())) or "none"
    facts = (
        ("chain id", str(info["chain_id"])),
        ("identity registry", info["registry"]),
        ("notary ledger", info["ledger"]),
        ("blocks covered", f"{info['from_block']} to {info['to_block']}"),
        ("head block hash", info["head_block_hash"]),
        ("filters", filters),
        ("rows", str(info["row_count"])),
        ("Merkle root (RFC 6962)", info["merkle_root"]),
    )
    for label, value in facts:
        c.setFont(_FONT + "-Bold", 9)
        c.drawString(_MARGIN, y, label)
        c.setFont(_MONO if value.startswith("0x") else _FONT, 9)
        c.drawString(_MARGIN + 120, y, value)
        y -= 13
    y -= 6
    c.setFont(_FONT, 8)
    c.drawString(
        _MARGIN,
        y,
        "Re-check independently with `notary audit verify` on the CSV or JSON Lines export of the same range: "
        "every row against the chain, and the Merkle root above.",
    )
    y -= 22
    x = _MARGIN
    for title, key in (("Events by party", "party"), ("Records by last state", "state"), ("Events by type", "event")):
        _count_table(c, x, y, title, summary[key])
        x += 250
    c.showPage()
    return 2


def _count_table(c: Any, x: float, y: float, title: str, counts: dict[str, int]) -> None:
    c.setFont(_FONT + "-Bold", 10)
    c.drawString(x, y, title)
    y -= 14
    c.setFont(_FONT, 9)
    if not counts:
        c.drawString(x, y, "(none)")
    for label, n in list(counts.items())[:28]:
        c.drawString(x, y, label)
        c.drawRightString(x + 180, y, f"{n:,}")
        y -= 11.5
    if len(counts) > 28:
        c.drawString(x, y, f"… and {len(counts) - 28} more")


def _table_header(c: Any, page: int) -> float:
    y = _PAGE_H - _MARGIN
    c.setFont(_FONT + "-Bold", 7.5)
    x = _MARGIN
    for title, _key, width, _keep in _COLUMNS:
        c.drawString(x, y, title)
        x += width
    c.setFont(_FONT, 7)
    c.drawRightString(_PAGE_W - _MARGIN, _MARGIN / 2, f"page {page}")
    c.line(_MARGIN, y - 3, _PAGE_W - _MARGIN, y - 3)
    return y - _LINE - 2


def _row_line(c: Any, y: float, n: int, row: Row) -> None:
    values = dict(row)
    values["_n"] = str(n)
    values["_subject"] = row["digest"] or row["record"]
    values["_detail"] = row["reason"] or ("" if row["detail"] == "{}" else row["detail"])
    if row["event"] == "StatusChanged":
        detail = json.loads(row["detail"])
        values["_detail"] = f"{detail.get('previous')} → {detail.get('current')}"
    x = _MARGIN
    for _title, key, width, keep in _COLUMNS:
        text = _short(str(values[key]), keep)
        invalid = key == "check" and text.startswith("invalid")
        if invalid:
            c.setFillColorRGB(0.75, 0.0, 0.0)
        c.setFont(_MONO if key in ("_subject", "signer") else _FONT, 6.5)
        c.drawString(x, y, text)
        if invalid:
            c.setFillColorRGB(0, 0, 0)
        x += width
