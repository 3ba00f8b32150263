"""The WordPress REST API: request URLs, answers, and an API that is off or blocked."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from crawler.discover import (
    api_candidates,
    api_root_from_html,
    api_root_from_link_header,
    default_api_root,
    parse_posts,
    posts_url,
)

CORPUS = Path(__file__).parent / "corpus" / "discovery"
SITE = "https://www.europarabct.com"
ROOT = f"{SITE}/wp-json/"


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_posts_url_for_the_seed_and_its_categories() -> None:
    url = posts_url(ROOT, include=[95655])
    assert url.startswith(f"{SITE}/wp-json/wp/v2/posts?")
    assert query(url) == {
        "include": ["95655"],
        "per_page": ["100"],
        "page": ["1"],
        "_fields": ["id,link,modified_gmt,categories,tags"],
    }
    url = posts_url(ROOT, categories=[12, 31], modified_after="2024-07-01T00:00:00+00:00", page=2)
    params = query(url)
    assert params["categories"] == ["12,31"]
    assert params["modified_after"] == ["2024-07-01T00:00:00+00:00"]  # "+" survives encoding
    assert params["orderby"] == ["modified"] and params["page"] == ["2"]


def test_posts_url_with_plain_permalinks_root_and_clamped_page_size() -> None:
    url = posts_url(f"{SITE}/?rest_route=/", tags=[240], per_page=500)
    assert url.startswith(f"{SITE}/?rest_route=/wp/v2/posts&")
    assert query(url)["per_page"] == ["100"] and query(url)["tags"] == ["240"]
    assert posts_url(f"{SITE}/wp-json", include=[1]).startswith(f"{SITE}/wp-json/wp/v2/posts?")


def test_posts_answer_parsed_into_records_untrusted_items_skipped() -> None:
    result = parse_posts(
        (CORPUS / "rest_posts.json").read_bytes(), "application/json; charset=UTF-8"
    )
    assert result.available
    assert [(p.id, p.modified_gmt, p.categories, p.tags) for p in result.posts] == [
        (95655, "2024-07-23T08:15:00Z", (12, 31), (240, 977)),
        (95700, "2024-07-24T09:00:00Z", (31,), (240,)),
        (95001, "2024-07-20T08:00:00Z", (12,), ()),
        (95004, None, (), (5,)),  # null date, categories not a list, a boolean tag id
    ]  # string id, javascript: link and a non-object item are dropped
    assert unquote(result.posts[0].link) == f"{SITE}/أمن-دولي-ـ-لماذا-زاد-اهتمام-الناتو-بمنط/"


def test_api_candidates_use_modified_gmt_as_lastmod() -> None:
    result = parse_posts((CORPUS / "rest_posts.json").read_text())
    source = posts_url(ROOT, include=[95655])
    found = api_candidates(result, source)
    assert [(c.reason, c.lastmod) for c in found][:2] == [
        ("rest_api", "2024-07-23T08:15:00Z"),
        ("rest_api", "2024-07-24T09:00:00Z"),
    ]
    assert found[0].url == f"{SITE}/{quote('أمن-دولي-ـ-لماذا-زاد-اهتمام-الناتو-بمنط')}/"
    assert {c.source for c in found} == {source}


def test_disabled_api_is_unavailable_with_wordpress_message() -> None:
    result = parse_posts((CORPUS / "rest_disabled.json").read_bytes())
    assert not result.available and result.posts == ()
    assert (
        result.error
        == "API unavailable: WordPress answered rest_disabled: واجهة REST معطلة على هذا الموقع."
    )


def test_blocked_api_html_page_is_unavailable() -> None:
    for content_type in ("text/html; charset=UTF-8", None):
        result = parse_posts((CORPUS / "rest_blocked.html").read_bytes(), content_type)
        assert not result.available
        assert "HTML page" in (result.error or "")


def test_malformed_json_and_wrong_shapes_are_unavailable() -> None:
    assert "not valid JSON" in (parse_posts(b'[{"id": 1,').error or "")
    assert "expected a list" in (parse_posts(b'"hello"').error or "")
    assert not parse_posts(b"\xff\xfe\x00garbage").available
    assert parse_posts(b"[]").available and parse_posts(b"[]").posts == ()
    assert "limit" in (parse_posts(b"[" + b" " * (5 * 1024 * 1024) + b"]").error or "")


def test_api_root_announced_in_page_and_header() -> None:
    html = (CORPUS / "article.html").read_text()
    assert api_root_from_html(html, f"{SITE}/?p=95655") == ROOT
    assert api_root_from_html("<html><head></head></html>", SITE) is None
    header = f'<{SITE}/wp-json/>; rel="https://api.w.org/", <{SITE}/?p=95655>; rel=shortlink'
    assert api_root_from_link_header(header, SITE) == ROOT
    assert api_root_from_link_header('</?rest_route=/>; rel="https://api.w.org/"', SITE) == (
        f"{SITE}/?rest_route=/"
    )
    assert api_root_from_link_header(None, SITE) is None
    assert default_api_root(f"{SITE}/some/post/") == ROOT
