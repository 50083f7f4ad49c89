"""The verifier page says each record state in one plain wording (headless Chromium, as test_browser.py).

Each case builds a record in one state on the served chain, opens the page at `/#<digest>` and checks
the heading; screenshots land in tests/artifacts/page-<state>.png (1280 px wide; the disputed case
also at 390 px, page-disputed-phone.png). At 390 px the page never scrolls sideways.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

import pytest
from test_browser import ARTIFACTS, CHROMIUM, browser, server  # noqa: F401  (fixtures shared with test_browser)

from notary.models import Intent
from notary.testing import World

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]

DATE = r"\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}"


def sha(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def in_force(world: World) -> bytes:
    d = sha("page: signed and in force")
    world.act(world.notarise(d, parties=("FRA", "SGP")), "SGP")
    return d


def awaiting_ratification(world: World) -> bytes:
    d = sha("page: treaty awaiting ratification")
    rid = world.notarise(d, parties=("FRA", "SGP"), ratification=True)
    world.act(rid, "SGP")
    world.act(rid, "FRA", Intent.RATIFICATION)
    return d


def open_record(world: World) -> bytes:
    d = sha("page: open")
    world.notarise(d, parties=("FRA", "SGP"))
    return d


def withdrawn(world: World) -> bytes:
    d = sha("page: withdrawn")
    rid = world.notarise(d, parties=("FRA", "SGP", "DEU"), quorum=2)
    world.act(rid, "SGP")
    world.act(rid, "DEU")
    world.act(rid, "DEU", Intent.WITHDRAWAL, reason="not our text")
    return d


def annulled(world: World, text: str = "page: annulled") -> bytes:
    d = sha(text)
    rid = world.notarise(d, parties=("FRA", "SGP"))
    world.act(rid, "SGP")
    world.act(rid, "FRA", Intent.ANNULMENT, reason="replaced by negotiation")
    world.act(rid, "SGP", Intent.ANNULMENT, reason="replaced by negotiation")
    return d


def disputed(world: World) -> bytes:
    """FRA and SGP annul their record; DEU notarises the same digest naming them, with quorum 1."""
    d = annulled(world, "page: disputed")
    world.notarise(d, "DEU", parties=("DEU", "FRA", "SGP"), quorum=1)
    return d


# state: (builder, heading pattern, verdict colour)
STATES: dict[str, tuple[Callable[[World], bytes], str, str]] = {
    "in-force": (in_force, r"^✓ Signed and in force$", "ok"),
    "awaiting-ratification": (awaiting_ratification, r"^⚠ Signed; awaiting ratification by SGP$", "warn"),
    "open": (open_record, r"^⚠ Open: awaiting signatures of SGP$", "warn"),
    "withdrawn": (withdrawn, rf"^⚠ Withdrawn by DEU on {DATE}$", "warn"),
    "annulled": (annulled, rf"^✗ Annulled on {DATE}$", "bad"),
    "disputed": (disputed, rf"^✗ Disputed: FRA's record was annulled on {DATE}$", "bad"),
}


def open_page(browser: Any, url: str, width: int) -> Any:  # noqa: F811
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(url)
    expect(page.locator("#result")).to_be_visible()
    return page


def assert_no_green_under_a_warning(page: Any) -> None:
    verdict = page.get_attribute("#verdict", "class")
    if "ok" not in verdict.split():
        assert page.locator(".record .badge.tone-ok").count() == 0, "a green badge under an amber/red heading"
        assert page.locator(".record.ok").count() == 0


@pytest.mark.parametrize("state", list(STATES))
def test_heading_speaks_plainly(state: str, world: World, server: str, browser: Any) -> None:  # noqa: F811
    build, heading, colour = STATES[state]
    digest = build(world)
    ARTIFACTS.mkdir(exist_ok=True)

    page = open_page(browser, f"{server}/#{digest.hex()}", 1280)
    text = page.inner_text("#verdict-heading").strip()
    assert re.match(heading, text), text
    assert colour in page.get_attribute("#verdict", "class").split()
    assert_no_green_under_a_warning(page)
    page.screenshot(path=str(ARTIFACTS / f"page-{state}.png"), full_page=True)
    page.close()

    phone = open_page(browser, f"{server}/#{digest.hex()}", 390)
    assert re.match(heading, phone.inner_text("#verdict-heading").strip())
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the {state} page scrolls sideways on a phone ({width}px)"
    if state == "disputed":
        phone.screenshot(path=str(ARTIFACTS / "page-disputed-phone.png"), full_page=True)
    phone.close()


def test_each_record_has_its_own_wording_and_colour(world: World, server: str, browser: Any) -> None:  # noqa: F811
    """Disputed: FRA's annulled record is red; DEU's passing record is not green under the red heading."""
    digest = disputed(world)
    page = open_page(browser, f"{server}/#{digest.hex()}", 1280)
    records = {
        r.locator("h3").inner_text(): (r.locator(".record-state").inner_text(), r.get_attribute("class"))
        for r in page.locator(".record").all()
    }
    fra = records["Record notarised by FRA annulled"]
    deu = records["Record notarised by DEU executed"]
    assert re.match(rf"^✗ Annulled on {DATE} — this record disputes the document$", fra[0]) and "bad" in fra[1]
    assert deu[0].endswith("Signed and in force") and "warn" in deu[1]
    summary = page.inner_text("#verdict-summary")
    assert "notarised by FRA was undone by its own signatories (FRA and SGP)" in summary
    assert "the record notarised by DEU reads as valid" in summary
    page.close()


def test_signers_are_shortened_with_the_full_address_to_copy(world: World, server: str, browser: Any) -> None:  # noqa: F811
    digest = in_force(world)
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    page.goto(f"{server}/#{digest.hex()}")
    cell = page.locator("table.acts tbody tr").nth(1).locator("td").nth(2)
    full = world.signers["SGP"].address
    shown = cell.locator("code")
    assert shown.inner_text() == f"{full[:6]}…{full[-4:]}"
    assert shown.get_attribute("title") == full
    cell.locator("button.copy").click()
    # The copy is asynchronous (and the button's "Copied" lasts 1.5 s): wait for the clipboard itself.
    page.wait_for_function(f"async () => (await navigator.clipboard.readText()) === {full!r}", timeout=10_000)
    context.close()
