"""A site's lists cannot make discovery unbounded: sources per target, children per sitemap
index and sitemap nesting are capped (and say so), a pass reads a bounded number of sources so
the next target gets its turn, and a closed client ends the pass at once."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from crawler.fetch import Fetcher, FetchSettings
from crawler.safety import Scope
from schedules.config import Config, load_config
from schedules.discovery import discover
from schedules.jobs import prepare
from store.schema import connect

SITE = "https://news.example"
OTHER = "https://other.example"
ARTICLE = "<html><body><article><h1>عنوان</h1><p>نص المقال هنا</p></article></body></html>"


def _index(locs: list[str]) -> str:
    entries = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'


# 60,000 children each listing 20 more once queued 102,286 source rows, and the pass never ended.
HOSTILE_INDEX = _index([f"{SITE}/s/{n}.xml" for n in range(60_000)])


def _answer(request: httpx.Request) -> tuple[str, str]:
    path = request.url.path
    if path == "/robots.txt":
        return (
            "text/plain",
            f"User-agent: *\nSitemap: {request.url.scheme}://{request.url.host}/index.xml\n",
        )
    if request.url.host == "news.example" and path == "/index.xml":
        return "application/xml", HOSTILE_INDEX
    if path.startswith("/s/"):
        base = path.removesuffix(".xml")
        return "application/xml", _index([f"{SITE}{base}/{m}.xml" for m in range(20)])
    if path == "/":
        return "text/html; charset=utf-8", ARTICLE
    return "text/html", "<html></html>"


def _fetcher(on_request=None) -> Fetcher:  # type: ignore[no-untyped-def]
    def answer(request: httpx.Request) -> httpx.Response:
        if on_request:
            on_request(request)
        kind, body = _answer(request)
        return httpx.Response(200, headers={"content-type": kind},
                              stream=httpx.ByteStream(body.encode("utf-8")))  # fmt: skip

    return Fetcher(
        FetchSettings(min_delay=0, retries=0),
        client=httpx.Client(transport=httpx.MockTransport(answer)),
        scope=Scope.of_targets([SITE + "/", OTHER + "/"]),
        resolver=lambda host, port: ["93.184.216.34"],
    )


def _config(tmp_path: Path, discovery: str = "") -> Config:
    table = f"[targets.discovery]\nrest_api = false\n{discovery}\n"
    (tmp_path / "watch.toml").write_text(
        '[defaults]\nmin_delay = "0s"\njitter = "0s"\n\n'
        f'[[targets]]\nurl = "{SITE}/?p=1"\n{table}\n'
        f'[[targets]]\nurl = "{OTHER}/?p=2"\n{table}\n',
        encoding="utf-8",
    )
    return load_config(tmp_path / "watch.toml")


def _sources(db, target: str, kind: str = "sitemap") -> int:  # type: ignore[no-untyped-def]
    return db.execute(
        "SELECT count(*) FROM discovery_sources WHERE target = ? AND kind = ?", [target, kind]
    ).fetchone()[0]


def test_a_huge_sitemap_index_is_cut_to_its_limits_and_the_pass_ends(tmp_path, caplog):
    config = _config(tmp_path)
    db = connect(tmp_path / "marsad.db")
    prepare(db, config)
    fetcher = _fetcher()
    hostile, other = config.targets
    started = time.monotonic()
    report = discover(db, fetcher, config, hostile)
    assert time.monotonic() - started < 8
    assert report.pass_budget_spent and not report.stopped
    # the parser reads 50,000 entries of an index at most; 500 of them are kept
    assert _sources(db, hostile.url) == 1 + 500
    assert report.sitemaps_not_read >= 50_000 - 500
    assert any("lists 50000 child sitemaps; the first 500 are read" in r.getMessage()
               for r in caplog.records)  # fmt: skip
    # ... and the children of those children are one level too deep
    assert any("child sitemap(s) are not read (sitemap_depth = 2)" in r.getMessage()
               for r in caplog.records)  # fmt: skip
    assert "reads_per_pass reached" in report.summary()
    # the other target's pass is not kept waiting by the first one's backlog
    second = discover(db, fetcher, config, other)
    assert second.sources_read >= 3 and not second.pass_budget_spent


def test_sources_per_target_stop_at_max_sources(tmp_path, caplog):
    config = _config(tmp_path, "max_sources = 40\nsitemap_children = 1000")
    db = connect(tmp_path / "marsad.db")
    prepare(db, config)
    report = discover(db, _fetcher(), config, config.targets[0])
    total = db.execute(
        "SELECT count(*) FROM discovery_sources WHERE target = ?", [config.targets[0].url]
    ).fetchone()[0]
    assert total == 40
    assert report.sources_over_limit > 0
    assert sum("its max_sources" in r.getMessage() for r in caplog.records) == 1


def test_a_closed_client_ends_the_pass_at_once(tmp_path, caplog):
    # After SIGTERM the pass went on: "client has been closed" 120 times a second.
    config = _config(tmp_path)
    db = connect(tmp_path / "marsad.db")
    prepare(db, config)
    seen: list[str] = []
    fetcher: Fetcher

    def close_after_a_few(request: httpx.Request) -> None:
        seen.append(request.url.path)
        if len(seen) == 8:
            fetcher.close()

    fetcher = _fetcher(close_after_a_few)
    report = discover(db, fetcher, config, config.targets[0])
    assert report.stopped
    assert len(seen) == 8
    closed = [r for r in caplog.records if "closed" in r.getMessage()]
    assert len(closed) <= 1
    assert "stopped" in report.summary()


def test_a_stop_request_ends_the_pass_before_its_next_read(tmp_path):
    config = _config(tmp_path)
    db = connect(tmp_path / "marsad.db")
    prepare(db, config)
    report = discover(db, _fetcher(), config, config.targets[0], stop=lambda: True)
    assert report.stopped and report.sources_read == 0
    assert db.execute("SELECT count(*) FROM fetches").fetchone()[0] == 0


def test_limits_are_read_from_the_watch_list(tmp_path):
    config = _config(tmp_path, "max_sources = 7\nsitemap_children = 3\nsitemap_depth = 1\n"
                               "reads_per_pass = 5")  # fmt: skip
    d = config.targets[0].discovery
    assert (d.max_sources, d.sitemap_children, d.sitemap_depth, d.reads_per_pass) == (7, 3, 1, 5)
