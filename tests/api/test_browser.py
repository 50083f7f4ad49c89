"""The verifier page in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Screenshots land in tests/artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from api_helpers import EXAMPLE

from notary import receipts
from notary.api import ApiSettings, create_app
from notary.receipts.verify import verify_offline
from notary.testing import World

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]

DROP = """([name, b64]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const dt = new DataTransfer();
  dt.items.add(new File([bytes], name, { type: "text/markdown" }));
  const zone = document.getElementById("dropzone");
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
  }
}"""


@pytest.fixture
def server(world: World, settings: Callable[..., ApiSettings]) -> Iterator[str]:
    """The app over the in-process world, served by uvicorn in a thread on a free port."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(settings(), gateway=world.gw), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


def test_drop_notarised_file_then_unknown_file(world: World, server: str, browser: Any) -> None:
    """Dropping the MoU shows 'Signed and in force', executed, FRA and SGP valid; an unknown file 'Not notarised'."""
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(server + "/")
    page.evaluate(DROP, ["mou-cyber-incident-sharing.md", base64.b64encode(EXAMPLE.read_bytes()).decode()])
    expect(page.locator("#verdict-heading")).to_contain_text("Signed and in force")
    assert page.locator(".record .badge").inner_text() == "executed"
    rows = page.locator("table.acts tbody tr")
    assert rows.count() == 2
    cells = [(row.locator("td").nth(0).inner_text(), row.locator("td").nth(4).inner_text()) for row in rows.all()]
    assert cells == [("FRA", "✓ valid"), ("SGP", "✓ valid")]
    assert hashlib.sha256(EXAMPLE.read_bytes()).hexdigest() in page.locator("#facts").inner_text()
    assert page.evaluate("document.activeElement.id") == "verdict-heading"  # focus moves to the verdict
    page.screenshot(path=str(ARTIFACTS / "verifier-notarised.png"), full_page=True)

    with page.expect_download() as download:
        page.click("#download")
    saved = json.loads(Path(download.value.path()).read_text())
    assert saved["verified"] and saved["file"]["name"] == "mou-cyber-incident-sharing.md"
    assert page.get_attribute("#record-link", "href") == "/v1/records/" + saved["digest"]
    with page.expect_download() as receipt_download:
        page.click("#receipt-link")
    assert receipt_download.value.suggested_filename == saved["digest"][:16] + ".receipt.json"
    receipt = receipts.loads(Path(receipt_download.value.path()).read_bytes())
    assert verify_offline(receipt, bytes.fromhex(saved["digest"]), world.pinned).ok
    assert page.locator(".record a.receipt").get_attribute("href").endswith("/receipt?submitter=FRA")

    page.set_input_files("#file", files=[{"name": "unknown.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1"}])
    expect(page.locator("#verdict-heading")).to_contain_text("Not notarised")
    assert page.locator(".record").count() == 0
    assert page.is_hidden("#record-link") and page.is_hidden("#receipt-link")
    page.screenshot(path=str(ARTIFACTS / "verifier-not-notarised.png"), full_page=True)
    page.close()


def test_phone_layout_keyboard_and_digest_form(server: str, browser: Any) -> None:
    """On a phone: Tab reaches the file input; a typed digest verifies; the in-page SHA-256 matches hashlib."""
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page.goto(server + "/")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "file"
    data = bytes(range(256)) * 5 + b"tail"
    for sample in (b"", b"abc", data):
        got = page.evaluate("(b) => window.notaryVerifier.sha256Bytes(new Uint8Array(b))", list(sample))
        assert got == hashlib.sha256(sample).hexdigest()
    chunked = page.evaluate(  # fed in odd slices, as files are over plain http
        """(b) => { const s = new NotarySha256.Sha256(), u = new Uint8Array(b);
                    for (let i = 0; i < u.length; i += 37) s.update(u.subarray(i, i + 37));
                    return NotarySha256.hex(s.digest()); }""",
        list(data),
    )
    assert chunked == hashlib.sha256(data).hexdigest()
    page.fill("#digest", hashlib.sha256(EXAMPLE.read_bytes()).hexdigest())
    page.press("#digest", "Enter")
    expect(page.locator("#verdict-heading")).to_contain_text("Signed and in force")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=str(ARTIFACTS / "verifier-phone.png"), full_page=True)
    page.fill("#digest", "not a digest")
    page.press("#digest", "Enter")
    assert "64 hexadecimal digits" in page.inner_text("#status")
    page.close()
