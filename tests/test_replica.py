"""The replica of the ECCI site behaves like the WordPress site our crawler watches.

Everything is checked over real HTTP on 127.0.0.1 with httpx, the way marsad reads the site.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit
from xml.etree import ElementTree

import feedparser
import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser

from tests.servers.replica import ReplicaServer, ReplicaSite
from tests.servers.replica_data import SEED_ID

SEED_FILE = Path(__file__).resolve().parents[1] / "seeds" / "000_3b1ee1feec353f5c.txt"
SEED_LINES = [
    line.strip() for line in SEED_FILE.read_text(encoding="utf-8").splitlines() if line.strip()
]
SEED_TEXT, SEED_SHORTLINK = SEED_LINES[:-1], SEED_LINES[-1]
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def client(replica: ReplicaServer):
    with httpx.Client(base_url=replica.base_url, timeout=5) as client:
        yield client


def article(client: httpx.Client, post_id: int = SEED_ID) -> httpx.Response:
    response = client.get(f"/?p={post_id}", follow_redirects=True)
    assert response.status_code == 200, response.status_code
    return response


def content_texts(html: str) -> list[str]:
    """The article's own blocks: what a careful extractor keeps from .entry-content."""
    content = LexborHTMLParser(html).css_first(".entry-content")
    for chrome in content.css(".sharedaddy, .related-posts, .post-tags, .post-shortlink"):
        chrome.decompose()
    return [node.text() for node in content.css("p, h2, h3")]


def meta(html: str, prop: str) -> str:
    return LexborHTMLParser(html).css_first(f"meta[property='{prop}']").attributes["content"]


# ---- the seed article -----------------------------------------------------------------------


def test_short_link_redirects_to_the_percent_encoded_arabic_permalink(replica, client):
    response = client.get("/?p=95655")
    assert response.status_code == 301
    location = response.headers["location"]
    path = urlsplit(location).path
    assert location.startswith(replica.base_url + "/2024/07/22/")
    assert re.fullmatch(r"/2024/07/22/(%[0-9A-F]{2}|-)+/", path), (
        "slug is uppercase percent-encoding"
    )
    assert unquote(path) == "/2024/07/22/حلف-شمال-الأطلسي-وشركاؤه-في-منطقة-المحيطين-الهندي-والهادئ/"
    page = client.get(location)
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=UTF-8"
    tree = LexborHTMLParser(page.text)
    assert tree.css_first("link[rel=canonical]").attributes["href"] == location
    assert (
        tree.css_first("link[rel=shortlink]").attributes["href"] == f"{replica.base_url}/?p=95655"
    )
    # The same short link as the seed document's last line, on the replica's origin.
    assert urlsplit(SEED_SHORTLINK.split()[-1]).query == urlsplit(str(response.request.url)).query


def test_unknown_post_ids_and_paths_get_the_wordpress_404_page(client):
    for path in ("/?p=1", "/?p=abc", "/2024/07/22/no-such-post/", "/nothing/here/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "error404" in response.text and 'dir="rtl"' in response.text


def test_article_carries_every_seed_paragraph_inside_entry_content(client):
    html = article(client).text
    assert content_texts(html) == SEED_TEXT
    tree = LexborHTMLParser(html)
    assert [h.text() for h in tree.css(".entry-content h2")] == [
        "اهتمام حلف شمال الأطلسي بمنطقة المحيطين الهندي والهادئ"
    ]
    assert [h.text() for h in tree.css(".entry-content > h3")] == ["مستقبل التعاون بين الناتو وIP4"]
    # The short link is printed by the theme, not written by the author: it is no paragraph.
    assert "رابط مختصر" in tree.css_first(".entry-content .post-shortlink").text()
    assert not any("رابط مختصر" in p.text() for p in tree.css(".entry-content p"))


def test_article_page_has_the_chrome_of_a_real_theme(client, replica):
    html = article(client).text
    tree = LexborHTMLParser(html)
    root = tree.css_first("html")
    assert (root.attributes["lang"], root.attributes["dir"]) == ("ar", "rtl")
    assert (
        tree.css_first("h1.entry-title").text()
        == "حلف شمال الأطلسي وشركاؤه في منطقة المحيطين الهندي والهادئ"
    )
    assert "يوليو 22, 2024" in tree.css_first(".entry-meta").text()
    assert meta(html, "article:published_time") == "2024-07-22T07:30:00+00:00"
    assert meta(html, "og:type") == "article"
    assert len(tree.css("nav.main-navigation li a")) >= 5 and tree.css_first("nav.breadcrumbs")
    assert tree.css_first(".entry-content .sharedaddy") is not None
    related = tree.css(".entry-content .related-posts li a")
    assert len(related) == 3
    for anchor in related:
        assert (
            "category-دراسات"
            in article_of(client, anchor.attributes["href"])
            .css_first("article")
            .attributes["class"]
        )
    assert {a.text() for a in tree.css(".entry-content .post-tags a[rel=tag]")} >= {"الناتو", "IP4"}
    assert [a.text() for a in tree.css(".entry-meta a[rel~=category]")] == [
        "دراسات",
        "الأمن الدولي",
    ]
    assert tree.css_first(".author-box") and tree.css_first("#comments .comment-list")
    assert tree.css_first("#commentform") and tree.css_first("aside .widget_newsletterwidget form")
    assert (
        tree.css_first("aside .wp-polls") and len(tree.css("aside .widget_recent_entries li")) == 5
    )
    assert tree.css_first("aside .visitor-counter") and tree.css_first(".post-views-count")
    assert tree.css_first("footer.site-footer") is not None
    data = json.loads(tree.css_first("script[type='application/ld+json']").text())
    assert data["@type"] == "NewsArticle" and data["headline"] == tree.css_first("h1").text()


def article_of(client: httpx.Client, url: str) -> LexborHTMLParser:
    response = client.get(url)
    assert response.status_code == 200, url
    return LexborHTMLParser(response.text)


def test_article_links_to_posts_of_the_site_and_to_nato(client, replica):
    tree = LexborHTMLParser(article(client).text)
    hrefs = [a.attributes["href"] for a in tree.css(".entry-content p a")]
    internal = [h for h in hrefs if h.startswith(replica.base_url)]
    assert len(internal) == 3
    assert [h for h in hrefs if not h.startswith(replica.base_url)] == [
        "https://www.nato.int/cps/en/natohq/official_texts_227678.htm"
    ]
    categories = [article_of(client, h).css_first("article").attributes["class"] for h in internal]
    assert sum("category-دراسات" in c for c in categories) == 2


def test_json_ld_is_switchable_per_post(client, replica):
    replica.site.set_jsonld(SEED_ID, False)
    assert "application/ld+json" not in article(client).text
    replica.site.set_jsonld(SEED_ID, True)
    assert "application/ld+json" in article(client).text


def test_data_is_html_escaped(client, replica):
    replica.site.set_title(SEED_ID, 'عنوان <script>alert("x")</script> & ما بعده')
    replica.site.edit_paragraph(SEED_ID, 1, "فقرة فيها <b>وسم</b> & رمز")
    html = article(client).text
    assert "<script>alert" not in html
    tree = LexborHTMLParser(html)
    assert tree.css_first("h1.entry-title").text() == 'عنوان <script>alert("x")</script> & ما بعده'
    assert content_texts(html)[1] == "فقرة فيها <b>وسم</b> & رمز"


# ---- the control API ------------------------------------------------------------------------


def test_edit_changes_the_text_served_and_both_validators(client, replica):
    before = article(client)
    paragraphs = replica.site.seed_paragraphs()
    assert paragraphs == SEED_TEXT
    replica.site.edit_paragraph(SEED_ID, 2, paragraphs[2] + " وأضاف التقرير جملة جديدة تماما")
    after = article(client)
    assert content_texts(after.text)[2] == SEED_TEXT[2] + " وأضاف التقرير جملة جديدة تماما"
    assert content_texts(after.text)[3:] == SEED_TEXT[3:]
    assert after.headers["etag"] != before.headers["etag"]
    assert parse_http_date(after.headers["last-modified"]) > parse_http_date(
        before.headers["last-modified"]
    )
    assert meta(after.text, "article:modified_time") > meta(before.text, "article:modified_time")
    replica.site.set_paragraphs(SEED_ID, ["فقرة أولى", ("h2", "عنوان فرعي"), "فقرة ثانية"])
    assert content_texts(article(client).text) == ["فقرة أولى", "عنوان فرعي", "فقرة ثانية"]


def parse_http_date(value: str) -> datetime:
    from email.utils import parsedate_to_datetime

    return parsedate_to_datetime(value)


def test_comment_shows_below_the_article_and_leaves_the_text_alone(client, replica):
    before = article(client).text
    replica.site.add_comment(SEED_ID, "قارئ", "مقال رائع ومفيد جدا")
    after = article(client).text
    comments = [c.text() for c in LexborHTMLParser(after).css("#comments .comment-content")]
    assert comments[-1].strip() == "مقال رائع ومفيد جدا"
    assert content_texts(after) == content_texts(before)
    assert meta(after, "article:modified_time") == meta(before, "article:modified_time")


def test_take_down_and_restore(client, replica):
    permalink = replica.site.permalink(SEED_ID)
    replica.site.take_down(SEED_ID)
    assert client.get("/?p=95655").status_code == 404
    assert client.get(permalink).status_code == 404
    assert str(SEED_ID) not in json.dumps(client.get("/wp-json/wp/v2/posts?per_page=100").json())
    assert permalink not in client.get("/wp-sitemap-posts-post-1.xml").text
    assert client.get(f"/wp-json/wp/v2/posts/{SEED_ID}").status_code == 404
    replica.site.restore(SEED_ID)
    assert client.get("/?p=95655").headers["location"] == permalink
    assert content_texts(client.get(permalink).text) == SEED_TEXT


def test_touch_moves_validators_without_changing_content(client, replica):
    before = article(client)
    replica.site.touch(SEED_ID)
    after = article(client)
    assert content_texts(after.text) == content_texts(before.text)
    assert after.headers["etag"] != before.headers["etag"]
    assert after.headers["last-modified"] != before.headers["last-modified"]


def test_sidebar_noise_changes_only_the_chrome(client, replica):
    before = article(client)
    replica.site.set_sidebar_noise(7)
    after = article(client)
    assert after.text != before.text and after.headers["etag"] != before.headers["etag"]
    assert content_texts(after.text) == content_texts(before.text)
    assert after.headers["last-modified"] == before.headers["last-modified"]
    counter = LexborHTMLParser(after.text).css_first(".visitor-counter").text()
    assert counter != LexborHTMLParser(before.text).css_first(".visitor-counter").text()


def test_slug_change_redirects_the_old_permalink(client, replica):
    old = replica.site.permalink(SEED_ID)
    replica.site.set_slug(SEED_ID, "الناتو والشركاء في آسيا")
    new = replica.site.permalink(SEED_ID)
    assert new != old
    assert client.get(old).status_code == 301 and client.get(old).headers["location"] == new
    assert client.get(new).status_code == 200


def test_permalink_variants_wordpress_accepts(client, replica):
    permalink = replica.site.permalink(SEED_ID)
    path = urlsplit(permalink).path
    lower = re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), path)
    assert client.get(lower).status_code == 200
    assert client.get(path[:-1]).headers["location"] == permalink  # the trailing slash
    assert client.get(path + "?utm_source=x").status_code == 200
    assert (
        client.get(path + "?share=facebook")
        .headers["location"]
        .startswith("https://www.facebook.com/")
    )
    replica.site.set_hex_case("lower")
    assert client.get("/?p=95655").headers["location"] == replica.base_url + lower


# ---- HTTP validators ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/?p=95655", "/feed/", "/category/%D8%AF%D8%B1%D8%A7%D8%B3%D8%A7%D8%AA/"]
)
def test_conditional_requests_get_304_with_either_validator(client, replica, path):
    first = client.get(path, follow_redirects=True)
    url = str(first.url)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    replica.site.edit_paragraph(SEED_ID, 2, "نص جديد")
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 200
    sent = [r for r in replica.requests if r.headers.get("if-none-match") == etag]
    assert [r.status for r in sent] == [304, 200]


def test_validators_can_be_switched_off(client, replica):
    etag = article(client).headers["etag"]
    replica.site.set_validators(False)
    plain = client.get(replica.site.permalink(SEED_ID), headers={"If-None-Match": etag})
    assert plain.status_code == 200
    assert "etag" not in plain.headers and "last-modified" not in plain.headers


def test_changes_are_stamped_with_the_injected_clock():
    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    site = ReplicaSite(clock=lambda: now)
    site.edit_paragraph(SEED_ID, 1, "نص معدل")
    site.edit_paragraph(SEED_ID, 1, "نص معدل مرة ثانية")  # same instant: still a later stamp
    [post] = json.loads(site.handle("GET", "/wp-json/wp/v2/posts?include=95655").body)
    assert post["modified_gmt"] == "2025-03-01T12:00:01"
    assert (
        site.handle("GET", site.permalink(SEED_ID).removeprefix(site.base_url)).headers[
            "Last-Modified"
        ]
        == "Sat, 01 Mar 2025 12:00:01 GMT"
    )


def test_gzip_is_served_with_a_weak_etag_that_still_validates(replica):
    with httpx.Client(base_url=replica.base_url) as client:  # httpx asks for gzip by default
        first = article(client)
        assert first.headers["content-encoding"] == "gzip" and first.headers["etag"].startswith(
            'W/"'
        )
        again = client.get(str(first.url), headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304
    identity = httpx.get(str(first.url), headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in identity.headers and identity.text == first.text


# ---- listings, feeds, sitemaps --------------------------------------------------------------


def test_site_feed_lists_the_ten_newest_posts(client, replica):
    feed = feedparser.parse(client.get("/feed/").content)
    assert not feed.bozo, feed.bozo_exception
    newest = replica.site.published()[:10]
    assert [e.link for e in feed.entries] == [replica.site.permalink(p) for p in newest]
    assert [e.id for e in feed.entries] == [f"{replica.base_url}/?p={p.id}" for p in newest]
    assert all(e.published_parsed for e in feed.entries)
    dates = [datetime(*e.published_parsed[:6]) for e in feed.entries]
    assert dates == sorted(dates, reverse=True)


def test_category_and_tag_feeds_and_archives(client, replica):
    category = "/category/" + quote("دراسات") + "/"
    archive = LexborHTMLParser(client.get(category).text)
    listed = [a.attributes["href"] for a in archive.css("article .entry-title a[rel=bookmark]")]
    in_category = [p for p in replica.site.published() if 12 in p.categories]
    assert len(in_category) >= 6
    assert listed == [replica.site.permalink(p) for p in in_category[:10]]
    feed = feedparser.parse(client.get(category + "feed/").content)
    assert [e.link for e in feed.entries] == listed[:10]
    assert all("دراسات" in [t.term for t in e.tags] for e in feed.entries)
    atom = feedparser.parse(client.get("/tag/ip4/feed/atom/").content)
    assert atom.version == "atom10" and replica.site.permalink(SEED_ID) in [
        e.link for e in atom.entries
    ]


def test_added_post_appears_in_archives_feeds_sitemap_and_rest(client, replica):
    post_id = replica.site.add_post(
        "تقرير جديد عن الناتو",
        ["فقرة أولى من التقرير.", "فقرة ثانية."],
        categories=["دراسات"],
        tags=["الناتو"],
    )
    permalink = replica.site.permalink(post_id)
    assert client.get(f"/?p={post_id}").headers["location"] == permalink
    assert content_texts(client.get(permalink).text) == ["فقرة أولى من التقرير.", "فقرة ثانية."]
    for feed in (
        "/feed/",
        "/category/" + quote("دراسات") + "/feed/",
        "/tag/" + quote("الناتو") + "/feed/",
    ):
        assert feedparser.parse(client.get(feed).content).entries[0].link == permalink, feed
    assert permalink in client.get("/category/" + quote("دراسات") + "/").text
    assert permalink in client.get("/wp-sitemap-posts-post-1.xml").text
    assert client.get("/wp-json/wp/v2/posts", params={"per_page": 1}).json()[0]["id"] == post_id


def test_sitemap_index_leads_to_every_post_with_lastmod(client, replica):
    robots = client.get("/robots.txt")
    assert robots.headers["content-type"].startswith("text/plain")
    assert f"Sitemap: {replica.base_url}/wp-sitemap.xml" in robots.text
    assert "Disallow: /wp-admin/" in robots.text
    index = ElementTree.fromstring(client.get("/wp-sitemap.xml").content)
    locs = [e.text for e in index.iter(f"{SM}loc")]
    assert f"{replica.base_url}/wp-sitemap-posts-post-1.xml" in locs
    urls = {}
    for loc in locs:
        response = client.get(loc)
        assert response.status_code == 200, loc
        for url in ElementTree.fromstring(response.content).iter(f"{SM}url"):
            urls[url.find(f"{SM}loc").text] = url.find(f"{SM}lastmod")
    for post in replica.site.published():
        lastmod = urls[replica.site.permalink(post)]
        assert datetime.fromisoformat(lastmod.text) == post.modified
    assert replica.site.term_url("دراسات") in urls and replica.site.term_url("ip4") in urls


def test_set_robots_replaces_the_file(client, replica):
    replica.site.set_robots("User-agent: *\nDisallow: /\n")
    assert client.get("/robots.txt").text == "User-agent: *\nDisallow: /\n"


def test_archives_paginate_ten_to_a_page():
    site = ReplicaSite(extra_posts=60)
    first = LexborHTMLParser(site.handle("GET", "/").body.decode())
    assert len(first.css("article")) == 10
    next_url = first.css_first("a.next").attributes["href"]
    assert next_url == "https://www.europarabct.com/page/2/"
    assert site.handle("GET", "/page/2/").status == 200
    assert site.handle("GET", "/page/99/").status == 404


def test_large_site_splits_the_post_sitemap_as_core_does():
    site = ReplicaSite(extra_posts=2500)
    index = site.handle("GET", "/wp-sitemap.xml").body.decode()
    assert "wp-sitemap-posts-post-2.xml" in index and "wp-sitemap-posts-post-3.xml" not in index
    second = ElementTree.fromstring(site.handle("GET", "/wp-sitemap-posts-post-2.xml").body)
    assert len(list(second.iter(f"{SM}url"))) == 2501 - 2000


# ---- REST API -------------------------------------------------------------------------------


def test_rest_api_filters(client, replica):
    seed = client.get("/wp-json/wp/v2/posts", params={"include": "95655"}).json()
    assert [p["id"] for p in seed] == [SEED_ID]
    assert seed[0]["link"] == replica.site.permalink(SEED_ID)
    assert seed[0]["categories"] == [12, 31] and 977 in seed[0]["tags"]
    assert seed[0]["title"]["rendered"] == replica.site.post(SEED_ID).title
    assert seed[0]["date_gmt"] == "2024-07-22T07:30:00" and seed[0]["date"] == "2024-07-22T09:30:00"

    in_category = client.get("/wp-json/wp/v2/posts", params={"categories": "12", "per_page": 100})
    expected = [p.id for p in replica.site.published() if 12 in p.categories]
    assert [p["id"] for p in in_category.json()] == expected
    assert in_category.headers["x-wp-total"] == str(len(expected))

    paged = client.get("/wp-json/wp/v2/posts", params={"per_page": 5, "page": 2})
    assert paged.headers["x-wp-totalpages"] == str(-(-len(replica.site.published()) // 5))
    assert 'rel="next"' in paged.headers["link"]
    assert client.get("/wp-json/wp/v2/posts", params={"per_page": 500}).status_code == 400

    since = datetime.now(UTC) - timedelta(seconds=5)
    assert (
        client.get("/wp-json/wp/v2/posts", params={"modified_after": since.isoformat()}).json()
        == []
    )
    replica.site.edit_paragraph(SEED_ID, 1, "تعديل")
    changed = client.get(
        "/wp-json/wp/v2/posts",
        params={"modified_after": since.isoformat(), "_fields": "id,modified_gmt"},
    ).json()
    assert [set(p) for p in changed] == [{"id", "modified_gmt"}] and changed[0]["id"] == SEED_ID
    assert (
        client.get("/", params={"rest_route": "/wp/v2/posts", "include": "95655"}).json()[0]["id"]
        == SEED_ID
    )


@pytest.mark.parametrize("status", [401, 403, 404])
def test_rest_api_off_switch(client, replica, status):
    replica.site.set_rest_api(False, status=status)
    response = client.get("/wp-json/wp/v2/posts", params={"include": "95655"})
    assert response.status_code == status
    if status != 404:
        assert response.json()["data"]["status"] == status
    assert article(client).status_code == 200  # the HTML site is unaffected
    replica.site.set_rest_api(True)
    assert client.get("/wp-json/wp/v2/posts").status_code == 200


# ---- the server -----------------------------------------------------------------------------


def test_request_log_records_what_was_asked(client, replica):
    client.get("/?p=95655", headers={"User-Agent": "marsad-test"})
    [record] = replica.requests
    assert (record.method, record.path, record.status) == ("GET", "/?p=95655", 301)
    assert record.headers["user-agent"] == "marsad-test"
    replica.clear_requests()
    assert replica.paths() == []


def test_servers_are_independent_and_stop_cleanly():
    with ReplicaServer() as one, ReplicaServer() as two:
        assert one.base_url != two.base_url
        one.site.take_down(SEED_ID)
        assert httpx.get(f"{one.base_url}/?p=95655").status_code == 404
        assert httpx.get(f"{two.base_url}/?p=95655").status_code == 301
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{one.base_url}/robots.txt")
