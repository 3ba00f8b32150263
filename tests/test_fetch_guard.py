"""The parse guard: hostile documents cost one check, never the daemon.

The two speed bounds are on this process's CPU time, not the wall clock: another process on a
shared machine cannot make them fail, and each is hundreds of times what the scan takes (1.5 and
5 ms), while the quadratic scan they guard against took seconds.
"""

from __future__ import annotations

import time

from crawler.guard import parse_risk


def test_a_hundred_thousand_nested_divs_are_flagged_fast():
    html = "<html><body>" + "<div>" * 100_000 + "x" + "</div>" * 100_000 + "</body></html>"
    started = time.process_time()
    assert parse_risk(html) == "too deeply nested: more than 3000 open elements"
    assert time.process_time() - started < 0.5


def test_ordinary_and_long_flat_pages_pass():
    article = "<html><body>" + "<div><p>فقرة<br><img src=x></p></div>" * 20_000 + "</body></html>"
    assert parse_risk(article) is None
    assert parse_risk("<ul>" + "<li>بند" * 50_000 + "</ul>") is None  # implied end tags


def test_too_many_elements_are_flagged():
    assert parse_risk("<span></span>" * 400_000).startswith("too many elements")


def test_a_body_of_unclosed_tags_is_scanned_in_linear_time():
    # Every "<" with no ">" after it once made the scan read to the end of the body: 20,000 of
    # them took 11 s (40,000: 46 s); each tag now ends at the next "<".
    html = "<html><body><p>مقال</p>" + "<a" * 20_000
    started = time.process_time()
    assert parse_risk(html) is None
    assert parse_risk(html * 5) is None
    assert time.process_time() - started < 1


def test_a_lone_less_than_sign_does_not_hide_the_tags_after_it():
    html = "<p>1 < 2" + "<div>" * 4000
    assert parse_risk(html) == "too deeply nested: more than 3000 open elements"
