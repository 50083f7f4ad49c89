"""The PDF report's chart: signed acts over time, stacked by party (reportlab graphics).

The time axis is cut into at most `MAX_BARS` equal buckets of a readable size (ten seconds
up to a year), chosen from the span of the acts; the `MAX_SERIES - 1` most active
parties get a colour each, the rest are stacked as "others".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

MAX_BARS = 16
MAX_SERIES = 7
#: (bucket seconds, label format)
_BUCKETS = (
    (10, "%H:%M:%S"),
    (60, "%H:%M"),
    (600, "%H:%M"),
    (3600, "%d %b %H:00"),
    (6 * 3600, "%d %b %H:00"),
    (86400, "%d %b"),
    (7 * 86400, "%d %b %Y"),
    (30 * 86400, "%b %Y"),
    (365 * 86400, "%Y"),
)
_COLOURS: tuple[tuple[float, float, float], ...] = (
    (0.16, 0.35, 0.62),
    (0.85, 0.45, 0.1),
    (0.2, 0.6, 0.3),
    (0.6, 0.25, 0.55),
    (0.75, 0.65, 0.1),
    (0.3, 0.65, 0.75),
    (0.5, 0.5, 0.5),
)


@dataclass(frozen=True)
class Series:
    labels: tuple[str, ...]  # one per bucket
    parties: tuple[str, ...]  # one per series
    counts: tuple[tuple[int, ...], ...]  # [party][bucket]
    bucket_seconds: int
    start: int  # UNIX seconds of the first bucket


def series(acts_by_slot: dict[tuple[str, int], int], slot: int = 10) -> Series | None:
    """Bucket (party, time // slot) → acts into at most MAX_BARS bars; None without acts."""
    if not acts_by_slot:
        return None
    first = min(m for _, m in acts_by_slot) * slot
    last = max(m for _, m in acts_by_slot) * slot
    size, fmt = next(((s, f) for s, f in _BUCKETS if (last - first) // s < MAX_BARS), _BUCKETS[-1])
    start = first - first % size
    bars = (last - start) // size + 1
    totals: dict[str, int] = {}
    for (party, _), n in acts_by_slot.items():
        totals[party] = totals.get(party, 0) + n
    ranked = sorted(totals, key=lambda p: (-totals[p], p))
    shown = ranked if len(ranked) <= MAX_SERIES else ranked[: MAX_SERIES - 1]
    names = [*shown, *(["others"] if len(shown) < len(ranked) else [])]
    grid = {name: [0] * bars for name in names}
    for (party, at), n in acts_by_slot.items():
        grid[party if party in shown else "others"][(at * slot - start) // size] += n
    labels = tuple(datetime.fromtimestamp(start + i * size, UTC).strftime(fmt) for i in range(bars))
    return Series(labels, tuple(names), tuple(tuple(grid[n]) for n in names), size, start)


def _unit(seconds: int) -> str:
    for size, word in ((365 * 86400, "year"), (30 * 86400, "30 days"), (7 * 86400, "week"), (86400, "day")):
        if seconds == size:
            return word
    if seconds >= 3600:
        return f"{seconds // 3600} h"
    return f"{seconds // 60} min" if seconds >= 60 else f"{seconds} s"


def drawing(data: Series, width: float, height: float) -> Any:
    """A stacked bar chart with a legend, `width` × `height` points."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib.colors import Color

    d = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 34, 40
    chart.width, chart.height = width - 34 - 90, height - 40 - 22
    chart.data = [list(c) for c in data.counts]
    chart.categoryAxis.categoryNames = list(data.labels)
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.labels.angle = 45 if len(data.labels) > 6 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(data.labels) > 6 else "n"
    chart.categoryAxis.labels.fontSize = 6.5
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    top = max(sum(col) for col in zip(*data.counts, strict=True))
    chart.valueAxis.valueMax = max(top, 1) * 1.1
    chart.valueAxis.valueStep = max(1, round(top / 5)) if top < 10 else None
    chart.barSpacing = 1
    chart.groupSpacing = 5 if len(data.labels) > 4 else 30  # a few bars stay bars, not blocks
    for i in range(len(data.parties)):
        chart.bars[i].fillColor = Color(*_COLOURS[i % len(_COLOURS)])
        chart.bars[i].strokeColor = None
    d.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 80, height - 26
    legend.fontSize = 7.5
    legend.alignment = "right"
    legend.colorNamePairs = [(Color(*_COLOURS[i % len(_COLOURS)]), p) for i, p in enumerate(data.parties)]
    d.add(legend)
    d.add(String(0, height - 10, f"Signed acts by party, per {_unit(data.bucket_seconds)} (UTC)", fontSize=9))
    return d
