"""Related pages found in the seed article page and in a category archive."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, unquote

from crawler.discover import archive_feed_url, archive_posts, article_links
from crawler.models import Extracted, Link
from crawler.urls import url_key

CORPUS = Path(__file__).parent / "corpus" / "discovery"
SITE = "https://www.europarabct.com"
SEED_SLUG = "أمن-دولي-ـ-لماذا-زاد-اهتمام-الناتو-بمنط"
SHORT_LINK = f"{SITE}/?p=95655"


def page(slug: str) -> str:
    return f"{SITE}/{quote(slug)}/"


def by_url(candidates: list) -> dict[str, str]:
    return {unquote(c.url): c.reason for c in candidates}


def article_candidates(page_url: str = SHORT_LINK, **kwargs: object) -> list:
    return article_links((CORPUS / "article.html").read_text(), page_url, **kwargs)


def test_article_page_gives_related_linked_taxonomy_and_feeds() -> None:
    found = by_url(article_candidates())
    assert found == {
        f"{SITE}/أمن-دولي-ـ-قمة-واشنطن-والشراكات/": "related",
        f"{SITE}/مكافحة-الإرهاب-ـ-تنظيم-داعش-في-أفريقيا/": "related",
        f"{SITE}/أوروبا-ـ-اليمين-المتطرف-والانتخابات/": "related",
        f"{SITE}/category/دراسات/": "category",
        f"{SITE}/category/أمن-دولي/": "category",
        f"{SITE}/tag/الناتو/": "tag",
        f"{SITE}/tag/ip4/": "tag",
        f"{SITE}/الاستخبارات-الألمانية-ـ-تهديدات-التجسس-الروسي/": "linked",
        "https://europarabct.com/?p=95001": "linked",
        f"{SITE}/الأمن-السيبراني-ـ-حلف-الناتو-والتضليل/": "linked",
        f"{SITE}/category/دراسات/feed/": "category_feed",
        f"{SITE}/category/أمن-دولي/feed/": "category_feed",
        f"{SITE}/tag/الناتو/feed/": "tag_feed",
        f"{SITE}/tag/ip4/feed/": "tag_feed",
    }


def test_candidates_are_canonical_and_say_where_they_were_found() -> None:
    for found in article_candidates():
        assert found.source == SHORT_LINK
        assert found.lastmod is None
        assert "utm_" not in found.url and "relatedposts" not in found.url and "#" not in found.url
        assert "%d8" not in found.url  # lowercase hex from the page became uppercase


def test_self_links_and_share_buttons_are_not_related_pages() -> None:
    # Reached by its permalink, the page still knows its short link from <link rel=shortlink>.
    keys = {url_key(c.url) for c in article_candidates(page(SEED_SLUG))}
    assert url_key(SHORT_LINK) not in keys
    assert url_key(page(SEED_SLUG)) not in keys
    keys = {url_key(c.url) for c in article_candidates()}
    assert url_key(page(SEED_SLUG)) not in keys


def test_a_page_known_by_its_postid_class_alone_does_not_discover_its_short_link() -> None:
    """No <link rel=shortlink> or canonical: the body's `postid-N` (the rule calibration and the
    post id use too) still names the page's short link, so a link to it is a self-link."""
    html = (
        '<html><body class="single postid-95655"><article><p>نص</p>'
        f'<a href="{SITE}/?p=95655">رابط مختصر</a><a href="{SITE}/?p=17">مقال آخر</a>'
        "</article></body></html>"
    )
    keys = {url_key(c.url) for c in article_links(html, page(SEED_SLUG))}
    assert url_key(f"{SITE}/?p=17") in keys
    assert url_key(SHORT_LINK) not in keys


def test_non_pages_and_other_sites_are_skipped() -> None:
    urls = " ".join(unquote(c.url) for c in article_candidates())
    for absent in (
        "nato.int",
        "facebook.com",
        ".pdf",
        "mailto",
        "javascript",
        "tel:",
        "wp-admin",
        "wp-login",
        "replytocom",
        "ملفات",
        "تقارير",
        "about-us",
        "الجماعات-المتطرفة",
        "comments/feed",
    ):
        assert absent not in urls, absent


def test_each_page_once_with_its_strongest_reason() -> None:
    candidates = article_candidates()
    keys = [url_key(c.url) for c in candidates]
    assert len(keys) == len(set(keys))
    # Linked in the text and listed by Jetpack: Jetpack's block sits inside .entry-content.
    assert by_url(candidates)[f"{SITE}/مكافحة-الإرهاب-ـ-تنظيم-داعش-في-أفريقيا/"] == "related"


def test_extracted_links_are_the_content_when_given() -> None:
    extracted = Extracted(
        canonical_url=page(SEED_SLUG),
        shortlink=SHORT_LINK,
        links=(
            Link(url="/عن-المركز-ـ-تقرير-سنوي/", text="تقرير"),
            Link(url=f"{page(SEED_SLUG)}?share=twitter", text="X"),
        ),
    )
    found = by_url(article_candidates(extracted=extracted))
    assert found[f"{SITE}/عن-المركز-ـ-تقرير-سنوي/"] == "linked"
    # The content's own links in the HTML are not read again when an Extracted is given.
    assert f"{SITE}/الاستخبارات-الألمانية-ـ-تهديدات-التجسس-الروسي/" not in found


def test_declared_aliases_let_another_host_in() -> None:
    html = '<article><div class="entry-content"><a href="https://ecci.example/تقرير/">x</a></div></article>'
    assert article_links(html, SHORT_LINK) == []
    found = article_links(html, SHORT_LINK, aliases=["europarabct.com", "ecci.example"])
    assert [unquote(c.url) for c in found] == ["https://ecci.example/تقرير/"]


def test_relative_links_resolve_against_base_href() -> None:
    html = (
        '<html><head><base href="https://www.europarabct.com/ar/"></head><body><article>'
        '<div class="entry-content"><a href="مقال-نسبي/">x</a></div></article></body></html>'
    )
    assert [unquote(c.url) for c in article_links(html, SHORT_LINK)] == [f"{SITE}/ar/مقال-نسبي/"]


def test_theme_without_rel_attributes_is_read_by_url_shape_in_meta_regions_only() -> None:
    html = """<body><nav><a href="/category/menu-item/">menu</a></nav><article>
      <div class="post-meta"><a href="/category/studies/">s</a> <a href="/?tag=nato">n</a></div>
      <div class="entry-content"><p>text</p></div></article></body>"""
    assert by_url(article_links(html, SHORT_LINK)) == {
        f"{SITE}/category/studies/": "category",
        f"{SITE}/?tag=nato": "tag",
        f"{SITE}/category/studies/feed/": "category_feed",
        f"{SITE}/?feed=rss2&tag=nato": "tag_feed",
    }


def test_broken_or_empty_html_gives_no_candidates() -> None:
    assert article_links("", SHORT_LINK) == []
    assert article_links("<a href='http://[broken/'>x</a><div", SHORT_LINK) == []


def test_malformed_hrefs_are_skipped_not_raised() -> None:
    html = """<article><div class="entry-content"><a href="http://[broken/">a</a>
      <a rel="tag" href="http://[x">b</a><a href="https://www.europarabct.com:99x/">c</a>
      <a href="   ">d</a><a href="/ok/">e</a></div></article>"""
    assert [c.url for c in article_links(html, SHORT_LINK)] == [f"{SITE}/ok/"]


def test_category_archive_lists_its_posts_once_without_navigation() -> None:
    archive_url = f"{SITE}/category/{quote('دراسات')}/"
    found = archive_posts((CORPUS / "category.html").read_text(), archive_url, "category")
    assert [unquote(c.url) for c in found] == [
        f"{SITE}/مكافحة-الإرهاب-ـ-تنظيم-داعش-في-أفريقيا/",
        f"{SITE}/الاستخبارات-الألمانية-ـ-تهديدات-التجسس-الروسي/",
        f"{SITE}/أمن-دولي-ـ-قمة-واشنطن-والشراكات/",
        f"{SITE}/{SEED_SLUG}/",
        f"{SITE}/أوروبا-ـ-اليمين-المتطرف-والانتخابات/",
    ]
    assert {c.reason for c in found} == {"category"}
    assert {c.source for c in found} == {archive_url}


def test_archive_feed_url() -> None:
    assert archive_feed_url(f"{SITE}/category/x/") == f"{SITE}/category/x/feed/"
    assert archive_feed_url(f"{SITE}/tag/y") == f"{SITE}/tag/y/feed/"
    assert archive_feed_url(f"{SITE}/?cat=12") == f"{SITE}/?cat=12&feed=rss2"
