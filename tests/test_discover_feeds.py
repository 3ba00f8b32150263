"""RSS and Atom feeds: entries with their update times, feed discovery, hostile feeds."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote, unquote

from crawler.discover import feed_candidates, feed_urls_from_html, parse_feed, site_feed_url

CORPUS = Path(__file__).parent / "corpus" / "discovery"
SITE = "https://www.europarabct.com"
CATEGORY_FEED = f"{SITE}/category/{quote('دراسات')}/feed/"


def test_wordpress_rss_category_feed() -> None:
    doc = parse_feed((CORPUS / "category_feed.rss.xml").read_bytes(), CATEGORY_FEED)
    assert doc.ok and doc.title is not None and doc.title.startswith("دراسات")
    assert [(unquote(e.link), e.updated) for e in doc.entries] == [
        (f"{SITE}/مكافحة-الإرهاب-ـ-تنظيم-داعش-في-أفريقيا/", "2024-07-20T08:00:00Z"),
        (f"{SITE}/الاستخبارات-الألمانية-ـ-تهديدات-التجسس-الروسي/", "2024-07-18T12:30:00Z"),
        (f"{SITE}/أمن-دولي-ـ-قمة-واشنطن-والشراكات/", "2024-07-24T09:00:00Z"),
        (f"{SITE}/أمن-دولي-ـ-لماذا-زاد-اهتمام-الناتو-بمنط/", "2024-07-23T08:15:00Z"),
        (f"{SITE}/أوروبا-ـ-اليمين-المتطرف-والانتخابات/", "2024-07-10T16:45:00Z"),
    ]  # the item without a <link> is left out


def test_atom_feed_prefers_updated_converts_to_utc_and_resolves_relative_links() -> None:
    doc = parse_feed((CORPUS / "site_feed.atom.xml").read_bytes(), f"{SITE}/feed/atom/")
    assert [(unquote(e.link), e.updated) for e in doc.entries] == [
        (f"{SITE}/أمن-دولي-ـ-قمة-واشنطن-والشراكات/", "2024-07-24T09:00:00Z"),  # +02:00
        (f"{SITE}/أمن-دولي-ـ-لماذا-زاد-اهتمام-الناتو-بمنط/", "2024-07-23T08:15:00Z"),  # published
    ]


def test_feed_candidates_carry_reason_source_and_lastmod() -> None:
    doc = parse_feed((CORPUS / "category_feed.rss.xml").read_bytes(), CATEGORY_FEED)
    found = feed_candidates(doc, "category_feed")
    assert len(found) == 5
    assert {c.reason for c in found} == {"category_feed"}
    assert {c.source for c in found} == {CATEGORY_FEED}
    assert found[0].lastmod == "2024-07-20T08:00:00Z"
    assert "%d9" not in found[0].url and "%D9" in found[0].url  # canonical uppercase hex


def test_feedburner_original_link_wins() -> None:
    rss = b"""<?xml version="1.0"?><rss version="2.0"
      xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"><channel><title>t</title>
      <item><link>https://feedproxy.google.com/~r/ecci/~3/abc/</link>
      <feedburner:origLink>https://www.europarabct.com/post-a/</feedburner:origLink></item>
      </channel></rss>"""
    assert [e.link for e in parse_feed(rss, "https://feeds.feedburner.com/ecci").entries] == [
        "https://www.europarabct.com/post-a/"
    ]


def test_entity_bomb_is_not_expanded() -> None:
    started = time.perf_counter()
    doc = parse_feed((CORPUS / "billion_laughs_feed.xml").read_bytes(), f"{SITE}/feed/")
    assert time.perf_counter() - started < 2
    assert len(doc.title or "") < 100
    assert all(len(e.link) < 200 for e in doc.entries)


def test_not_a_feed_is_an_error_not_an_exception() -> None:
    html = (CORPUS / "rest_blocked.html").read_bytes()
    assert not parse_feed(html, f"{SITE}/feed/").ok
    assert "not RSS or Atom" in (parse_feed(html, f"{SITE}/feed/").error or "")
    assert parse_feed(b"", f"{SITE}/feed/").error == f"feed {SITE}/feed/ is empty"
    assert parse_feed(b"\x00\xff garbage", f"{SITE}/feed/").entries == ()


def test_oversized_feed_is_refused() -> None:
    doc = parse_feed(b" " * (10 * 1024 * 1024 + 1), f"{SITE}/feed/")
    assert doc.error is not None and "limit" in doc.error


def test_feed_urls_announced_by_the_article_page() -> None:
    html = (CORPUS / "article.html").read_text()
    assert feed_urls_from_html(html, f"{SITE}/?p=95655") == [
        f"{SITE}/feed/",
        f"{SITE}/comments/feed/",
        f"{SITE}/{quote('أمن-دولي-ـ-لماذا-زاد-اهتمام-الناتو-بمنط').lower()}/feed/",
    ]


def test_feed_urls_resolve_relative_and_ignore_other_alternates() -> None:
    html = """<head><link rel="alternate" type="application/atom+xml" href="/feed/atom/">
      <link rel="alternate" hreflang="en" href="/en/"><link rel="alternate"
      type="application/json" href="/wp-json/wp/v2/posts/1"></head>"""
    assert feed_urls_from_html(html, f"{SITE}/x/") == [f"{SITE}/feed/atom/"]
    assert site_feed_url(f"{SITE}/any/page/") == f"{SITE}/feed/"
