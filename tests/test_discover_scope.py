"""Discovery scope: same site, include/exclude, depth, budget; and what kind of page a URL is."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pytest

from crawler.discover import DiscoveryScope, child_depth, page_kind

CORPUS = Path(__file__).parent / "corpus" / "discovery"
SITE = "https://www.europarabct.com"
SEED = f"{SITE}/?p=95655"
POST = f"{SITE}/{quote('مكافحة-الإرهاب-ـ-تنظيم-داعش-في-أفريقيا')}/"


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        (SEED, "article"),
        (POST, "article"),
        (f"{SITE}/2024/07/23/nato-indo-pacific/", "article"),
        (f"{SITE}/about-us/", "article"),
        (f"{SITE}/?page_id=2", "article"),
        (f"{SITE}/", "archive"),
        (f"{SITE}/index.php", "archive"),
        (f"{SITE}/category/{quote('دراسات')}/", "archive"),
        (f"{SITE}/category/studies/page/2/", "archive"),
        (f"{SITE}/tag/ip4/", "archive"),
        (f"{SITE}/author/ecci/", "archive"),
        (f"{SITE}/2024/07/", "archive"),
        (f"{SITE}/?cat=12", "archive"),
        (f"{SITE}/?s={quote('الناتو')}", "archive"),
        (f"{SITE}/feed/", "feed"),
        (f"{SITE}/feed/atom/", "feed"),
        (f"{SITE}/category/studies/feed/", "feed"),
        (f"{SITE}/?cat=12&feed=rss2", "feed"),
        (f"{SITE}/wp-sitemap.xml", "sitemap"),
        (f"{SITE}/wp-sitemap-posts-post-2.xml.gz", "sitemap"),
        (f"{SITE}/sitemap_index.xml", "sitemap"),
        (f"{SITE}/wp-content/uploads/2024/07/report.pdf", "other"),
        (f"{SITE}/files/photo.JPG", "other"),
        (f"{SITE}/wp-admin/post.php?post=1", "other"),
        (f"{SITE}/wp-json/wp/v2/posts", "other"),
        (f"{SITE}/?rest_route=/wp/v2/posts", "other"),
        (f"{SITE}/wp-login.php", "other"),
        (f"{SITE}/some-post/attachment/photo-1/", "other"),
        ("http://[broken", "other"),
    ],
)
def test_page_kind_from_wordpress_url_shapes(url: str, kind: str) -> None:
    assert page_kind(url) == kind


def test_page_kind_from_body_classes_beats_url_shape() -> None:
    article = (CORPUS / "article.html").read_text()
    archive = (CORPUS / "category.html").read_text()
    # A custom taxonomy base (/topics/...) looks like a post by URL; the body class knows better.
    assert page_kind(f"{SITE}/topics/studies/", archive) == "archive"
    assert page_kind(f"{SITE}/category/whatever/", article) == "article"
    assert page_kind(POST, '<body class="error404">') == "other"
    assert page_kind(f"{SITE}/", '<body class="home blog">') == "archive"
    assert page_kind(f"{SITE}/", '<body class="home page-template-default page page-id-2">') == (
        "article"
    )
    assert page_kind(POST, "<body>no classes</body>") == "article"  # falls back to the URL
    feed = (CORPUS / "category_feed.rss.xml").read_text()
    assert page_kind(f"{SITE}/whatever/", feed) == "feed"
    assert page_kind(f"{SITE}/x/", (CORPUS / "wp-sitemap.xml").read_text()) == "sitemap"


def test_child_depth_navigation_pages_are_not_a_hop() -> None:
    assert child_depth(0, "article") == 1  # linked from the seed
    assert child_depth(1, "archive") == 1  # listed in the seed's category archive
    assert child_depth(1, "feed") == 1
    assert child_depth(1, "article") == 2


def scope(**kwargs: object) -> DiscoveryScope:
    return DiscoveryScope.for_seed(SEED, **kwargs)


def test_same_site_only_by_default() -> None:
    assert scope().allows(POST) == (True, "in scope")
    assert scope().allows(POST.replace("www.", ""))[0]
    allowed, reason = scope().allows("https://www.nato.int/cps/en/natohq/topics_82705.htm")
    assert not allowed and reason == "off-site: nato.int is not one of europarabct.com"
    assert scope(aliases=["ecci.example"]).allows("https://ecci.example/x/")[0]
    assert scope().allows("mailto:info@europarabct.com") == (False, "not an http(s) URL")


def test_files_and_admin_pages_are_never_followed() -> None:
    allowed, reason = scope().allows(f"{SITE}/wp-content/uploads/2024/07/report.pdf")
    assert not allowed and "not a page" in reason
    assert not scope().allows(f"{SITE}/wp-admin/")[0]


def test_exclude_patterns_apply_to_every_url_and_match_arabic() -> None:
    s = scope(exclude=[r"/tag/", "داعش"])
    assert s.allows(f"{SITE}/tag/ip4/") == (False, "excluded by pattern '/tag/'")
    assert s.allows(POST) == (False, "excluded by pattern 'داعش'")  # encoded slug, Arabic rule
    assert s.allows(f"{SITE}/category/studies/")[0]


def test_include_patterns_choose_articles_but_leave_navigation_readable() -> None:
    s = scope(include=["أمن-دولي"])
    assert s.allows(f"{SITE}/{quote('أمن-دولي-ـ-قمة-واشنطن-والشراكات')}/")[0]
    assert s.allows(POST) == (False, "matches none of the include patterns")
    assert s.allows(f"{SITE}/category/studies/")[0]
    assert s.allows(f"{SITE}/category/studies/feed/")[0]
    assert s.allows(f"{SITE}/wp-sitemap.xml")[0]


def test_depth_and_budget() -> None:
    s = scope()
    assert s.allows(POST, depth=1)[0]
    assert s.allows(POST, depth=2) == (False, "depth 2 is beyond max_depth 1")
    assert scope(max_depth=2).allows(POST, depth=2)[0]
    assert s.max_pages == 200 and s.has_room(199) and not s.has_room(200)


def test_off_switch() -> None:
    assert scope(enabled=False).allows(POST) == (False, "discovery is off for this target")


def test_bad_configuration_gives_one_readable_line() -> None:
    with pytest.raises(ValueError, match=r"exclude pattern '\?p=\(' is not a valid regular "):
        scope(exclude=["?p=("])
    with pytest.raises(ValueError, match="max_depth"):
        scope(max_depth=-1)
    with pytest.raises(ValueError, match="hosts"):
        DiscoveryScope(hosts=())


def test_scope_is_frozen_and_accepts_lists() -> None:
    s = DiscoveryScope(hosts=["www.europarabct.com"], include=["a"], exclude="b")  # type: ignore[arg-type]
    assert s.hosts == ("www.europarabct.com",) and s.include == ("a",) and s.exclude == ("b",)
    with pytest.raises(AttributeError):
        s.max_pages = 5  # type: ignore[misc]
    assert s == DiscoveryScope(hosts=("www.europarabct.com",), include=("a",), exclude=("b",))
