"""The PDF report as a person sees it: page 1 rendered to PNG (poppler's pdftoppm) and its text read back
(pdftotext). The PNG is kept as tests/artifacts/audit-report-page1.png for a look."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from index_helpers import Story
from PIL import Image

from notary.audit import export
from notary.audit.summary import NO_PARTY
from notary.index import IndexReader
from notary.models import timestamp_text

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
GENERATED_AT = 1_800_000_000


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} not found: install Debian's poppler-utils (`apt-get install poppler-utils`)")
    return path


def _text(pdf: Path, first: int, last: int) -> str:
    done = subprocess.run(
        [_poppler("pdftotext"), "-layout", "-f", str(first), "-l", str(last), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture
def report(sqlite_index: IndexReader, tmp_path: Path) -> Path:
    path = tmp_path / "trail.pdf"
    export(sqlite_index, path, "pdf", generated_at=GENERATED_AT)
    return path


def test_page_one_states_when_what_and_the_compromise(report: Path, story: Story, tmp_path: Path) -> None:
    """Page 1 says when it was generated, labels events with no party, counts the acts that do not count
    (the voided ones, naming the compromised key) and draws the chart; it renders, with a red warning box."""
    page1 = _text(report, 1, 1)
    assert f"generated at {timestamp_text(GENERATED_AT)}" in page1
    assert re.search(rf"{re.escape(NO_PARTY)}\s+\d+", page1), page1
    # populate(): SGP's MoU signature and DEU's first notarisation were voided; 17 signed acts in all.
    assert re.search(r"2 of 17 signed acts do not count \(15 valid, 2 voided\)", page1), page1
    assert "SGP's signature" in page1 and story.compromised_signer in page1
    assert "Signed acts by party" in page1
    assert not re.search(r"\b\d{10}\b", page1), "UNIX seconds on page 1"

    png = tmp_path / "page"
    subprocess.run([_poppler("pdftoppm"), "-png", "-r", "80", "-f", "1", "-l", "1", str(report), str(png)], check=True)
    rendered = next(tmp_path.glob("page*.png"))
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(rendered, ARTIFACTS / "audit-report-page1.png")
    with Image.open(rendered) as image:
        rgb = image.convert("RGB")
        width, height = rgb.size
        assert width > height  # A4 landscape
        raw = rgb.tobytes()
    pixels = [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]
    red = sum(1 for r, g, b in pixels if r > 150 and g < 60 and b < 60)  # the warning's border and headline
    bars = sum(1 for r, g, b in pixels if (r, g, b) != (255, 255, 255) and b > 120 and r < 80)  # FRA's blue bars
    assert red > 200 and bars > 200, (red, bars)


def test_rows_wrap_the_check_and_give_utc_times(report: Path) -> None:
    """The rows' check and detail are wrapped, never cut with an ellipsis, and carry UTC times, not UNIX
    seconds (those stay in the CSV and JSON Lines exports)."""
    rows = _text(report, 3, 99)
    assert "voided at 20" in rows and "the key was revoked (declared compromised)" in rows
    # Each of the four voided rows (two acts, two ActVoided events) shows its check to the end.
    assert len(re.findall(r"it signed at\s+20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ", rows)) == 4, rows
    assert "validUntil: never" in rows and "9223372036854775808" not in rows
    assert not re.search(r"\b1[0-9]{9}\b", rows), "UNIX seconds in the rows"


def test_the_events_page_counts_every_event(report: Path, sqlite_index: IndexReader) -> None:
    """Page 2 counts the events by type, adding up to the export's rows."""
    page2 = _text(report, 2, 2)
    counts = [int(n) for n in re.findall(r"^\s*[A-Z][A-Za-z]+\s+(\d+)\s*$", page2, re.M)]
    assert sum(counts) == sqlite_index.count()
