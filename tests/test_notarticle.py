"""Answers that are not the article: recognised, and never recorded as a version."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest

from crawler.extract import extract
from crawler.fetch import Fetcher, FetchSettings
from crawler.notarticle import not_article_reason
from schedules.config import load_config
from schedules.jobs import check_page, prepare
from store.schema import connect
from store.seedmatch import load_seed

ROOT = Path(__file__).resolve().parents[1]
SEED_NAME = "000_3b1ee1feec353f5c.txt"
SEED = load_seed(ROOT / "seeds" / SEED_NAME)


def page(
    body: str,
    *,
    title: str = "أمن دولي ـ الناتو – المركز الأوروبي",
    body_class: str = "post-template-default single single-post",
) -> str:
    return (
        f'<!doctype html><html lang="ar" dir="rtl"><head><title>{title}</title>'
        '<link rel="canonical" href="https://www.europarabct.com/x/"></head>'
        f'<body class="{body_class}"><main>{body}</main></body></html>'
    )


ARTICLE = page(
    '<article><h1 class="entry-title">أمن دولي ـ لماذا زاد اهتمام الناتو</h1>'
    '<div class="entry-content">' + "".join(f"<p>{p}</p>" for p in SEED.paragraphs) + "</div>"
    "<noscript>Please enable cookies and JavaScript for the comments.</noscript></article>"
)
NOT_FOUND_AR = page(
    '<article><h1 class="page-title">عذراً! الصفحة غير موجودة</h1>'
    '<div class="entry-content"><p>يبدو أنه لا يوجد شيء في هذا المكان. جرب البحث.</p></div></article>',
    title="لم يتم العثور على الصفحة – المركز الأوروبي لدراسات مكافحة الإرهاب",
)
WP_404_BODY = page(
    '<article><div class="entry-content"><p>It looks like nothing was found here.</p></div></article>',
    title="المركز الأوروبي",
    body_class="error404 hfeed",
)
CLOUDFLARE = (
    '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head><body>'
    '<div class="main-wrapper" role="main"><div class="main-content"><noscript>'
    '<div class="h2"><span id="challenge-error-text">Enable JavaScript and cookies to continue'
    "</span></div></noscript></div></div><script>(function(){window._cf_chl_opt={cvId: '3'};"
    "}());</script></body></html>"
)
COOKIE_WALL = page(
    '<article><div class="entry-content"><p>Please enable cookies to view this site.</p></div></article>',
    title="المركز الأوروبي",
)


def reason(html: str, status: int = 200) -> str | None:
    return not_article_reason(html, extract(html), status)


def test_the_article_is_the_article_even_with_a_noscript_cookie_notice():
    assert reason(ARTICLE) is None


@pytest.mark.parametrize(
    "html,expected",
    [
        (NOT_FOUND_AR, "page not found"),
        (WP_404_BODY, "error404"),
        (page("<article><p>x</p></article>", title="Page not found – Site"), "page not found"),
        (CLOUDFLARE, "challenge"),
        (COOKIE_WALL, "cookie or JavaScript wall"),
    ],
)
def test_not_found_challenge_and_walls_are_named(html, expected):
    assert expected in (reason(html) or "")
    # a check hands in the page's UTF-8 bytes it already has: the same answer
    given = not_article_reason(html, extract(html), 200, html.encode("utf-8"))
    assert given == reason(html)


def test_news_that_mentions_not_found_is_still_news():
    html = page(
        "<article><h1>لم يتم العثور على الطائرة المفقودة</h1><div class='entry-content'>"
        "<p>قالت السلطات إن عمليات البحث مستمرة.</p></div></article>",
        title="لم يتم العثور على الطائرة المفقودة – أخبار",
    )
    assert reason(html) is None
    assert reason(page("<article><p>x</p></article>", title="404 قتيلا في الفيضانات")) is None


def watch(tmp_path: Path, ignore: str = "") -> Path:
    shutil.copy(ROOT / "seeds" / SEED_NAME, tmp_path / SEED_NAME)
    path = tmp_path / "watch.toml"
    path.write_text(
        f'[[targets]]\nurl = "https://www.europarabct.com/?p=95655"\nseed = "{SEED_NAME}"\n'
        f"{ignore}[targets.discovery]\nenabled = false\n",
        encoding="utf-8",
    )
    return path


def test_check_page_records_a_challenge_as_not_article_and_uses_the_targets_rules(tmp_path):
    counted = ARTICLE.replace("</div><noscript>", "<p>المشاهدات: 77</p></div><noscript>")
    assert "المشاهدات: 77" in extract(counted).text  # the counter is in the article's blocks
    answers = iter([ARTICLE, CLOUDFLARE, counted])

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        body = httpx.ByteStream(next(answers).encode("utf-8"))
        return httpx.Response(
            200, stream=body, headers={"content-type": "text/html; charset=utf-8"}
        )

    fetcher = Fetcher(
        FetchSettings(min_delay=0),
        client=httpx.Client(transport=httpx.MockTransport(answer)),
        resolver=lambda host, port: ["93.184.216.34"],  # a public address: the network edge
    )
    config = load_config(watch(tmp_path, 'ignore = ["^المشاهدات"]\n'))
    db = connect(tmp_path / "marsad.db")
    [target] = prepare(db, config)
    outcomes = [check_page(db, fetcher, target) for _ in range(3)]
    assert [o.outcome for o in outcomes] == ["new_version", "not_article", "unchanged"]
    assert "challenge" in outcomes[1].error
    similarity = db.execute("SELECT seed_similarity FROM versions").fetchone()[0]
    assert similarity >= 0.95
