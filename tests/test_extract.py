"""The extractor on small pages, one feature at a time. The whole-page gate is test_extract_corpus."""

import json

import pytest

from crawler.extract import extract

LONG = (
    "في مفهومه الاستراتيجي التاريخي لعام 2010، حدد حلف شمال الأطلسي ثلاث مهام أساسية: "
    "الدفاع الجماعي، وإدارة الأزمات، والأمن التعاوني، وهي مهام ما زالت تحكم عمله حتى اليوم."
)
SECOND = "وبسبب هذه الحقيقة، يسعى التحالف إلى إقامة شراكات مع دول ومنظمات أخرى لتعزيز الأمن الدولي."


def page(content: str, head: str = "", around: str = "") -> str:
    return (
        f"<html lang='ar' dir='rtl'><head><title>عنوان - موقع</title>{head}</head><body>"
        f"<nav><a href='/'>الرئيسية</a></nav><article><h1 class='entry-title'>عنوان المقال</h1>"
        f"<div class='entry-content'>{content}</div></article>{around}</body></html>"
    )


def test_text_is_the_blocks_joined_by_blank_lines():
    result = extract(
        page(
            f"<p>{LONG}</p><h2>عنوان فرعي</h2><ul><li>بند أول</li><li>بند ثان</li></ul>"
            f"<blockquote><p>{SECOND}</p></blockquote>"
        )
    )
    assert [(b.kind, b.text) for b in result.blocks] == [
        ("paragraph", LONG),
        ("heading", "عنوان فرعي"),
        ("list_item", "بند أول"),
        ("list_item", "بند ثان"),
        ("quote", SECOND),
    ]
    assert result.text == "\n\n".join(b.text for b in result.blocks)
    assert result.title == "عنوان المقال"
    assert (result.lang, result.direction, result.method) == ("ar", "rtl", "container")
    assert not result.empty and result.reason is None


def test_inline_markup_keeps_word_boundaries_and_br_splits_paragraphs():
    result = extract(
        page(
            f"<p><strong>خاص</strong> ـ <a href='/x'>المركز</a>الأوروبي</p><p>{LONG}<br>{SECOND}</p>"
        )
    )
    assert result.blocks[0].text == "خاص ـ المركزالأوروبي"
    assert [b.text for b in result.blocks[1:]] == [LONG, SECOND]


def test_chrome_inside_the_content_container_is_dropped():
    chrome = (
        "<div class='sharedaddy'><h3>شارك هذا:</h3><a href='https://fb'>فيسبوك</a></div>"
        "<div class='jp-relatedposts'><h3>مقالات ذات صلة</h3><p>مقال آخر تماما</p></div>"
        "<div class='mc4wp-form'><p>اشترك في النشرة البريدية</p></div>"
        "<div class='wp-polls'><p>ما رأيك في الاستطلاع؟</p></div>"
        "<div class='saboxplugin-wrap'><p>نبذة عن الكاتب الباحث</p></div>"
        "<p style='display:none'>نص مخفي</p><p hidden>نص مخفي آخر</p>"
        "<script>var x = 'سكربت';</script><style>p{}</style>"
        "<form><input><p>نموذج بحث</p></form>"
        "<div id='comments'><p>تعليق زائر طويل</p></div>"
        "<p>رابط مختصر.. https://www.europarabct.com/?p=95655</p>"
        "<div class='post-tags'>الوسوم: <a rel='tag' href='/t'>الناتو</a></div>"
    )
    result = extract(page(f"<p>{LONG}</p>{chrome}<p>{SECOND}</p>"))
    assert result.text == f"{LONG}\n\n{SECOND}"
    assert [link.url for link in result.links] == []


def test_read_also_label_and_its_link_list_are_dropped():
    also = "<p><strong>اقرأ أيضاً:</strong></p><ul><li><a href='/a'>مقال مقترح أول</a></li><li><a href='/b'>مقال مقترح ثان</a></li></ul>"
    result = extract(page(f"<p>{LONG}</p>{also}<p>{SECOND}</p>"))
    assert result.text == f"{LONG}\n\n{SECOND}"


def test_links_inside_the_content_resolve_against_url():
    result = extract(
        page(f"<p>{LONG} <a href='/doc?id=1'>الوثيقة</a> و<a href='#fn1'>حاشية</a></p>"),
        url="https://www.europarabct.com/%d8%a7/",
    )
    assert [(l.url, l.text) for l in result.links] == [
        ("https://www.europarabct.com/doc?id=1", "الوثيقة")
    ]


def test_metadata_from_head_and_markup():
    head = (
        "<link rel='canonical' href='https://www.europarabct.com/article/'>"
        "<link rel='shortlink' href='https://www.europarabct.com/?p=95655'>"
        "<link rel='https://api.w.org/' href='/wp-json/'>"
        "<meta property='og:image' content='/img/lead.jpg'>"
        "<meta property='article:published_time' content='2024-08-05T08:30:00+00:00'>"
        "<meta property='article:modified_time' content='2024-08-06T09:00:00+00:00'>"
        "<meta name='author' content='فريق التحرير'>"
    )
    around = (
        "<footer class='entry-footer'><a rel='category tag' href='/c'>دراسات</a>"
        "<a rel='tag' href='/t'>الناتو</a><a rel='tag' href='/t2'>IP4</a></footer>"
    )
    result = extract(
        page(f"<p>{LONG}</p>", head=head, around=around), url="https://www.europarabct.com/article/"
    )
    assert result.canonical_url == "https://www.europarabct.com/article/"
    assert result.shortlink == "https://www.europarabct.com/?p=95655"
    assert result.api_root == "https://www.europarabct.com/wp-json/"  # WordPress' REST API
    assert result.image == "https://www.europarabct.com/img/lead.jpg"
    assert (result.published, result.modified) == (
        "2024-08-05T08:30:00+00:00",
        "2024-08-06T09:00:00+00:00",
    )
    assert result.author == "فريق التحرير"
    assert result.categories == ("دراسات",) and result.tags == ("الناتو", "IP4")


def test_arabic_date_written_in_the_byline():
    html = page(f"<p>{LONG}</p>").replace(
        "<div class='entry-content'>",
        "<span class='entry-date'>أغسطس 19, 2019</span><div class='entry-content'>",
    )
    assert extract(html).published == "2019-08-19"


def test_json_ld_gives_facts_and_resolves_yoast_references():
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "WebPage",
                "@id": "https://x/#page",
                "datePublished": "2020-01-01T00:00:00+00:00",
            },
            {
                "@type": ["Article", "NewsArticle"],
                "headline": "العنوان من البيانات",
                "datePublished": "2024-08-05T08:30:00+02:00",
                "dateModified": "2024-08-06T10:00:00+02:00",
                "author": {"@id": "https://x/#person"},
                "articleSection": ["دراسات"],
                "keywords": "الناتو, IP4",
                "inLanguage": "ar",
                "image": {"@id": "https://x/#img"},
            },
            {"@type": "Person", "@id": "https://x/#person", "name": "سارة المصري"},
            {"@type": "ImageObject", "@id": "https://x/#img", "url": "https://x/lead.jpg"},
        ],
    }
    head = f"<script type='application/ld+json'>{json.dumps(graph, ensure_ascii=False)}</script>"
    result = extract(page(f"<p>{LONG}</p>", head=head))
    assert result.title == "العنوان من البيانات"
    assert result.author == "سارة المصري"
    assert (result.published, result.modified) == (
        "2024-08-05T08:30:00+02:00",
        "2024-08-06T10:00:00+02:00",
    )
    assert result.categories == ("دراسات",) and result.tags == ("الناتو", "IP4")
    assert result.image == "https://x/lead.jpg"


def test_json_ld_body_when_the_page_has_no_article_markup():
    data = {"@type": "NewsArticle", "headline": "خبر", "articleBody": f"{LONG}\n{SECOND}"}
    html = (
        f"<html><head><script type='application/ld+json'>{json.dumps(data)}</script></head>"
        "<body><div id='root'></div></body></html>"
    )
    result = extract(html)
    assert result.text == f"{LONG}\n\n{SECOND}" and result.method == "json-ld"


def test_broken_json_ld_is_repaired_or_skipped():
    bad = '<script type="application/ld+json"><!-- {"@type": "Article", "headline": "مرمم",} --></script>'
    worse = '<script type="application/ld+json">{"@type": "Article", "headline": </script>'
    assert extract(page(f"<p>{LONG}</p>", head=bad)).title == "مرمم"
    assert extract(page(f"<p>{LONG}</p>", head=worse)).title == "عنوان المقال"


def test_generic_fallback_finds_an_unknown_theme():
    html = (
        "<html><body><div class='top'><a href='/'>الرئيسية</a> <a href='/a'>أخبار</a></div>"
        "<div class='x1'><div class='x2'>"
        + "".join(f"<p>{LONG} {i}</p>" for i in range(4))
        + "</div></div><div class='x3'>"
        + "".join(f"<a href='/{i}'>رابط جانبي رقم {i}</a>" for i in range(20))
        + "</div></body></html>"
    )
    result = extract(html)
    assert result.method == "density" and 0 < result.confidence <= 1
    assert len(result.blocks) == 4 and "رابط جانبي" not in result.text


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("", "empty document"),
        ("   \n ", "empty document"),
        ("<html><head><title>t</title></head><body></body></html>", "no visible text"),
        (
            "<html><body><script>var a = 'نص طويل جدا داخل سكربت';</script><style>p{}</style></body></html>",
            "no visible text",
        ),
        ("<html><body><nav><a href='/'>الرئيسية</a></nav></body></html>", "no visible text"),
    ],
)
def test_no_article_is_an_empty_result_with_a_reason(html, reason):
    result = extract(html)
    assert result.empty and result.blocks == ()
    assert reason in result.reason


def test_deeply_nested_tables_give_the_text():
    inner = f"<p>{LONG}</p><p>{SECOND}</p>"
    for _ in range(50):
        inner = f"<table><tr><td>{inner}</td></tr></table>"
    result = extract(f"<html><body>{inner}</body></html>")
    assert result.text == f"{LONG}\n\n{SECOND}"


def test_pathological_nesting_never_raises():
    html = "<div>" * 5000 + f"<p>{LONG}</p>" + "</div>" * 10
    result = extract(html)
    assert LONG in result.text


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><p>غير مغلق <b>عريض <i>مائل</b> نص</i>",
        "\x00\x01<p>\ud800</p>" if False else "\x00\x01<p>نص</p>",
        "<!DOCTYPE html><html><body><article><div class=entry-content><p>" + "ن" * 200,
        "<<<>>><p class='a'b='c'>نص</p></div></div></span>",
        b"<p>\xd9\x86\xd8\xb5 bytes</p>",
        "<svg><p>نص داخل svg</p></svg>",
    ],
)
def test_broken_markup_never_raises(html):
    result = extract(html)  # type: ignore[arg-type]
    assert result.empty or result.text


def test_non_string_input_is_a_reason_not_an_exception():
    result = extract(None)  # type: ignore[arg-type]
    assert result.empty and result.reason


def test_a_short_article_in_a_known_container_is_still_the_article():
    """A one-line note is below the size a known container needs to be trusted first, but with
    nothing else on the page it is the article, not "no main content"."""
    html = (
        '<html lang="ar" dir="rtl"><body><nav><a href="/">الرئيسية</a></nav>'
        '<div class="entry-content"><p>بيان قصير</p></div></body></html>'
    )
    result = extract(html)
    assert result.text == "بيان قصير" and result.reason is None


def test_every_known_container_class_holds_a_hint():
    """is_content looks for these substrings before splitting a class attribute into words."""
    from crawler.boilerplate import _CONTENT_CLASSES

    hints = ("ontent", "ody", "text", "entry")
    assert all(any(hint in name for hint in hints) for name in _CONTENT_CLASSES)


def test_a_malformed_link_is_dropped_not_the_whole_article():
    paragraph = "نص المقال الطويل عن الأمن الجماعي في أوروبا. " * 10
    html = (
        '<html><head><link rel="canonical" href="http://[x/">'
        '<meta property="og:image" content="http://[y"></head><body>'
        f'<div class="entry-content"><p>{paragraph}</p>'
        '<p>في هذه الفقرة من المقال رابط <a href="http://[x">معطوب</a> ورابط <a href="/ok/">سليم</a>'
        "</p></div></body></html>"
    )
    result = extract(html, url="https://site.example/a/")
    assert result.reason is None and result.text.startswith("نص المقال")
    assert [link.url for link in result.links] == ["https://site.example/ok/"]
    assert result.canonical_url is None and result.image is None


def test_class_and_id_are_read_apart_when_looking_for_sidebars():
    # "meta-wid" + "get-date" once read as "widget": the post's own date was taken for a sidebar's
    html = (
        f"<html><body><h1>عنوان المقال</h1>"
        f'<div class="meta-wid" id="get-date"><time datetime="2024-07-20T10:00:00">20 يوليو</time></div>'
        f'<div class="entry-content"><p>{LONG}</p></div></body></html>'
    )
    assert extract(html).published == "2024-07-20"
