"""Discovery reads an article's links from the check that read it: the page is fetched once and
parsed once by the extractor and once for what the extractor does not keep (the related-posts
block, categories and tags, the post id, the API link), not once per question (issue #17)."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

import crawler.discover.article
import crawler.discover.links
import crawler.discover.wpapi
from schedules.discovery import check_with_discovery
from tests.discovery_harness import T0, watch
from tests.servers.replica_data import SEED_ID


def test_the_target_article_is_parsed_once_for_discovery(tmp_path, replica, monkeypatch):
    w = watch(tmp_path, replica)
    parses: list[str] = []

    def counting(html: str = "", *args, **kwargs):  # type: ignore[no-untyped-def]
        if f"postid-{SEED_ID}" in (html or ""):
            parses.append("article")
        return LexborHTMLParser(html, *args, **kwargs)

    for module in (crawler.discover.article, crawler.discover.links, crawler.discover.wpapi):
        monkeypatch.setattr(module, "LexborHTMLParser", counting)
    outcomes, report = check_with_discovery(w.db, w.fetcher, w.config, w.target, now=T0)
    assert outcomes[0].outcome == "new_version"
    assert report.sources_read > 0
    assert parses == ["article"], "discovery parsed the article more than once"
    kinds = {row["kind"] for row in w.db.query("SELECT kind FROM discovery_sources")}
    assert {"archive", "rest_post", "rest_changes"} <= kinds  # links, post id and API root read


def test_marsad_check_fetches_its_target_after_two_statements(tmp_path, replica):
    """The `PageToCheck` `prepare` made is checked as it is: which of its links are stale and
    the claim, then the fetch; the pass's bookkeeping comes after (issue #17 counted about eight
    statements, writing the URL again and reading it back, before the first byte)."""
    from schedules.jobs import prepare

    w = watch(tmp_path, replica)
    [page] = prepare(w.db, w.config)
    statements: list[str] = []
    w.db.conn.set_trace_callback(statements.append)
    fetched_after: list[int] = []
    real_fetch = w.fetcher.fetch

    def fetch(*args, **kwargs):  # type: ignore[no-untyped-def]
        fetched_after.append(len(statements))
        return real_fetch(*args, **kwargs)

    w.fetcher.fetch = fetch  # type: ignore[method-assign]
    outcomes, _ = check_with_discovery(w.db, w.fetcher, w.config, w.target, now=T0, page=page)
    w.db.conn.set_trace_callback(None)
    assert outcomes[0].page_id == page.page_id and outcomes[0].outcome == "new_version"
    assert fetched_after[0] <= 2, statements[: fetched_after[0]]  # links_stale, claim
