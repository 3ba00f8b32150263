"""Sitemaps: robots.txt lines, index and urlset, gzip, caps, and hostile XML refused."""

from __future__ import annotations

import gzip
from pathlib import Path
from urllib.parse import unquote

from crawler.discover import (
    default_sitemap_urls,
    parse_sitemap,
    sitemap_candidates,
    sitemaps_from_robots,
)

CORPUS = Path(__file__).parent / "corpus" / "discovery"
SITE = "https://www.europarabct.com"


def fixture(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def test_robots_sitemap_lines_any_case_once_each_relative_resolved() -> None:
    assert sitemaps_from_robots((CORPUS / "robots.txt").read_text(), f"{SITE}/robots.txt") == [
        f"{SITE}/sitemap_index.xml",
        f"{SITE}/wp-sitemap.xml",
        f"{SITE}/news-sitemap.xml",
    ]


def test_robots_without_sitemaps_and_default_locations() -> None:
    assert sitemaps_from_robots("User-agent: *\nDisallow:\n") == []
    assert default_sitemap_urls(f"{SITE}/?p=95655") == [
        f"{SITE}/wp-sitemap.xml",
        f"{SITE}/sitemap_index.xml",
        f"{SITE}/sitemap.xml",
    ]


def test_wordpress_sitemap_index_lists_children_with_lastmod() -> None:
    doc = parse_sitemap(fixture("wp-sitemap.xml"))
    assert doc.ok and doc.urls == ()
    assert [(c.loc, c.lastmod) for c in doc.children] == [
        (f"{SITE}/wp-sitemap-posts-post-1.xml", None),
        (f"{SITE}/wp-sitemap-posts-post-2.xml.gz", "2024-07-24T09:00:00Z"),
        (f"{SITE}/wp-sitemap-taxonomies-category-1.xml", None),
        (f"{SITE}/wp-sitemap-users-1.xml", None),
    ]


def test_urlset_locs_and_lastmods_normalized_to_utc() -> None:
    doc = parse_sitemap(fixture("wp-sitemap-posts-post-1.xml"))
    assert doc.ok and doc.children == ()
    assert [(unquote(u.loc), u.lastmod) for u in doc.urls] == [
        (f"{SITE}/مكافحة-الإرهاب-ـ-تنظيم-داعش-في-أفريقيا/", "2024-07-20T08:00:00Z"),
        (f"{SITE}/الاستخبارات-الألمانية-ـ-تهديدات-التجسس-الروسي/", "2024-07-18T12:30:00Z"),
        (f"{SITE}/أمن-دولي-ـ-قمة-واشنطن-والشراكات/", "2024-07-24T00:00:00Z"),  # date only
        (f"{SITE}/أمن-دولي-ـ-لماذا-زاد-اهتمام-الناتو-بمنط/", "2024-07-23T08:15:00Z"),
        (f"{SITE}/أوروبا-ـ-اليمين-المتطرف-والانتخابات/", None),  # "not a date"
        (f"{SITE}/about-us/", None),  # whitespace around <loc> trimmed
    ]  # javascript: loc dropped


def test_gzip_sitemap_without_namespace_is_read() -> None:
    doc = parse_sitemap(gzip.compress(fixture("wp-sitemap-posts-post-2.xml")))
    assert [(unquote(u.loc), u.lastmod) for u in doc.urls] == [
        (f"{SITE}/الجماعات-المتطرفة-ـ-تقرير-أسبوعي/", "2024-07-25T03:00:00Z"),
        (f"{SITE}/الأمن-السيبراني-ـ-حلف-الناتو-والتضليل/", None),
    ]


def test_nested_index_walk_reaches_every_post() -> None:
    # How the discovery job walks an index: children are fetched (here: read from the corpus,
    # the second one gzipped as a server would serve .xml.gz) and parsed the same way.
    served = {
        f"{SITE}/wp-sitemap.xml": fixture("wp-sitemap.xml"),
        f"{SITE}/wp-sitemap-posts-post-1.xml": fixture("wp-sitemap-posts-post-1.xml"),
        f"{SITE}/wp-sitemap-posts-post-2.xml.gz": gzip.compress(
            fixture("wp-sitemap-posts-post-2.xml")
        ),
    }
    pending, pages = [f"{SITE}/wp-sitemap.xml"], []
    while pending:
        url = pending.pop(0)
        if url not in served:  # taxonomies and users sitemaps: not served here
            continue
        doc = parse_sitemap(served[url])
        pending += [child.loc for child in doc.children]
        pages += sitemap_candidates(doc, url)
    assert len(pages) == 8
    assert {p.reason for p in pages} == {"sitemap"}
    assert pages[-1].source == f"{SITE}/wp-sitemap-posts-post-2.xml.gz"
    assert all("%D8" in p.url or "about-us" in p.url for p in pages)  # canonical spelling


def test_entity_expansion_is_refused() -> None:
    doc = parse_sitemap(fixture("billion_laughs_sitemap.xml"))
    assert doc.urls == () and doc.error is not None and "refused" in doc.error


def test_external_entity_is_refused() -> None:
    doc = parse_sitemap(fixture("xxe_sitemap.xml"))
    assert doc.urls == () and doc.error is not None and "refused" in doc.error
    assert "root:" not in repr(doc)


def test_gzip_bomb_is_capped() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 2_000_000 + b"</urlset>")
    assert len(bomb) < 10_000
    doc = parse_sitemap(bomb, max_bytes=1_000_000)
    assert doc.error == "sitemap refused: more than 1000000 bytes once decompressed"
    assert parse_sitemap(bomb, max_bytes=3_000_000).ok


def test_plain_body_over_the_cap_is_refused() -> None:
    assert "refused" in (parse_sitemap(b"<urlset>" + b" " * 100, max_bytes=50).error or "")


def test_html_truncated_and_corrupt_bodies_are_errors_not_exceptions() -> None:
    assert "root element is <html>" in (parse_sitemap(fixture("rest_blocked.html")).error or "")
    assert "not valid gzip" in (parse_sitemap(b"\x1f\x8b garbage").error or "")
    assert parse_sitemap(b"").error is not None
    cut = fixture("wp-sitemap-posts-post-1.xml")[:900]
    doc = parse_sitemap(cut)
    assert doc.error is not None and "well-formed" in doc.error
    assert len(doc.urls) >= 1  # what was read before the cut is kept
