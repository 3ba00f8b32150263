"""URL canonicalization: every spelling of the seed article is one page; distinct pages stay apart."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from crawler.urls import canonicalize, display_url, resolve, same_site, site_host, url_key

# The seed article's real permalink slug (WordPress cut it at 200 encoded bytes, hence "بمنط").
SLUG = "أمن-دولي-ـ-لماذا-زاد-اهتمام-الناتو-بمنط"
SITE = "https://www.europarabct.com"
UPPER = quote(SLUG)
LOWER = UPPER.lower()
PERMALINK = f"{SITE}/{UPPER}/"
SHORT_LINK = f"{SITE}/?p=95655"

SPELLINGS = [
    f"{SITE}/{SLUG}/",
    f"{SITE}/{SLUG}",
    f"{SITE}/{LOWER}/",
    f"{SITE}/{LOWER}",
    f"{SITE}/{UPPER}/",
    f"{SITE}/{UPPER}",
    f"{SITE}/{SLUG}/?utm_source=x&share=twitter",
    f"{SITE}/{LOWER}/?utm_source=x&share=twitter",
    f"{SITE}/{UPPER}/?share=facebook&utm_medium=social&utm_campaign=c&fbclid=IwAR0abc",
    f"{SITE}/{SLUG}/#comments",
    f"{SITE}/{LOWER}/#respond",
    f"{SITE}/{SLUG}/amp/",
    f"{SITE}/{LOWER}/amp/",
    f"{SITE}/{UPPER}/amp",
    f"{SITE}/{SLUG}/?amp=1",
    f"{SITE}/{SLUG}/?amp",
    f"{SITE}/{SLUG}/?replytocom=1234#respond",
    f"HTTPS://WWW.EuropArabCT.com:443/{LOWER}/",
    f"http://www.europarabct.com:80/{LOWER}/",
    f"https://europarabct.com/{SLUG}/",
    f"  {SITE}/{SLUG}/  ",
    f"{SITE}/x/../{SLUG}/./",
]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_of_the_seed_permalink_has_one_key(spelling: str) -> None:
    assert url_key(spelling) == url_key(PERMALINK)


def test_the_key_is_the_uppercase_encoded_slug_without_scheme_www_or_slash() -> None:
    assert url_key(PERMALINK) == f"europarabct.com/{UPPER}"


@pytest.mark.parametrize("spelling", [f"{SITE}/{SLUG}/", f"{SITE}/{LOWER}/", f"{SITE}/{UPPER}/"])
def test_arabic_slug_is_utf8_uppercase_percent_encoded(spelling: str) -> None:
    assert canonicalize(spelling) == PERMALINK


def test_short_link_stays_distinct_from_the_permalink() -> None:
    # The redirect maps ?p= to its permalink; canonicalization must not guess.
    assert canonicalize(SHORT_LINK) == SHORT_LINK
    assert url_key(SHORT_LINK) != url_key(PERMALINK)
    assert url_key(f"{SHORT_LINK}&utm_source=x&share=twitter#comments") == url_key(SHORT_LINK)
    assert url_key("https://europarabct.com/?p=95656") != url_key(SHORT_LINK)


@pytest.mark.parametrize(
    "query", ["p=95655", "page_id=12", "cat=7", "tag=nato", "s=الناتو", "paged=2", "feed=rss2"]
)
def test_wordpress_query_parameters_are_kept(query: str) -> None:
    assert "?" in canonicalize(f"{SITE}/?{query}&utm_source=x")


def test_tracking_parameters_dropped_remaining_query_sorted() -> None:
    url = f"{SITE}/?utm_source=a&s=nato&UTM_Term=b&gclid=1&mc_cid=2&mc_eid=3&_ga=4&cat=3"
    assert canonicalize(url) == f"{SITE}/?cat=3&s=nato"


def test_lowercase_scheme_and_host_but_not_path() -> None:
    assert canonicalize("HTTP://WWW.Example.COM/About/Team") == "http://www.example.com/About/Team"


def test_default_ports_dropped_other_ports_kept() -> None:
    assert canonicalize("https://example.com:443/a") == "https://example.com/a"
    assert canonicalize("http://example.com:80/a") == "http://example.com/a"
    assert canonicalize("http://127.0.0.1:8080/a") == "http://127.0.0.1:8080/a"
    assert canonicalize("https://example.com:80/a") == "https://example.com:80/a"


def test_idna_host() -> None:
    assert canonicalize("https://مثال.إختبار/صفحة") == canonicalize(
        "https://xn--mgbh0fb.xn--kgbechtv/%D8%B5%D9%81%D8%AD%D8%A9"
    )
    assert canonicalize("https://مثال.إختبار/").startswith("https://xn--mgbh0fb.xn--kgbechtv/")


def test_percent_encoding_normalized() -> None:
    # Unreserved characters decoded, reserved ones kept encoded with uppercase hex.
    assert canonicalize("https://example.com/%7euser/a%2fb?q=%41%2f") == (
        "https://example.com/~user/a%2Fb?q=A%2F"
    )


def test_arabic_query_value_is_encoded_once() -> None:
    raw = canonicalize("https://example.com/?s=الناتو")
    assert raw == canonicalize("https://example.com/?s=%d8%a7%d9%84%d9%86%d8%a7%d8%aa%d9%88")
    assert canonicalize(raw) == raw


def test_empty_path_is_root() -> None:
    assert canonicalize("https://Example.com") == "https://example.com/"


def test_credentials_are_dropped() -> None:
    assert canonicalize("https://user:pw@example.com/a") == "https://example.com/a"


@pytest.mark.parametrize(
    ("url", "convention", "expected"),
    [
        (f"{SITE}/{SLUG}", True, PERMALINK),
        (f"{SITE}/{SLUG}/", True, PERMALINK),
        (f"{SITE}/{SLUG}/", False, PERMALINK[:-1]),
        (f"{SITE}/{SLUG}", None, PERMALINK[:-1]),
        (f"{SITE}/wp-sitemap.xml", True, f"{SITE}/wp-sitemap.xml"),
        (f"{SITE}/files/report.pdf", True, f"{SITE}/files/report.pdf"),
        (f"{SITE}/", False, f"{SITE}/"),
        (f"{SITE}/?p=95655", True, f"{SITE}/?p=95655"),
        (f"{SITE}/category/security/?paged=2", True, f"{SITE}/category/security/?paged=2"),
    ],
)
def test_trailing_slash_convention(url: str, convention: bool | None, expected: str) -> None:
    assert canonicalize(url, trailing_slash=convention) == expected


def test_amp_folds_only_a_final_amp_segment() -> None:
    assert canonicalize(f"{SITE}/amp/") == f"{SITE}/"
    assert canonicalize(f"{SITE}/amp-guide/") == f"{SITE}/amp-guide/"
    assert canonicalize(f"{SITE}/amp/page/") == f"{SITE}/amp/page/"


def test_canonicalize_is_idempotent() -> None:
    for spelling in SPELLINGS:
        once = canonicalize(spelling)
        assert canonicalize(once) == once


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "/relative/path",
        "mailto:info@europarabct.com",
        "javascript:void(0)",
        "ftp://a/b",
        "https:///nohost",
        "https://example.com:99999/",
    ],
)
def test_non_http_urls_are_refused_with_a_readable_error(bad: str) -> None:
    with pytest.raises(ValueError, match="canonicalize|port"):
        canonicalize(bad)


def test_same_site_folds_www_and_declared_aliases() -> None:
    assert same_site(PERMALINK, "https://europarabct.com/feed/")
    assert same_site("http://www.europarabct.com/a", "https://europarabct.com/b")
    assert not same_site(PERMALINK, "https://www.facebook.com/sharer.php?u=x")
    assert not same_site(PERMALINK, "https://europarabct.com.evil.example/")
    assert not same_site("http://127.0.0.1:8001/a", "http://127.0.0.1:8002/a")
    assert same_site(
        PERMALINK,
        "https://old.europarabct.net/x",
        aliases=["europarabct.com", "old.europarabct.net"],
    )
    assert not same_site(
        PERMALINK, "https://old.europarabct.net/x", aliases=["old.europarabct.net"]
    )
    assert not same_site("not a url", PERMALINK)


def test_site_host_accepts_urls_and_bare_hosts() -> None:
    assert site_host("WWW.Europarabct.com") == "europarabct.com"
    assert site_host("https://www.europarabct.com:443/x") == "europarabct.com"
    assert site_host("127.0.0.1:8080") == "127.0.0.1:8080"


def test_distinct_pages_keep_distinct_keys() -> None:
    other = f"{SITE}/{quote('أمن-دولي-ـ-قمة-واشنطن-والشراكات')}/"
    keys = {
        url_key(PERMALINK),
        url_key(other),
        url_key(f"{SITE}/{UPPER}/feed/"),
        url_key(f"{SITE}/{UPPER}/2/"),
        url_key(f"{SITE}/?p=95655&page=2"),
        url_key("http://127.0.0.1:8001/x"),
        url_key("http://127.0.0.1:8002/x"),
        url_key("https://example.com/a%2Fb"),
        url_key("https://example.com/a/b"),
    }
    assert len(keys) == 9


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("/tag/ip4/", f"{SITE}/tag/ip4/"),
        ("مقال/", f"{SITE}/ar/مقال/"),
        ("//cdn.example.com/x", "https://cdn.example.com/x"),
        ("  https://a.example/  ", "https://a.example/"),
        ("mailto:info@europarabct.com", None),
        ("javascript:void(0)", None),
        ("http://[broken/", None),
        ("https://a.example:99x/", None),
        ("", None),
        (None, None),
    ],
)
def test_resolve_scraped_hrefs(href: str | None, expected: str | None) -> None:
    assert resolve(f"{SITE}/ar/page", href) == expected


def test_display_url_shows_an_arabic_slug_as_letters_and_keeps_ascii_escapes() -> None:
    slug = "حلف-شمال-الأطلسي"
    encoded = f"https://www.europarabct.com/{quote(slug)}/?s={quote('إرهاب')}&next=%2Fa%3Fb"
    assert display_url(encoded) == f"https://www.europarabct.com/{slug}/?s=إرهاب&next=%2Fa%3Fb"
    assert display_url(encoded.lower()) == display_url(encoded).replace("%2F", "%2f").replace(
        "%3F", "%3f"
    )  # either hex case reads the same
    assert (
        display_url("https://www.europarabct.com/?p=95655")
        == "https://www.europarabct.com/?p=95655"
    )


def test_display_url_leaves_what_could_disguise_a_url_encoded() -> None:
    # a right-to-left override, a no-break space and a broken UTF-8 sequence stay as escapes
    url = "https://example.com/a%E2%80%AEgpj.exe%C2%A0b%D8"
    assert display_url(url) == url
    assert display_url("https://example.com/%D9%85%E2%80%8F") == "https://example.com/م%E2%80%8F"


def test_display_url_shows_an_idna_host_in_its_script_and_survives_nonsense() -> None:
    assert display_url("https://xn--mgbh0fb.xn--kgbechtv/") == "https://مثال.إختبار/"
    assert display_url("https://xn--zz.example/%D9%85") == "https://xn--zz.example/م"
    assert display_url("not a url %") == "not a url %"
    assert display_url("http://[::1") == "http://[::1"
