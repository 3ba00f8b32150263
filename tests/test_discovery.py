"""Discovery against the replica: from the seed's short link, the related pages are found,
stored with why they are watched, checked, and kept in scope."""

from __future__ import annotations

import re
from urllib.parse import unquote

from crawler.discover import page_kind
from crawler.robots import RobotsAnswer
from crawler.urls import url_key
from schedules.discovery import check_with_discovery, discover
from tests.discovery_harness import T0, watch
from tests.servers.replica import ReplicaServer, ReplicaSite
from tests.servers.replica_data import NATO_DECLARATION, SEED_ID

CATEGORY = 12  # دراسات, the seed's first category
PER_PAGE = 10  # posts on an archive's first page, and in a feed


def test_depth_one_finds_linked_related_and_category_posts_and_checks_them(tmp_path, replica):
    w = watch(tmp_path, replica)
    outcomes, report = check_with_discovery(w.db, w.fetcher, w.config, w.target, now=T0)

    site = replica.site
    seed = site.post(SEED_ID)
    linked = {w.key_of(link.target) for link in seed.links if isinstance(link.target, int)}
    in_category = {w.key_of(p.id) for p in site.in_term(CATEGORY)[:PER_PAGE] if p.id != SEED_ID}
    reasons = {p["url_key"]: p["reason"] for p in w.pages()}
    assert linked and linked <= set(reasons)
    assert in_category <= set(reasons)
    assert {"linked", "related", "category", "tag"} <= set(reasons.values())
    assert report.pages_added == len(reasons)

    for page in w.pages():  # every discovered page: an article, checked, with a version
        assert page_kind(page["url"]) == "article"
        assert page["target"] == w.target.url
        assert page["depth"] == 1
        assert page["discovered_from"] == 1
        assert page["versions"] == 1, page["url"]
    assert sum(o.outcome == "new_version" for o in outcomes) == len(reasons) + 1
    # the seed itself is not discovered again under its permalink
    assert w.key_of(SEED_ID) not in reasons


def test_archives_feeds_and_sitemaps_are_read_but_never_stored_as_articles(tmp_path, replica):
    w = watch(tmp_path, replica)
    check_with_discovery(w.db, w.fetcher, w.config, w.target, now=T0)

    kinds = {row["kind"] for row in w.db.query("SELECT kind FROM discovery_sources")}
    assert {"archive", "feed", "site_feed", "sitemap", "robots", "rest_post"} <= kinds
    navigation = [
        r["url"] for r in w.db.query("SELECT url FROM pages") if page_kind(r["url"]) != "article"
    ]
    assert navigation == []
    # every source read is in `fetches`, with no page and its source named
    source_fetches = list(w.db.query("SELECT * FROM fetches WHERE source_id IS NOT NULL"))
    assert {f["outcome"] for f in source_fetches} <= {"read", "not_modified", "error"}
    assert all(f["page_id"] is None for f in source_fetches)
    assert (
        w.db.execute(
            "SELECT count(*) FROM versions v JOIN pages p ON p.id = v.page_id"
            " WHERE p.url LIKE '%/category/%' OR p.url LIKE '%/feed/%'"
        ).fetchone()[0]
        == 0
    )


def test_nothing_out_of_scope_or_excluded_is_fetched(tmp_path, replica):
    w = watch(tmp_path, replica, discovery='exclude = ["/tag/", "الصين"]')
    check_with_discovery(w.db, w.fetcher, w.config, w.target, now=T0)

    paths = [unquote(p) for p in replica.paths()]
    assert paths, "nothing was fetched"
    assert not [p for p in paths if "/tag/" in p or "الصين" in p]
    fetched = [unquote(r["url"]) for r in w.db.query("SELECT url FROM fetches")]
    assert all(url.startswith(replica.base_url) for url in fetched)
    assert not [u for u in fetched if "/tag/" in u or "الصين" in u]
    # the seed links NATO's declaration: off-site, so never even tried (no refused fetch either)
    assert NATO_DECLARATION not in fetched
    assert w.db.execute("SELECT count(*) FROM fetches WHERE outcome = 'skipped'").fetchone()[0] == 0
    assert not [p for p in w.pages() if re.search("/tag/|الصين", unquote(p["url"]))]
    assert w.pages(), "the exclusions left nothing"


def test_max_pages_caps_the_frontier(tmp_path, replica):
    w = watch(tmp_path, replica, discovery="max_pages = 5")
    outcomes, report = check_with_discovery(w.db, w.fetcher, w.config, w.target, now=T0)
    assert len(w.pages()) == 5
    assert report.over_budget > 0
    assert len(outcomes) == 6  # the target and its five


def test_discovery_off_fetches_only_the_target(tmp_path, replica):
    w = watch(tmp_path, replica, discovery="enabled = false")
    report = discover(w.db, w.fetcher, w.config, w.target, now=T0)
    assert report.checks == [] and w.pages() == []
    assert w.db.execute("SELECT count(*) FROM discovery_sources").fetchone()[0] == 0
    assert replica.paths() == []


def test_depth_zero_watches_the_target_alone(tmp_path, replica):
    w = watch(tmp_path, replica, discovery="depth = 0")
    outcomes, _ = check_with_discovery(w.db, w.fetcher, w.config, w.target, now=T0)
    assert [o.url for o in outcomes] == [w.target.url]
    assert w.pages() == []
    assert not [p for p in replica.paths() if "/category/" in p or "/tag/" in p]


def test_without_the_rest_api_the_same_pages_are_found(tmp_path, replica):
    with ReplicaServer(ReplicaSite()) as blocked:
        blocked.site.set_rest_api(False)
        on = watch(tmp_path, replica, name="on")
        off = watch(tmp_path, blocked, name="off")
        _, report_on = check_with_discovery(on.db, on.fetcher, on.config, on.target, now=T0)
        _, report_off = check_with_discovery(off.db, off.fetcher, off.config, off.target, now=T0)

        assert report_on.rest_api is True and report_off.rest_api is False
        assert off.keys() == on.keys()
        assert len(on.keys()) > 15
        # the refusal is recorded, one line, and discovery went on without the API
        [refused] = off.db.query(
            "SELECT f.status, f.error FROM fetches f JOIN discovery_sources s ON s.id = f.source_id"
            " WHERE s.kind = 'rest_post'"
        )
        assert refused["status"] == 403 and "\n" not in refused["error"]
        assert not [p for p in blocked.paths() if "modified_after" in p]


def test_pages_are_keyed_by_url_key(tmp_path, replica):
    w = watch(tmp_path, replica)
    check_with_discovery(w.db, w.fetcher, w.config, w.target, now=T0)
    for page in w.pages():
        assert page["url_key"] == url_key(page["url"])


def test_marsad_check_runs_the_target_with_its_discovery(tmp_path, replica):
    import json

    from click.testing import CliRunner

    from schedules.cli import cli

    w = watch(tmp_path, replica, discovery="max_pages = 8")
    args = ["--db", str(tmp_path / "marsad" / "marsad.db"), "--config", str(w.config.path)]
    runner = CliRunner()
    result = runner.invoke(cli, [*args, "check"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "checked 9 page(s): 9 new_version" in result.stderr
    pages = json.loads(
        runner.invoke(cli, [*args, "export", "--what", "pages", "--format", "json"]).stdout
    )
    assert len(pages) == 9 and all(p["versions"] == 1 for p in pages)


def test_robots_txt_is_requested_once_per_pass_and_its_sitemaps_are_read(tmp_path, replica):
    replica.site.set_robots(
        f"User-agent: *\nDisallow: /wp-admin/\nSitemap: {replica.base_url}/wp-sitemap.xml\n"
    )
    w = watch(tmp_path, replica)
    check_with_discovery(w.db, w.fetcher, w.config, w.target, now=T0)

    # the fetcher obeys it and discovery reads its Sitemap line: from one request
    assert replica.paths().count("/robots.txt") == 1
    sitemaps = {
        r["url"] for r in w.db.query("SELECT url FROM discovery_sources WHERE kind = 'sitemap'")
    }
    assert f"{replica.base_url}/wp-sitemap.xml" in sitemaps
    robots = next(w.db.query("SELECT * FROM discovery_sources WHERE kind = 'robots'"))
    assert (robots["last_outcome"], robots["last_status"]) == ("read", 200)


def test_an_unreachable_robots_txt_is_an_error_of_the_source_and_adds_no_sitemap(tmp_path, replica):
    w = watch(tmp_path, replica)
    # the fetcher has just found robots.txt unreachable (503): nothing may be fetched for now
    w.fetcher.robots.document(replica.base_url, lambda: RobotsAnswer(503))
    discover(w.db, w.fetcher, w.config, w.target, now=T0)

    assert "/robots.txt" not in replica.paths()  # the cached answer holds until its retry time
    robots = next(w.db.query("SELECT * FROM discovery_sources WHERE kind = 'robots'"))
    assert (robots["last_outcome"], robots["last_status"]) == ("error", 503)
    assert "answered 503" in robots["last_error"]
    assert (
        w.db.execute("SELECT count(*) FROM discovery_sources WHERE kind = 'sitemap'").fetchone()[0]
        == 0
    )


def test_a_page_the_daemon_is_checking_is_left_to_it(tmp_path, replica):
    from datetime import timedelta

    from store.frontier import SqliteFrontier

    w = watch(tmp_path, replica)
    check_with_discovery(w.db, w.fetcher, w.config, w.target, now=T0)
    target_id = w.db.execute("SELECT id FROM pages WHERE reason = 'target'").fetchone()[0]
    fetches_before = w.db.execute("SELECT count(*) FROM fetches WHERE page_id = ?", [target_id])
    fetches_before = fetches_before.fetchone()[0]

    # a running daemon claims the target page: a worker is fetching it right now
    later = T0 + timedelta(days=1)
    daemon = SqliteFrontier(w.db)
    daemon.watch([w.target.url])
    claimed = {c.page_id for c in daemon.claim_due(later, 100, lease=600)}
    assert target_id in claimed
    outcomes, _ = check_with_discovery(w.db, w.fetcher, w.config, w.target, now=later)

    mine = [o for o in outcomes if o.page_id == target_id]
    assert [o.outcome for o in mine] == ["skipped"]
    assert "being checked by another marsad process" in mine[0].error
    # nothing fetched or recorded for it, and the daemon's claim is untouched
    assert (
        w.db.execute("SELECT count(*) FROM fetches WHERE page_id = ?", [target_id]).fetchone()[0]
        == fetches_before
    )
    assert w.db.execute("SELECT claimed_until FROM pages WHERE id = ?", [target_id]).fetchone()[0]
    # the discovered pages the daemon claimed were left to it too
    others = claimed - {target_id}
    assert others and not {o.page_id for o in outcomes} & others

    for page_id in claimed:  # the daemon's checks end
        daemon.release(page_id)
    outcomes, _ = check_with_discovery(w.db, w.fetcher, w.config, w.target, now=later)
    assert [o.outcome for o in outcomes if o.page_id == target_id] != ["skipped"]
