"""The PDF report of an audit export: a summary a person can read, then the rows.

Page 1: when the report was generated, what the export covers (ledger, chain, block
range, head block hash, row count, Merkle root), the health of the signed acts (how many
are voided or invalid, and which: a compromise shows here), a chart of acts over time by
party, and counts by party (events that name no party on a labelled row) and by record
state. Page 2: counts by event. Then the rows, one or more lines each: the check and the
detail are wrapped, never cut, with times in UTC (the CSV and JSON Lines exports carry
the machine values; the manifest commits to the same rows either way).

Drawn with reportlab's canvas page by page; `invariant=True` removes reportlab's own
creation time and random document id, so the same export generated at the same time
gives the same bytes. reportlab keeps the pages in memory until it saves, so a PDF of
100,000 rows (about 2,000 pages) costs memory in proportion; the CSV and JSON Lines
exports stream in flat memory.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from notary.audit import chart
from notary.audit.rows import Row
from notary.audit.summary import HEALTH, SLOT, Summary, health_of
from notary.audit.wording import check_text, detail_text, when

_PAGE_W, _PAGE_H = 842.0, 595.0  # A4 landscape, points
_MARGIN = 36.0
_LINE = 8.0
_SIZE = 6.5
_FONT = "Helvetica"
_MONO = "Courier"
_RED = (0.75, 0.0, 0.0)
# (title, row key, width in points, characters kept; 0: wrapped, never cut)
_COLUMNS = (
    ("#", "_n", 28, 7),
    ("block:log", "_at", 40, 10),
    ("time (UTC)", "time", 72, 20),
    ("event", "event", 88, 0),
    ("party", "party", 28, 8),
    ("digest / record", "_subject", 78, 17),
    ("signer", "signer", 70, 14),
    ("intent", "intent", 46, 12),
    ("check", "check", 160, 0),
    ("reason / detail", "_detail", 160, 0),
)
_TABLE_W = sum(c[2] for c in _COLUMNS)


def _short(value: str, keep: int) -> str:
    return value if len(value) <= keep else value[: keep - 1] + "…"


def write_pdf(
    path: Path,
    rows: Callable[[], Iterator[Row]],
    summary: Summary,
    info: dict[str, Any],
    generated_at: int,
) -> None:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=(_PAGE_W, _PAGE_H), invariant=True, pageCompression=1)
    c.setTitle("notary audit export")
    c.setAuthor("notary")
    _summary_page(c, summary, info, generated_at)
    _events_page(c, summary)
    page = 3
    y = _table_header(c, page)
    for n, row in enumerate(rows(), start=1):
        cells = _cells(n, row)
        height = max(len(lines) for lines in cells) * _LINE
        if y - height < _MARGIN:
            c.showPage()
            page += 1
            y = _table_header(c, page)
        _row(c, y, cells, row)
        y -= height + 1.5
    c.showPage()
    c.save()


def _footer(c: Any, page: int) -> None:
    c.setFont(_FONT, 7)
    c.drawRightString(_PAGE_W - _MARGIN, _MARGIN / 2, f"page {page}")


def _summary_page(c: Any, summary: Summary, info: dict[str, Any], generated_at: int) -> None:
    y = _PAGE_H - _MARGIN
    c.setFont(_FONT + "-Bold", 16)
    c.drawString(_MARGIN, y, "Audit trail export")
    c.setFont(_FONT, 9)
    c.drawRightString(_PAGE_W - _MARGIN, y, f"generated at {when(generated_at)}")
    y -= 22
    filters = ", ".join(f"{k}={v}" for k, v in sorted(info["filters"].items())) or "none"
    facts = (
        ("chain id", str(info["chain_id"])),
        ("identity registry", info["registry"]),
        ("notary ledger", info["ledger"]),
        ("blocks covered", f"{info['from_block']} to {info['to_block']}"),
        ("head block hash", info["head_block_hash"]),
        ("filters", filters),
        ("rows", f"{info['row_count']:,}"),
        ("Merkle root (RFC 6962)", info["merkle_root"]),
    )
    for label, value in facts:
        c.setFont(_FONT + "-Bold", 9)
        c.drawString(_MARGIN, y, label)
        c.setFont(_MONO if value.startswith("0x") else _FONT, 9)
        c.drawString(_MARGIN + 120, y, value)
        y -= 12.5
    y -= 4
    c.setFont(_FONT, 8)
    c.drawString(
        _MARGIN,
        y,
        "Re-check independently with `notary audit verify` on the CSV or JSON Lines export of the same range: "
        "every row against the chain, and the Merkle root above.",
    )
    y = _health_box(c, y - 12, summary)
    x = _MARGIN
    series = chart.series(summary.acts_by_slot, SLOT)
    if series is not None:
        from reportlab.graphics import renderPDF

        renderPDF.draw(chart.drawing(series, 430, y - _MARGIN - 4), c, x, _MARGIN)
    else:
        c.setFont(_FONT, 9)
        c.drawString(x, y - 14, "No signed acts in this export: no chart.")
    _count_table(c, 490, y - 12, "Events by party", summary.by_party, 22, 150)
    _count_table(c, 666, y - 12, "Records by last state", summary.by_state, 22, 140)
    _footer(c, 1)
    c.showPage()


def _health_box(c: Any, top: float, summary: Summary) -> float:
    """The signed acts' health; red, with the first flagged acts named, when any does not count."""
    flagged = summary.compromised
    counts = ", ".join(f"{summary.health[h]:,} {h}" for h in HEALTH if summary.health[h] or h == "valid")
    if flagged:
        headline = (
            f"{flagged:,} of {summary.acts:,} signed acts do not count ({counts}): "
            "signed with keys not authorised at the time (declared compromised)"
        )
    else:
        headline = f"All {summary.acts:,} signed acts check out ({counts})"
    details: list[str] = []
    width = _PAGE_W - 2 * _MARGIN - 24
    for row in summary.flagged if flagged else ():
        what = f"{row['party']}'s {row['intent'] or row['event']} at block {row['block_number']}"
        text = f"• {what}, signer {row['signer']}: {check_text(row['check'])}"
        details.extend(_wrap(text, width, 8))
    if flagged > len(summary.flagged):
        details.append(f"… and {flagged - len(summary.flagged):,} more: see the check column")
    height = 21 + 10 * len(details)
    bottom = top - height
    fill, stroke = ((1.0, 0.93, 0.93), _RED) if flagged else ((0.93, 0.97, 0.93), (0.2, 0.5, 0.2))
    c.setFillColorRGB(*fill)
    c.setStrokeColorRGB(*stroke)
    c.rect(_MARGIN, bottom, _PAGE_W - 2 * _MARGIN, height, fill=1, stroke=1)
    c.setStrokeColorRGB(0, 0, 0)
    c.setFillColorRGB(*(_RED if flagged else (0.1, 0.4, 0.1)))
    c.setFont(_FONT + "-Bold", 10)
    y = top - 14
    c.drawString(_MARGIN + 6, y, headline)
    c.setFillColorRGB(0, 0, 0)
    c.setFont(_FONT, 8)
    for line in details:
        y -= 10
        c.drawString(_MARGIN + 14, y, line)
    return bottom - 6


def _events_page(c: Any, summary: Summary) -> None:
    y = _PAGE_H - _MARGIN
    c.setFont(_FONT + "-Bold", 12)
    c.drawString(_MARGIN, y, "Events by type")
    items = list(summary.by_event.items())
    per_column = 40
    for i in range(0, max(len(items), 1), per_column):
        _count_table(c, _MARGIN + (i // per_column) * 260, y - 20, "", dict(items[i : i + per_column]), per_column)
    c.setFont(_FONT, 8)
    c.drawString(
        _MARGIN,
        _MARGIN + 10,
        "check: valid (signature and key window re-checked off chain) · voided (the ledger voided the act: its key "
        "was declared compromised) · invalid (does not count, not voided yet) · unchecked (a contract signer) · n/a",
    )
    _footer(c, 2)
    c.showPage()


def _count_table(
    c: Any, x: float, y: float, title: str, counts: dict[str, int], limit: int, width: float = 180
) -> None:
    if title:
        c.setFont(_FONT + "-Bold", 10)
        c.drawString(x, y, title)
        y -= 14
    c.setFont(_FONT, 8.5)
    if not counts:
        c.drawString(x, y, "(none)")
    for label, n in list(counts.items())[:limit]:
        c.drawString(x, y, label)
        c.drawRightString(x + width, y, f"{n:,}")
        y -= 11
    if len(counts) > limit:
        c.drawString(x, y, f"… and {len(counts) - limit} more")


def _table_header(c: Any, page: int) -> float:
    y = _PAGE_H - _MARGIN
    c.setFont(_FONT + "-Bold", 7.5)
    x = _MARGIN
    for title, _key, width, _keep in _COLUMNS:
        c.drawString(x, y, title)
        x += width
    _footer(c, page)
    c.line(_MARGIN, y - 3, _MARGIN + _TABLE_W, y - 3)
    return y - _LINE - 2


def _detail(row: Row) -> str:
    if row["event"] == "StatusChanged":
        detail = json.loads(row["detail"])
        return f"{detail.get('previous')} → {detail.get('current')}"
    text = detail_text(row["detail"])
    return f"{row['reason']}; {text}" if row["reason"] and text else row["reason"] or text


def _wrap(text: str, width: float, size: float = _SIZE) -> list[str]:
    """`text` in lines no wider than `width`: at spaces, and inside a word longer than a line (a hash)."""
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    for line in simpleSplit(text, _FONT, size, width) or [""]:
        while stringWidth(line, _FONT, size) > width:
            cut = len(line) - 1
            while cut > 1 and stringWidth(line[:cut], _FONT, size) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
        lines.append(line)
    return lines


def _cells(n: int, row: Row) -> list[list[str]]:
    """Each column's lines: short columns shortened, the others wrapped to the column."""

    values = dict(row)
    values["_n"] = str(n)
    values["_at"] = f"{row['block_number']}:{row['log_index']}"
    values["_subject"] = row["digest"] or row["record"]
    values["time"] = row["time"].replace("T", " ").removesuffix("Z")
    values["check"] = check_text(row["check"])
    values["_detail"] = _detail(row)
    cells = []
    for _title, key, width, keep in _COLUMNS:
        text = str(values[key])
        if keep:
            cells.append([_short(text, keep)])
        else:
            cells.append(_wrap(text, width - 4))
    return cells


def _row(c: Any, y: float, cells: list[list[str]], row: Row) -> None:
    x = _MARGIN
    flagged = row["check"] != "n/a" and health_of(row["check"]) in ("voided", "invalid")
    for (_title, key, width, _keep), lines in zip(_COLUMNS, cells, strict=True):
        if key == "check" and flagged:
            c.setFillColorRGB(*_RED)
        c.setFont(_MONO if key in ("_subject", "signer") else _FONT, _SIZE)
        for i, line in enumerate(lines):
            c.drawString(x, y - i * _LINE, line)
        if key == "check" and flagged:
            c.setFillColorRGB(0, 0, 0)
        x += width
