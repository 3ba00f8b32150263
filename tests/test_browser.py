"""A real browser on `marsad serve`: the diff of a two-version Arabic page reads right to left.

Headless Chromium from the system's package manager (Debian's `chromium`), driven by Playwright
without downloading a browser. `.ci/run` installs it; elsewhere the test skips saying why.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.test_web import SLUG
from tests.test_web_reading import populate_reading

CHROMIUM = Path(os.environ.get("MARSAD_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUTPUT = Path(__file__).resolve().parents[1] / "test-output" / "browser"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"no Chromium at {CHROMIUM}: `apt-get install chromium` (.ci/run does) to run the browser test",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    path = tmp_path / "marsad.db"
    ids = populate_reading(path)
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "schedules.cli",
            "--db",
            str(path),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:  # readiness, not timing: wait until the server answers
        try:
            if httpx.get(base + "/-/versions.json", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"marsad serve did not start: {process.stderr.read().decode()[-2000:]}")
        time.sleep(0.1)
    yield base, ids
    process.terminate()
    process.wait(timeout=10)


def test_diff_view_runs_right_to_left_with_insertions_highlighted(server):
    from playwright.sync_api import sync_playwright

    base, ids = server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900}, locale="ar")
            page.goto(f"{base}/-/marsad/diff/{ids['page']}/1/2", wait_until="load")
            OUTPUT.mkdir(parents=True, exist_ok=True)
            shot = OUTPUT / "diff-rtl.png"
            page.screenshot(path=str(shot), full_page=True)
            diff = page.locator("#diff")
            assert diff.evaluate("e => getComputedStyle(e).direction") == "rtl"
            inserted = page.locator("#diff ins.diff-ins")
            assert "والتعاوني" in inserted.all_inner_texts()
            background = inserted.first.evaluate("e => getComputedStyle(e).backgroundColor")
            assert background not in ("rgba(0, 0, 0, 0)", "transparent"), background
            # Laid out right to left: a paragraph's first words sit at the container's right edge.
            box = diff.bounding_box()
            first = page.locator("#diff p").first.locator("span").first.bounding_box()
            assert box and first
            assert abs((first["x"] + first["width"]) - (box["x"] + box["width"])) < 30
            assert first["x"] > box["x"] + box["width"] / 3
            page.goto(f"{base}/-/marsad/diff/{ids['page']}/1/2?view=side", wait_until="load")
            page.screenshot(path=str(OUTPUT / "diff-side-by-side.png"), full_page=True)
            page.goto(f"{base}/-/marsad/page/{ids['page']}", wait_until="load")
            page.screenshot(path=str(OUTPUT / "timeline.png"), full_page=True)
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.evaluate("document.documentElement.clientWidth") + 1, (page.url, width)


def test_reading_on_a_phone_in_arabic(server):
    """An Arabic reader on a 390 px phone: decoded URLs, the next-change link, level paragraphs
    side by side, right-to-left pages that never scroll sideways."""
    from playwright.sync_api import sync_playwright

    base, ids = server
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        try:
            page = browser.new_page(
                viewport={"width": 390, "height": 844},
                locale="ar",
                extra_http_headers={"accept-language": "ar"},
            )
            page.goto(f"{base}/-/marsad/", wait_until="load")
            assert page.evaluate("document.documentElement.dir") == "rtl"
            assert "الصفحات المرصودة" in page.locator("h1").inner_text()
            assert page.get_by_text("europarabct.com/الأمن-الجماعي/").count() >= 1
            _no_horizontal_scroll(page)
            page.screenshot(path=str(OUTPUT / "watched-390-ar.png"), full_page=True)

            page.goto(f"{base}/-/marsad/page/{ids['page']}", wait_until="load")
            assert page.locator(".marsad-page-info").get_by_text(SLUG).count() == 1
            _no_horizontal_scroll(page)
            page.screenshot(path=str(OUTPUT / "timeline-390-ar.png"), full_page=True)
            page.goto(f"{base}/-/marsad/page/{ids['long']}", wait_until="load")
            assert "HTTPStatusError" in page.locator(".marsad-page-info").inner_text()
            _no_horizontal_scroll(page)

            page.goto(f"{base}/-/marsad/diff/{ids['long']}/1/2", wait_until="load")
            _no_horizontal_scroll(page)
            page.screenshot(path=str(OUTPUT / "diff-inline-390-ar.png"), full_page=True)
            page.locator("#change-1 a.next-change").click()
            assert page.evaluate("location.hash") == "#change-2"
            target = page.locator("#change-2")
            assert target.locator("ins.diff-ins").count() >= 1
            box = target.bounding_box()
            assert box and 0 <= box["y"] < 844  # scrolled into view
            page.locator("details.diff-folded summary").first.click()
            assert page.locator("details.diff-folded").first.evaluate("e => e.open")

            page.goto(f"{base}/-/marsad/diff/{ids['long']}/1/2?view=side", wait_until="load")
            _no_horizontal_scroll(page)
            page.screenshot(path=str(OUTPUT / "diff-side-390-ar.png"), full_page=True)
            rows = page.locator("#diff .diff-row:not(.diff-head)")
            inserted = next(
                i for i in range(rows.count()) if "فقرة جديدة" in rows.nth(i).inner_text()
            )
            gap = rows.nth(inserted).locator(".diff-old").bounding_box()
            beside = rows.nth(inserted).locator(".diff-new").bounding_box()
            assert gap and beside and abs(gap["y"] - beside["y"]) < 2
            after_old = rows.nth(inserted + 1).locator(".diff-old p").bounding_box()
            after_new = rows.nth(inserted + 1).locator(".diff-new p").bounding_box()
            assert after_old and after_new and abs(after_old["y"] - after_new["y"]) < 2

            page.goto(f"{base}/-/marsad/search?q=اسلام", wait_until="load")
            assert page.locator("mark").first.inner_text() == "الإسلام"
            _no_horizontal_scroll(page)

            english = browser.new_page(viewport={"width": 1100, "height": 900}, locale="en-GB")
            english.goto(f"{base}/marsad/versions", wait_until="load")
            assert english.locator("a.marsad-excel").count() == 1
            english.goto(f"{base}/-/marsad/changes.atom", wait_until="load")  # a page, not XML
            english.screenshot(path=str(OUTPUT / "feed.png"), full_page=True)
            assert "marsad" in english.locator("h1").inner_text()
        finally:
            browser.close()
