"""`crawler.robots.Rules` asks protego about fewer and shorter URLs (issue 17); its verdicts must
be protego's, for every robots.txt and every URL, asked in any order."""

from __future__ import annotations

import random

import pytest
from protego import Protego

from crawler.robots import Rules, deciding_prefix, plain_rules
from crawler.safety import check_url

ORIGIN = "http://news.example:8080"
ALEF = "%D8%A7%D9%84"
WORDPRESS = """User-agent: *
Disallow: /wp-admin/
Allow: /wp-admin/admin-ajax.php

User-agent: GPTBot
Disallow: /

Sitemap: https://news.example/sitemap_index.xml
sitemap:https://news.example/wp-sitemap.xml   # WordPress core
"""


def verdicts(body: str, urls: list[str], agent: str = "marsad") -> tuple[list[bool], list[bool]]:
    rules, protego = Rules(body, agent), Protego.parse(body)
    return [rules.allows(url) for url in urls], [protego.can_fetch(url, agent) for url in urls]


def test_a_wordpress_robots_txt_is_plain_and_arabic_permalinks_are_decided_by_their_run():
    assert plain_rules(WORDPRESS)
    assert deciding_prefix(f"/2024/11/12/{ALEF}-{ALEF}/") == "/2024/11/12/"
    assert deciding_prefix(f"/{ALEF}/") == "/"
    assert deciding_prefix("/مرصد/") == "/"
    assert deciding_prefix("/news/plain-ascii-slug/") is None  # protego is quick on these
    assert deciding_prefix("/a?b=%D8%A7") is None
    assert deciding_prefix(f"//{ALEF}") is None
    urls = [f"{ORIGIN}{path}" for path in (f"/2024/11/12/{ALEF}/", f"/wp-admin/{ALEF}", "/x")]
    for agent in ("marsad", "GPTBot"):
        mine, theirs = verdicts(WORDPRESS, urls, agent)
        assert mine == theirs
    assert verdicts(WORDPRESS, urls, "GPTBot")[0] == [False, False, False]
    assert verdicts(WORDPRESS, urls)[0] == [True, False, True]


def test_protego_is_asked_once_per_run_for_a_plain_robots_txt(monkeypatch):
    rules = Rules(WORDPRESS, "marsad")
    asked: list[str] = []
    can_fetch = rules.parser.can_fetch

    def counting(url: str, agent: str) -> bool:
        asked.append(url)
        return can_fetch(url, agent)

    monkeypatch.setattr(rules.parser, "can_fetch", counting)
    for n in range(50):
        assert rules.allows(f"{ORIGIN}/2024/11/12/{ALEF}-{n}{ALEF * 20}/")
    assert asked == [f"{ORIGIN}/2024/11/12/%D8%A7"]


@pytest.mark.parametrize(
    "body",
    [
        "User-agent: *\nDisallow: /*?\n",
        "User-agent: *\nDisallow: /*.pdf$\n",
        "User-agent: *\nDisallow: /x$\n",
        f"User-agent: *\nDisallow: /{ALEF}/\n",
        "User-agent: *\nDisallow: /a b\n",
        "User-agent: *\nDisallow: //x\n",
        "User-agent: *\nDisallow: http://news.example/x\n",
        "User-agent: *\nDisallow: *\n",
        "User-agent: *\nDisallow: /?s=\n",
        "User-agent: *\nDisallow /a /b\n",
        "User-agent: *\nClean-param: ref /news/*\n",
    ],
)
def test_robots_txt_with_other_rules_is_not_plain(body):
    assert not plain_rules(body)


@pytest.mark.parametrize(
    ("rule", "path"),
    [
        ("*/news", f"/{ALEF}/news"),  # a wildcard reaches past the run
        ("/A", "/%41"),  # an escape of an unreserved character is that character
        ("/2024/-", "/2024/%2D"),
        (f"/{ALEF}", f"/{ALEF}"),  # a rule with an escape where the run ends
        ("/مرصد", "/%D9%85%D8%B1%D8%B5%D8%AF"),
        ("/news/index.html", "/news/"),  # allowing index.html allows the directory
        ("/x$", "/x"),
    ],
)
def test_rules_that_reach_past_a_run_are_asked_of_protego(rule, path):
    for directive in ("Disallow", "Allow"):
        body = f"User-agent: *\nDisallow: /\n{directive}: {rule}\n"
        urls = [check_url(ORIGIN + path).url, f"{ORIGIN}/{ALEF}", f"{ORIGIN}/news/{ALEF}"]
        mine, theirs = verdicts(body, urls)
        assert mine == theirs


STABLE_VALUES = [
    "/",
    "/wp-admin/",
    "/2024/",
    "/2024/11/",
    "/2024/1",
    "/a",
    "/news",
    "/news/",
    "/index.html",
    "/news/index.html",
    "/wp-admin/admin-ajax.php",
    "/~x",
    "/a.b",
    "/2024/11/12/",
    "/A",
    "/-",
    "/2024/-",
]
OTHER_VALUES = [
    "/*?",
    "/*.pdf$",
    "/x$",
    "/%D8%A7",
    "/%d8%a7/",
    "/a b",
    "//x",
    "http://h/x",
    "ftp://h/2024/",
    "*",
    "*/news",
    "",
    "x/y",
    "/%2D",
    "/?s=",
    "/a:b",
    "/é",
    "/news/*",
    "/2024/%D8",
    "$",
    "/a;b",
    "/%2F2024",
    "/news%2Findex.html",
    "*news",
    "*/news",
]
FIELDS = [
    "User-agent: *",
    "User-agent: marsad",
    "User-agent: GPTBot",
    "user-agent:*",
    "User agent: marsad",
    "Useragent marsad",
]
RULES = [
    "Disallow: {}",
    "Allow: {}",
    "disallow:{}",
    "Dissallow: {}",
    "Disallow {}",
    "Allow\t{}",
    "Noindex: {}",
    "Disallow: {} # comment",
    "  Disallow :  {}  ",
]
OTHER_LINES = [
    "Sitemap: https://news.example/sitemap.xml",
    "Crawl-delay: 2",
    "",
    "# note",
    "Host: news.example",
    "Request-rate: 1/5",
    "\ufeffUser-agent: *",
    "<html><body>not a robots.txt</body></html>",
    "Clean-param: ref /news/",
]
PIECES = [
    "2024",
    "11",
    "12",
    "news",
    "a",
    "wp-admin",
    "search",
    "index.html",
    "~x",
    ".",
    "..",
    "a.b",
    "-",
    "_",
    "%D8%A7",
    "%d8%a7",
    "%D9%84%D9",
    "%C2%80",
    "%E2%80",
    "%2D",
    "%2d",
    "%2F",
    "%3F",
    "%41",
    "%25",
    "ا",
    "مرصد",
    "?",
    "?s=1",
    ";p",
    "=",
    ":",
    "*",
    "$",
    "%",
    "admin-ajax.php",
    "robots.txt",
]


def random_body(rng: random.Random, plain: bool) -> str:
    values = STABLE_VALUES if plain else STABLE_VALUES + OTHER_VALUES
    lines = []
    for _ in range(rng.randint(1, 12)):
        roll = rng.random()
        if roll < 0.25:
            lines.append(rng.choice(FIELDS))
        elif roll < 0.85:
            lines.append(rng.choice(RULES).format(rng.choice(values)))
        else:
            other = rng.choice(OTHER_LINES)
            if plain and ("/news/" in other or "html" in other):
                continue
            lines.append(other)
    return "\n".join(lines) + "\n"


def random_url(rng: random.Random) -> str:
    path = "/" + "".join(
        rng.choice(PIECES) + rng.choice(["", "/", "", "-"]) for _ in range(rng.randint(0, 6))
    )
    return check_url(ORIGIN + path).url


def test_verdicts_are_protegos_for_random_robots_txt_and_urls():
    rng = random.Random(17)
    plain_seen = decided_by_run = 0
    for round_ in range(400):
        body = random_body(rng, plain=round_ % 2 == 0)
        plain_seen += plain_rules(body)
        urls = [random_url(rng) for _ in range(60)]
        urls += rng.sample(urls, 30)  # again, after their run's verdict is remembered
        decided_by_run += sum(
            deciding_prefix("/" + url.split("/", 3)[3]) is not None for url in urls
        )
        for agent in ("marsad", "gptbot", "Mozilla/5.0 (compatible; marsad/1.0)"):
            mine, theirs = verdicts(body, urls, agent)
            assert mine == theirs, (body, [u for u, a, b in zip(urls, mine, theirs) if a != b])
    assert plain_seen > 100 and decided_by_run > 5000  # the shortcut was really exercised
