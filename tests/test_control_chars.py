"""Control characters from scraped pages never reach the terminal or forge a log line: ESC and
BEL are stripped from stored text, and escaped in every log line and terminal output (issue
#18, item 13)."""

from __future__ import annotations

import io
import json
import logging

from click.testing import CliRunner

from crawler.arabic import display_text
from crawler.discover.wpapi import parse_posts
from crawler.extract import extract
from crawler.models import Block, Extracted, Fetched, Observation
from schedules.cli import cli
from schedules.logs import setup_logging
from store.schema import connect
from store.versions import ensure_page, record_check

URL = "https://www.europarabct.com/?p=95655"
RETITLE, CLEAR = "\x1b]0;pwned\x07", "\x1b[2J"


def test_esc_and_bel_do_not_survive_extraction():
    html = (
        "<html><head><title>عنوان&#27;]0;pwned&#7;</title></head><body><article>"
        "<h1>عنوان&#27;]0;pwned&#7;</h1>"
        f"<p>{'نص عربي طويل عن الأمن الجماعي. ' * 8}&#x1b;[2J&#x9b;31m</p>"
        "</article></body></html>"
    )
    found = extract(html, URL)
    texts = [found.title or "", *(block.text for block in found.blocks)]
    assert found.blocks
    assert not [t for t in texts if any(c in t for c in "\x1b\x07\x9b")]


def test_display_text_keeps_whitespace_as_spaces_and_drops_other_controls():
    assert display_text(f"a{RETITLE}b\tc{CLEAR}") == "a]0;pwnedb c[2J"
    assert display_text("نص\x00\x08عربي") == "نصعربي"


def test_marsad_diff_prints_no_escape_sequences_from_stored_text(tmp_path):
    path = tmp_path / "m.db"
    db = connect(path)
    page = ensure_page(db, URL, now="2026-01-01T00:00:00Z")
    fetched = Fetched(url=URL, final_url=URL, outcome="ok", status=200, body="<html/>")
    for minute, text in enumerate(["نص أول", "نص ثان"]):
        record_check(db, page, Observation(fetched, Extracted(title="t", blocks=(Block("paragraph", text),))), now=f"2026-01-01T00:0{minute}:00Z")  # fmt: skip
    # a text stored by an older marsad, before controls were stripped
    db.execute(
        "UPDATE texts SET text = ? WHERE hash = (SELECT text_hash FROM versions WHERE version = 2)",
        [f"نص {RETITLE} ثان {CLEAR}"],
    )
    result = CliRunner().invoke(cli, ["--db", str(path), "diff", URL], color=True)
    assert result.exit_code == 0, result.output
    assert RETITLE not in result.output and CLEAR not in result.output
    assert "\x07" not in result.output and "\\x1b]0;pwned\\x07" in result.output


def test_a_rest_error_body_cannot_forge_a_log_line():
    body = json.dumps(
        {"code": "x", "message": "no\n2026-01-01 INFO marsad.daemon: all fine\x1b[2J"}
    )
    error = parse_posts(body).error
    assert error and "\n" in error  # the scraped message itself, as the server sent it
    for fmt in ("text", "json"):
        out = io.StringIO()
        setup_logging(fmt, stream=out)
        try:
            logging.getLogger("marsad.discover").info("discovery source %s: %s", URL, error)
        finally:
            setup_logging()
        lines = out.getvalue().splitlines()
        assert len(lines) == 1, lines
        assert "\x1b" not in lines[0] and "\\x0a2026-01-01 INFO" in lines[0].replace("\\\\", "\\")
