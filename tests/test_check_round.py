"""`marsad check` records its checks in rounds: what a user relies on around that.

Every page is recorded once; a round is recorded when full or when its time is up, so results
do not wait for the whole list; an error or a Ctrl-C in the middle loses nothing already read;
a round whose recording fails leaves nothing half-written and frees its pages' claims.
"""

from __future__ import annotations

import itertools
from urllib.parse import urlsplit

import pytest

from schedules.check import check_round
from schedules.config import load_config, with_targets
from schedules.discovery import check_pass
from schedules.jobs import make_fetcher, prepare
from schedules.replica.server import ReplicaServer
from schedules.replica.site import ReplicaSite
from store.frontier import SqliteFrontier
from store.schema import connect

PAGES = 5


@pytest.fixture
def site(tmp_path):
    with ReplicaServer(ReplicaSite(extra_posts=PAGES)) as server:
        urls = [server.site.permalink(p) for p in server.site.published()][:PAGES]
        (tmp_path / "watch.toml").write_text('[defaults]\nmin_delay = "0s"\n', encoding="utf-8")
        config = with_targets(load_config(tmp_path / "watch.toml"), urls)
        db = connect(tmp_path / "m.db")
        pages = prepare(db, config)
        assert len(pages) == PAGES
        yield db, pages, make_fetcher(config), server
        db.conn.close()


def versions(db) -> int:
    return int(db.execute("SELECT count(*) FROM versions").fetchone()[0])


def claimed(db) -> int:
    return int(
        db.execute("SELECT count(*) FROM pages WHERE claimed_until IS NOT NULL").fetchone()[0]
    )


def transactions_writing_versions(db, run) -> int:
    """How many transactions the connection committed during `run()` that wrote versions (a
    check's calibration, say, writes in a transaction of its own)."""
    seen: list[str] = []
    db.conn.set_trace_callback(seen.append)
    try:
        run()
    finally:
        db.conn.set_trace_callback(None)
    count, wrote = 0, False
    for statement in seen:
        wrote = wrote or statement.startswith("INSERT INTO versions ")
        if statement == "COMMIT":
            count, wrote = count + wrote, False
    return count


class Boom(RuntimeError):
    pass


def fail_at_fetch(fetcher, nth: int, error: BaseException) -> None:
    """The fetcher raises `error` at its `nth` fetch (the network edge), fetches otherwise."""
    real, calls = fetcher.fetch, itertools.count(1)

    def fetch(url, validators=None, **kwargs):
        if next(calls) == nth:
            raise error
        return real(url, validators, **kwargs)

    fetcher.fetch = fetch


def test_every_page_is_recorded_once_in_rounds_of_the_given_size(site):
    db, pages, fetcher, _ = site
    frontier = SqliteFrontier(db)
    outcomes = []
    commits = transactions_writing_versions(
        db,
        lambda: outcomes.extend(c.outcome for c in check_round(frontier, fetcher, pages, size=2)),
    )
    assert [o.outcome for o in outcomes] == ["new_version"] * PAGES
    assert sorted(o.page_id for o in outcomes) == sorted(p.page_id for p in pages)
    assert versions(db) == PAGES and claimed(db) == 0
    assert commits == 3  # rounds of 2, 2 and 1
    # and `marsad check` again: every page unchanged, no version doubled
    again = SqliteFrontier(db)
    assert {c.outcome.outcome for c in check_round(again, fetcher, pages)} <= {
        "unchanged",
        "not_modified",
    }
    assert versions(db) == PAGES


def test_marsad_check_of_urls_checks_them_in_rounds(site, tmp_path):
    # what `marsad check URL…` runs: the URLs are targets without discovery
    db, pages, fetcher, _ = site
    config = with_targets(load_config(tmp_path / "watch.toml"), [page.url for page in pages])
    outcomes = []
    commits = transactions_writing_versions(
        db, lambda: outcomes.extend(check_pass(db, fetcher, config, pages))
    )
    assert [o.outcome for o in outcomes] == ["new_version"] * PAGES
    assert commits == 1  # one round of 5 pages, not a transaction a page


def test_a_round_is_recorded_when_its_time_is_up_not_at_the_end_of_the_list(site):
    db, pages, fetcher, server = site
    elapsed = [0.0]
    real = fetcher.fetch

    def slow_fetch(url, validators=None, **kwargs):
        elapsed[0] += 0.6  # each fetch takes 0.6 s of the round's time
        return real(url, validators, **kwargs)

    fetcher.fetch = slow_fetch
    rounds = check_round(SqliteFrontier(db), fetcher, pages, seconds=1.0,
                         clock=lambda: elapsed[0])  # fmt: skip
    first = next(rounds)
    assert first.outcome.outcome == "new_version"
    assert versions(db) == 2  # the two pages fetched within the round's second, recorded
    fetched = [p for p in server.paths() if p.startswith("/20")]
    assert len(fetched) == 2, fetched  # the rest of the list not even fetched yet
    assert len([first, *rounds]) == PAGES and versions(db) == PAGES


def test_an_error_midway_records_the_pages_read_before_it_and_frees_the_failing_one(site):
    db, pages, fetcher, _ = site
    fail_at_fetch(fetcher, 3, Boom("a bug while fetching"))
    with pytest.raises(Boom):
        list(check_round(SqliteFrontier(db), fetcher, pages))
    assert versions(db) == 2  # the two pages read before the error
    assert claimed(db) == 0  # the failing page's claim was given back


def test_ctrl_c_while_fetching_loses_nothing_already_read(site):
    db, pages, fetcher, _ = site
    fail_at_fetch(fetcher, 4, KeyboardInterrupt())  # the user's Ctrl-C lands in a network wait
    with pytest.raises(KeyboardInterrupt):
        list(check_round(SqliteFrontier(db), fetcher, pages))
    assert versions(db) == 3  # the three pages read before it
    assert claimed(db) == 0  # the round's other pages, claimed together, are free again


def test_a_round_whose_recording_fails_leaves_nothing_half_written(site):
    db, pages, fetcher, _ = site

    class FailingOnThird(SqliteFrontier):
        recorded = 0

        def record(self, claim, seen, **kwargs):
            self.recorded += 1
            if self.recorded == 3:
                raise Boom("disk trouble")
            return super().record(claim, seen, **kwargs)

    with pytest.raises(Boom):
        list(check_round(FailingOnThird(db), fetcher, pages))
    assert versions(db) == 0  # the round is one transaction: the two recorded before went too
    assert db.execute("SELECT count(*) FROM fetches").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM versions_fts").fetchone()[0] == 0
    assert claimed(db) == 0  # and its pages are free to be checked again
    assert [c.outcome.outcome for c in check_round(SqliteFrontier(db), fetcher, pages)] == [
        "new_version"
    ] * PAGES


def test_a_page_the_daemon_holds_is_skipped_and_left_to_it(site):
    db, pages, fetcher, server = site
    held = pages[1]
    db.execute("UPDATE pages SET claimed_until = '2999-01-01T00:00:00.000Z' WHERE id = ?",
               [held.page_id])  # fmt: skip
    outcomes = {
        c.outcome.page_id: c.outcome for c in check_round(SqliteFrontier(db), fetcher, pages)
    }
    assert outcomes[held.page_id].outcome == "skipped"
    assert [
        o for p, o in outcomes.items() if p != held.page_id and o.outcome != "new_version"
    ] == []
    assert versions(db) == PAGES - 1
    assert urlsplit(held.url).path not in server.paths()  # never fetched
    [[until]] = db.execute("SELECT claimed_until FROM pages WHERE id = ?", [held.page_id])
    assert until.startswith("2999")  # its claim is the daemon's still


def test_the_pages_discovery_finds_are_checked_in_rounds(tmp_path):
    with ReplicaServer(ReplicaSite()) as server:
        (tmp_path / "watch.toml").write_text(
            f'[defaults]\nmin_delay = "0s"\n\n[[targets]]\nurl = "{server.base_url}/?p=95655"\n',
            encoding="utf-8",
        )
        config = load_config(tmp_path / "watch.toml")
        db = connect(tmp_path / "m.db")
        pages = prepare(db, config)
        outcomes = []
        commits = transactions_writing_versions(
            db, lambda: outcomes.extend(check_pass(db, make_fetcher(config), config, pages))
        )
        db.conn.close()
    assert len(outcomes) > 10 and {o.outcome for o in outcomes} == {"new_version"}
    # the target alone, then its discovered pages a round at a time (a round also ends a second
    # after its first fetch, so a slow machine makes more of them), not a transaction a page
    assert commits < len(outcomes) / 2
