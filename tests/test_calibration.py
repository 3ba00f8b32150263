"""WordPress calibration through the fetcher (schedules.calibration) and kept in SQLite
(store.sitecal): the post's own text read from the REST API, the agreement measured, and the
container that holds the post remembered for the site when they disagree. The network edge is a
MockTransport serving the replica's pages and REST answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import httpx

from crawler.extract import extract
from crawler.fetch import Fetcher, FetchSettings
from crawler.safety import Scope
from schedules.calibration import calibrate, post_id
from store import sitecal
from store.frontier import SqliteFrontier
from store.schema import connect
from store.versions import ensure_page
from tests.servers.replica_feeds import post_json
from tests.servers.replica_pages import post_page
from tests.servers.replica_site import ReplicaSite
from tests.test_calibrate import ARTICLE, themed_page

SITE = "https://news.example"


def fetcher(pages: dict[str, str], posts: dict[int, dict]) -> tuple[Fetcher, list[str]]:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        if request.url.path.startswith("/wp-json/wp/v2/posts"):
            ids = parse_qs(request.url.query.decode()).get("include", [""])[0].split(",")
            found = [posts[int(i)] for i in ids if i.isdigit() and int(i) in posts]
            body = json.dumps(found, ensure_ascii=False).encode()
            return httpx.Response(
                200, headers={"content-type": "application/json"}, stream=httpx.ByteStream(body)
            )
        html = pages.get(request.url.path)
        if html is None:
            return httpx.Response(
                404, headers={"content-type": "text/html"}, stream=httpx.ByteStream(b"no")
            )
        return httpx.Response(
            200,
            headers={"content-type": "text/html; charset=utf-8"},
            stream=httpx.ByteStream(html.encode()),
        )

    return (
        Fetcher(
            FetchSettings(min_delay=0, retries=0),
            client=httpx.Client(transport=httpx.MockTransport(answer)),
            scope=Scope.of_targets([SITE + "/"]),
            resolver=lambda host, port: ["93.184.216.34"],
        ),
        asked,
    )


def wordpress(html: str, post: int) -> str:
    """A themed page as WordPress serves it: the API announced in <head>, the post's id on <body>."""
    return html.replace(
        "<body>",
        f'<head><link rel="https://api.w.org/" href="{SITE}/wp-json/"></head>'
        f"<body class='single postid-{post}'>",
    )


def test_a_replica_post_agrees_with_its_own_text_and_needs_no_container():
    site = ReplicaSite()
    site.base_url = SITE
    post = site.published()[0]
    path = "/post-1/"
    f, asked = fetcher({path: post_page(site, post)}, {post.id: post_json(site, post)})
    page = f.fetch(SITE + path)
    extracted = extract(page.body, page.final_url)
    assert post_id(extracted, page) == post.id  # from the short link the page states
    result = calibrate(f, page, extracted)
    assert result is not None and result.agreement >= 0.9 and result.container is None
    assert any("/wp-json/wp/v2/posts" in url and "_fields=id,link,content" in url
               for url in asked)  # fmt: skip


def test_a_disagreeing_post_names_its_container_and_the_site_keeps_it(tmp_path):
    rendered = "".join(f"<p>{p}</p>" for p in ARTICLE * 2)
    html = wordpress(themed_page(ARTICLE * 2, 7), 7)
    f, _ = fetcher({"/story/": html}, {7: {"id": 7, "link": SITE + "/story/",
                                          "content": {"rendered": rendered}}})  # fmt: skip
    page = f.fetch(SITE + "/story/")
    extracted = extract(page.body, page.final_url)
    result = calibrate(f, page, extracted)
    assert result is not None and result.agreement < 0.5
    assert result.container == "div.story-x" and result.matched >= 0.9
    db = connect(tmp_path / "marsad.db")
    sitecal.remember(db, "news.example", result.container, before=result.agreement,
                     after=result.matched, post_url=result.post_url, now="t1")  # fmt: skip
    assert sitecal.container_of(db, "news.example") == "div.story-x"
    again = extract(page.body, page.final_url, container=sitecal.container_of(db, "news.example"))
    assert again.method == "calibrated" and "مؤسسة بحثية" not in again.text


def test_a_page_that_is_no_wordpress_post_asks_nothing():
    unannounced = themed_page(ARTICLE, 3).replace("<body>", "<body class='single postid-3'>")
    f, asked = fetcher({"/about/": themed_page(ARTICLE, 1), "/p/": unannounced}, {})
    for path in ("/about/", "/p/"):  # no post id; a post id but no REST API announced
        page = f.fetch(SITE + path)
        assert calibrate(f, page, extract(page.body, page.final_url)) is None
    assert [url for url in asked if not url.endswith("/robots.txt")] == [
        SITE + "/about/",
        SITE + "/p/",
    ]


def test_calibration_is_rare_per_site(tmp_path):
    db = connect(tmp_path / "marsad.db")
    page = ensure_page(db, SITE + "/a/", now="t0")
    db.execute("UPDATE pages SET final_url = url WHERE id = ?", [page])
    for n in range(sitecal.CALIBRATIONS_PER_DAY):
        assert (
            sitecal.not_due_before(
                db, "news.example", "2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z"
            )
            is None
        )
        db.execute(
            "INSERT INTO fetches (page_id, url, final_url, fetched_at, outcome, agreement)"
            " VALUES (?, ?, ?, ?, 'unchanged', 0.95)",
            [page, SITE + "/a/", SITE + "/a/", f"2026-01-01T0{n + 1}:00:00Z"],
        )
    assert (
        sitecal.not_due_before(db, "news.example", "2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z")
        is not None
    )
    assert (
        sitecal.not_due_before(db, "other.example", "2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z")
        is None
    )


def test_the_frontier_finds_a_site_due_again_when_its_oldest_calibration_is_a_day_old(tmp_path):
    db = connect(tmp_path / "marsad.db")
    frontier = SqliteFrontier(db)
    page = ensure_page(db, SITE + "/a/", now="t0")
    db.execute("UPDATE pages SET final_url = url WHERE id = ?", [page])
    for hour in range(1, sitecal.CALIBRATIONS_PER_DAY + 1):
        db.execute(
            "INSERT INTO fetches (page_id, url, final_url, fetched_at, outcome, agreement)"
            " VALUES (?, ?, ?, ?, 'unchanged', 0.95)",
            [page, SITE + "/a/", SITE + "/a/", f"2026-01-01T0{hour}:00:00.000Z"],
        )
    day_after = datetime(2026, 1, 2, tzinfo=UTC)
    assert not frontier.calibration_due("news.example", day_after)
    assert not frontier.calibration_due("news.example", day_after + timedelta(minutes=59))
    # the 01:00 calibration has left the day's window: two remain, under the limit
    assert frontier.calibration_due("news.example", day_after + timedelta(hours=1, seconds=1))
    assert frontier.calibration_due("other.example", day_after)


def test_the_check_road_calibrates_a_disagreeing_site_without_a_false_version(tmp_path):
    """The first check stores what the scorer read (the "about" box) and learns from the REST
    API that the posts live in `div.story-x`; from the next check on the site is read there, and
    the stored version is re-read by that reader rather than reported as changed."""
    from schedules.config import load_config
    from schedules.jobs import SiteReaders, check_page, current_reader, prepare
    from store.readings import reextract

    rendered = "".join(f"<p>{p}</p>" for p in ARTICLE * 2)
    html = wordpress(themed_page(ARTICLE * 2, 7), 7)
    f, _ = fetcher({"/story/": html}, {7: {"id": 7, "link": SITE + "/story/",
                                          "content": {"rendered": rendered}}})  # fmt: skip
    config_path = tmp_path / "watch.toml"
    config_path.write_text(
        f'[[targets]]\nurl = "{SITE}/story/"\n[targets.discovery]\nenabled = false\n',
        encoding="utf-8",
    )
    config = load_config(config_path)
    db = connect(tmp_path / "marsad.db")
    [page] = prepare(db, config)
    first = check_page(db, f, page)
    assert first.outcome == "new_version"
    assert sitecal.container_of(db, "news.example") == "div.story-x"
    agreement = db.execute("SELECT agreement FROM fetches ORDER BY id").fetchall()
    assert agreement[-1][0] is not None and agreement[-1][0] < 0.5
    [page] = prepare(db, config)  # the next pass reads the site through its container
    second = check_page(db, f, page)
    assert second.outcome == "unchanged" and second.version is None
    kinds = [row[0] for row in db.execute("SELECT kind FROM events ORDER BY id")]
    assert "reread" in kinds  # the baseline was re-read by the calibrated reader
    assert db.execute("SELECT count(*) FROM versions").fetchone()[0] == 1
    reading = db.execute(
        "SELECT marsad_text(t.text, t.zstd) FROM readings r JOIN texts t ON t.hash = r.text_hash"
    ).fetchone()[0]
    assert "مؤسسة بحثية" not in reading and ARTICLE[0][:30] in reading
    # `marsad reextract` reads the site as its checks do: from its container, so the version
    # stored from the "about" box is one today's reader reads otherwise
    readers = SiteReaders(db)
    [seen] = list(reextract(db, readers))
    assert seen is not None and seen.differs and seen.changed == ("text",)
    assert readers.calibrated == ["news.example"]
    [plain] = list(reextract(db, current_reader()))  # the extractor alone agrees with the box
    assert plain is not None and not plain.differs


def test_calibration_and_discovery_read_the_same_post_id():
    """One rule for a page's post id (`crawler.discover.wpapi`): calibration reads it from the
    page's text, discovery from its parsed tree, and both find the same number."""
    from selectolax.lexbor import LexborHTMLParser

    from crawler.discover.article import post_id_in
    from crawler.models import Extracted, Fetched

    permalink = SITE + "/2026/01/a-post/"
    html = (
        "<html><head><title>t</title></head>"
        "<body class='post-template-default single postid-95655 single-format-standard'>"
        "<article><p>نص</p></article></body></html>"
    )
    page = Fetched(url=permalink, final_url=permalink, outcome="ok", status=200, body=html)
    assert post_id(Extracted(), page) == 95655
    assert post_id_in(LexborHTMLParser(html), permalink) == 95655
    by_link = Fetched(url=SITE + "/?p=17", final_url=permalink, outcome="ok", status=200,
                      body="<body class='home'>")  # fmt: skip
    assert post_id(Extracted(), by_link) == 17
    assert post_id_in(LexborHTMLParser("<body class='home'>"), SITE + "/?p=17") == 17
    unquoted = Fetched(url=permalink, final_url=permalink, outcome="ok", status=200,
                       body="<body data-class='postid-1' class=postid-8>")  # fmt: skip
    assert post_id(Extracted(), unquoted) == 8
    assert post_id(Extracted(), Fetched(url=permalink, final_url=permalink, outcome="ok",
                                        status=200, body="<body data-x='postid-3'>")) is None  # fmt: skip


def test_a_target_with_rest_api_off_asks_the_api_nothing(tmp_path):
    from dataclasses import replace

    from schedules.check import PageToCheck, check
    from schedules.config import Discovery, Target
    from store.versions import Comparison

    site = ReplicaSite()
    site.base_url = SITE
    post = site.published()[0]
    url = SITE + "/post-1/"
    f, asked = fetcher({"/post-1/": post_page(site, post)}, {post.id: post_json(site, post)})
    db = connect(tmp_path / "marsad.db")
    page_id = ensure_page(db, url, now="2026-03-01T00:00:00.000Z")
    target = Target(url=url)

    def check_with(target: Target) -> None:
        page = PageToCheck(page_id, url, target, Comparison())
        check(SqliteFrontier(db), f, page, unconditional=True)

    check_with(replace(target, discovery=Discovery(rest_api=False)))
    assert asked and not [u for u in asked if "/wp-json/" in u]
    check_with(target)  # the same check with the API allowed is calibrated
    assert [u for u in asked if "/wp-json/wp/v2/posts" in u]
