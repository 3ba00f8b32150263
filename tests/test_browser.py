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

from tests.test_web import populate

CHROMIUM = Path(os.environ.get("MARSAD_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
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
    ids = populate(path)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "schedules.cli", "--db", str(path), "serve", "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
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
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
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
