"""The verifier page finds published documents by digest (headless Chromium, as test_browser.py).

A batch member and each text or annex of a multi-text instrument read "Not notarised" until their
bundle or manifest is published over the API (a key with the `publish` scope), then verify on the page
in the records' wording, with their receipt, short signers to copy and party display names (asked
once per party). A compromised anchoring key and an annulled instrument fail visibly, with reasons.
Screenshots land in tests/artifacts/page-batch-*.png and page-instrument-*.png; at 390 px the page
never scrolls sideways.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_browser import ARTIFACTS, CHROMIUM, browser  # noqa: F401  (fixture shared with test_browser)

from notary import receipts, registry
from notary.api import ApiSettings, create_app
from notary.api.settings import ApiKey, IndexSettings
from notary.models import Intent
from notary.receipts.verify import verify_offline
from notary.testing import World

sys.path.insert(0, str(Path(__file__).parents[1] / "published"))
from published_helpers import anchor_bundle, notarise_instrument, sha  # noqa: E402

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]

PUBLISH_KEY = "publish-key-for-page-tests"
DOCS = [sha(f"page: consular certificate {i}") for i in range(1200)]
TITLE = "Consular certificates, March"
ENGLISH, FRENCH, ANNEX = sha("treaty, English text"), sha("traité, texte français"), sha("annex 1: maps")
DATE = r"\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}"


@pytest.fixture
def site(world: World, settings: Callable[..., ApiSettings], tmp_path: Path) -> Iterator[str]:
    """The app with an index (where publications are stored) and a publishing key, served by uvicorn."""
    import uvicorn

    keys = (ApiKey("consulate", hashlib.sha256(PUBLISH_KEY.encode()).digest(), frozenset({"publish"})),)
    index = IndexSettings(enabled=True, url=f"sqlite:///{tmp_path / 'index.sqlite3'}")
    app = create_app(settings(api_keys=keys, index=index), gateway=world.gw)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def publish(site: str, kind: str, body: bytes) -> None:
    """Upload a bundle or a manifest as `notary publish` does (an HTTP error fails the test)."""
    request = urllib.request.Request(
        f"{site}/v1/publish/{kind}", data=body, method="POST", headers={"Authorization": f"Bearer {PUBLISH_KEY}"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200


def open_page(browser: Any, url: str, width: int, requests: list[str] | None = None) -> Any:  # noqa: F811
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": width, "height": 900})
    if requests is not None:
        page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    expect(page.locator("#result")).to_be_visible()
    return page


def heading(page: Any) -> str:
    return str(page.inner_text("#verdict-heading")).strip()


def wait_for_names(page: Any, count: int) -> None:
    """The party display names arrive after the verdict: wait until `count` of them are shown."""
    page.wait_for_function("(n) => document.querySelectorAll('.party-name').length >= n", arg=count, timeout=10_000)


def party_lookups(requests: list[str]) -> list[str]:
    return sorted(u.rsplit("/", 1)[1] for u in requests if "/v1/parties/" in u)


WIDE = """() => Array.from(document.querySelectorAll("body *"))
  .filter((e) => e.getBoundingClientRect().right > 390 || e.scrollWidth > e.clientWidth + 1)
  .filter((e) => !e.closest(".visually-hidden, .copy-buffer, .table-wrap"))
  .slice(-3).map((e) => e.tagName + "." + e.className + ": " + e.textContent.slice(0, 60))"""


def assert_no_sideways_scroll(page: Any, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the {what} page scrolls sideways on a phone ({width}px): {page.evaluate(WIDE)}"


def assert_nothing_green(page: Any) -> None:
    assert page.locator(".record.ok, .badge.tone-ok, .tone-text-ok").count() == 0, "green under a red verdict"


def test_a_published_batch_member_verifies_on_the_page(
    world: World,
    site: str,
    browser: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Not notarised until its bundle is published; then "Anchored by FRA on … in the batch …", with its receipt."""
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    anchor_bundle(world, tmp_path / "bundle.json", DOCS, title=TITLE)
    member = DOCS[17].hex()
    before = open_page(browser, f"{site}/#{member}", 1280)
    assert heading(before) == "✗ Not notarised"
    before.close()

    publish(site, "batch", (tmp_path / "bundle.json").read_bytes())
    requests: list[str] = []
    page = open_page(browser, f"{site}/#{member}", 1280, requests)
    assert re.match(rf"^✓ Anchored by FRA on {DATE} in the batch “{TITLE}”$", heading(page)), heading(page)
    assert "ok" in page.get_attribute("#verdict", "class").split()
    card = page.locator(".record.batch")
    assert card.count() == 1 and "ok" in card.get_attribute("class").split()
    wait_for_names(page, 3)
    state = card.locator(".record-state").inner_text()
    assert re.match(
        rf"^✓ Anchored by FRA on {DATE} in the batch “{TITLE}” \(document 18 of 1,200\); "
        r"this batch binds FRA \(French Republic\) only$",
        state,
    ), state
    summary = page.inner_text("#verdict-summary")
    assert "is document 18 of 1,200 in a batch that FRA (French Republic) anchored" in summary, summary
    assert "certificate-00017.pdf — document 18 of 1,200" in card.inner_text()
    signer = world.signers["FRA"].address
    chip = card.locator(".hexchip code").first
    assert chip.inner_text() == f"{signer[:6]}…{signer[-4:]}" and chip.get_attribute("title") == signer
    assert party_lookups(requests) == ["FRA"], "each party's name is asked once per page"
    assert page.get_attribute("#record-link", "href") == f"/v1/proofs/{member}"
    page.screenshot(path=str(ARTIFACTS / "page-batch-member.png"), full_page=True)

    for link in ("#receipt-link", ".record.batch a.receipt"):
        with page.expect_download() as download:
            page.click(link)
        receipt = receipts.loads(Path(download.value.path()).read_bytes())
        assert verify_offline(receipt, DOCS[17], world.pinned).ok
    page.close()

    phone = open_page(browser, f"{site}/#{member}", 390)
    expect(phone.locator("#verdict-heading")).to_contain_text("Anchored by FRA")
    wait_for_names(phone, 3)
    assert_no_sideways_scroll(phone, "batch member")
    phone.screenshot(path=str(ARTIFACTS / "page-batch-phone.png"), full_page=True)
    phone.close()


def test_a_batch_anchored_with_a_compromised_key_fails_on_the_page(
    world: World,
    site: str,
    browser: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    """FRA declares its anchoring key compromised from before the anchor: the member reads red, with the reason."""
    anchor_bundle(world, tmp_path / "bundle.json", DOCS[:40], title=TITLE)
    publish(site, "batch", (tmp_path / "bundle.json").read_bytes())
    key = world.signers["FRA"].address
    registry.revoke_signer(world.gw, world.controllers["FRA"], "FRA", key, world.gw.now() - 60)

    page = open_page(browser, f"{site}/#{DOCS[3].hex()}", 1280)
    assert re.match(rf"^✗ Anchored by FRA on {DATE} in the batch “{TITLE}”, but not valid$", heading(page))
    assert "bad" in page.get_attribute("#verdict", "class").split()
    card = page.locator(".record.batch")
    assert "bad" in card.get_attribute("class").split() and card.locator(".badge").inner_text() == "not valid"
    assert card.locator(".record-state").inner_text().startswith("✗ Not valid: Anchored by FRA")
    reasons = card.locator(".reasons li").all_inner_texts()
    assert any(f"{key} was not authorised when it anchored" in r for r in reasons), reasons
    assert "the batch's anchor does not verify" in page.inner_text("#verdict-summary")
    assert_nothing_green(page)
    wait_for_names(page, 1)
    page.screenshot(path=str(ARTIFACTS / "page-batch-compromised.png"), full_page=True)
    page.close()

    phone = open_page(browser, f"{site}/#{DOCS[3].hex()}", 390)
    assert_no_sideways_scroll(phone, "compromised batch")
    phone.close()


# text digest: (heading pattern, screenshot)
TEXTS = {
    FRENCH: (r"The French text \(treaty-fr\.pdf\)", "page-instrument-text.png"),
    ANNEX: (r"The annex \(annex-1\.pdf\)", "page-instrument-annex.png"),
    ENGLISH: (r"The English text \(treaty-en\.pdf\)", None),
}


def test_each_text_of_a_published_instrument_verifies_on_the_page(
    world: World,
    site: str,
    browser: Any,  # noqa: F811
) -> None:
    """The French text, the English text and the annex each read "…of the instrument “Treaty of Friendship”:
    Signed and in force", with the instrument's record below and its receipt."""
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    _, manifest, instrument = notarise_instrument(world)
    before = open_page(browser, f"{site}/#{FRENCH.hex()}", 1280)
    assert heading(before) == "✗ Not notarised"
    before.close()
    publish(site, "instrument", json.dumps(manifest).encode())

    for digest, (label, shot) in TEXTS.items():
        requests: list[str] = []
        page = open_page(browser, f"{site}/#{digest.hex()}", 1280, requests)
        expected = rf"^✓ {label} of the instrument “Treaty of Friendship”: Signed and in force$"
        assert re.match(expected, heading(page)), heading(page)
        assert "ok" in page.get_attribute("#verdict", "class").split()
        text_card = page.locator(".record.text")
        assert text_card.count() == 1 and "ok" in text_card.get_attribute("class").split()
        record = page.locator(".instrument .record:not(.text)")
        assert record.locator("h3").inner_text() == "Record of the instrument notarised by FRA executed"
        assert record.locator(".record-state").inner_text() == "✓ Signed and in force"
        rows = record.locator("table.acts tbody tr")
        cells = [(r.locator("td").nth(0).inner_text(), r.locator("td").nth(4).inner_text()) for r in rows.all()]
        assert cells == [("FRA", "✓ valid"), ("SGP", "✓ valid")]
        wait_for_names(page, 4)
        summary = page.inner_text("#verdict-summary")
        assert "binds FRA (French Republic) and SGP (Republic of Singapore)" in summary, summary
        expect(record).to_contain_text("FRA (French Republic) and SGP (Republic of Singapore) — 2 of 2 signatures")
        assert party_lookups(requests) == ["FRA", "SGP"], "each party's name is asked once per page"
        assert page.get_attribute("#record-link", "href") == f"/v1/records/{instrument.hex()}"
        with page.expect_download() as download:
            page.click(".record.text a.receipt")
        receipt = receipts.loads(Path(download.value.path()).read_bytes())
        assert verify_offline(receipt, digest, world.pinned).ok
        if shot:
            page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
        page.close()

    phone = open_page(browser, f"{site}/#{FRENCH.hex()}", 390)
    expect(phone.locator("#verdict-heading")).to_contain_text("The French text")
    wait_for_names(phone, 4)
    assert_no_sideways_scroll(phone, "instrument text")
    phone.screenshot(path=str(ARTIFACTS / "page-instrument-phone.png"), full_page=True)
    phone.close()


def test_an_annulled_instrument_makes_its_text_fail_on_the_page(
    world: World,
    site: str,
    browser: Any,  # noqa: F811
) -> None:
    """FRA and SGP annul the treaty: its French text reads "…: Annulled on …", red, with the reasons."""
    rid, manifest, _ = notarise_instrument(world)
    publish(site, "instrument", json.dumps(manifest).encode())
    world.act(rid, "FRA", Intent.ANNULMENT, "superseded by events")
    world.act(rid, "SGP", Intent.ANNULMENT, "superseded by events")

    page = open_page(browser, f"{site}/#{FRENCH.hex()}", 1280)
    expected = rf"^✗ The French text \(treaty-fr\.pdf\) of the instrument “Treaty of Friendship”: Annulled on {DATE}$"
    assert re.match(expected, heading(page)), heading(page)
    assert "bad" in page.get_attribute("#verdict", "class").split()
    assert page.locator(".record.text .badge").inner_text() == "not verified"
    assert "the instrument does not verify" in page.inner_text("#verdict-summary")
    assert "Binds" not in page.locator(".record.text").inner_text(), "an annulled instrument binds nobody"
    record = page.locator(".instrument .record:not(.text)")
    terms, values = record.locator("dt").all_inner_texts(), record.locator("dd").all_inner_texts()
    fact = dict(zip(terms, values, strict=True))
    assert fact["Bound now"] == "nobody: the record is annulled" and fact["Annulled by"] == "FRA and SGP", fact
    reasons = page.locator(".instrument .reasons li").all_inner_texts()
    assert any("annulled" in r for r in reasons), reasons
    assert_nothing_green(page)
    wait_for_names(page, 2)
    page.screenshot(path=str(ARTIFACTS / "page-instrument-annulled.png"), full_page=True)
    page.close()


def test_a_text_of_a_disputed_instrument_reads_disputed(
    world: World,
    site: str,
    browser: Any,  # noqa: F811
) -> None:
    """FRA and SGP annul the treaty, DEU notarises the same instrument alone: its French text reads "Disputed"."""
    from notary import instruments

    rid, manifest, instrument = notarise_instrument(world)
    publish(site, "instrument", json.dumps(manifest).encode())
    world.act(rid, "FRA", Intent.ANNULMENT, "replaced by negotiation")
    world.act(rid, "SGP", Intent.ANNULMENT, "replaced by negotiation")
    world.notarise(instrument, "DEU", parties=("DEU", "FRA", "SGP"), quorum=1, algorithm=instruments.ALGORITHM)

    page = open_page(browser, f"{site}/#{FRENCH.hex()}", 1280)
    expected = (
        r"^✗ Disputed: the French text \(treaty-fr\.pdf\) of the instrument “Treaty of Friendship”: "
        rf"FRA's record was annulled on {DATE}$"
    )
    assert re.match(expected, heading(page)), heading(page)
    assert "Records of the instrument this document belongs to disagree" in page.inner_text("#verdict-summary")
    assert page.locator(".record.text .badge").inner_text() == "disputed"
    states = page.locator(".instrument .record:not(.text) .record-state").all_inner_texts()
    assert any(s.endswith("this record disputes the document") for s in states), states
    assert_nothing_green(page)
    page.screenshot(path=str(ARTIFACTS / "page-instrument-disputed.png"), full_page=True)
    page.close()
