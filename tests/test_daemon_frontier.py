"""The frontier and maintenance in a real SQLite file: claims, catch-up spread, pruning, backup."""

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from crawler.models import Block, Extracted, Fetched, Observation
from store.frontier import SqliteFrontier, iso, load_host_states, parse_iso, save_host_states
from store.maintenance import BackupError, backup, prune_fetches
from store.processes import HOST
from store.schema import connect
from store.versions import Comparison, ensure_page

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
T = "https://site.example/"


@pytest.fixture
def db(tmp_path):
    return connect(tmp_path / "m.db")


def pages(db, count, target=T, due=NOW - timedelta(days=3)):
    ids = [ensure_page(db, f"{target}?p={i}", now=iso(NOW), target=target) for i in range(count)]
    db.execute("UPDATE pages SET next_check_at = ?", [iso(due)])
    return ids


def ok(url, text):
    fetched = Fetched(url=url, final_url=url, outcome="ok", status=200, body="<html/>")
    return fetched, Extracted(title="t", blocks=(Block("paragraph", text),))


def test_overdue_pages_are_spread_over_the_window_oldest_first(db):
    ids = pages(db, 4)
    db.execute("UPDATE pages SET next_check_at = '2026-01-01T00:00:00.000Z' WHERE id = ?", [ids[2]])
    frontier = SqliteFrontier(db)
    frontier.watch([T])
    assert frontier.spread_overdue(NOW, 60) == 4
    due = dict(db.execute("SELECT id, next_check_at FROM pages").fetchall())
    assert due[ids[2]] == iso(NOW)
    assert sorted(parse_iso(v) - NOW for v in due.values()) == [
        timedelta(seconds=s) for s in (0, 15, 30, 45)
    ]
    assert [c.page_id for c in frontier.claim_due(NOW, 10, lease=60)] == [ids[2]]


def test_a_claimed_page_is_handed_out_once_and_recording_moves_it_on(db):
    pages(db, 1)
    frontier = SqliteFrontier(db)
    frontier.watch([T])
    [claim] = frontier.claim_due(NOW, 5, lease=120)
    assert frontier.claim_due(NOW + timedelta(seconds=1), 5, lease=120) == []
    assert frontier.next_due() is None, "a claimed page is not waiting to be due"
    later = NOW + timedelta(hours=6)
    outcome = frontier.record(
        claim,
        Observation(*ok(claim.url, "نص")),
        now=NOW,
        comparison=Comparison(),
        next_check_at=later,
    )
    assert outcome.outcome == "new_version"
    assert db.execute("SELECT next_check_at, claimed_until FROM pages").fetchone() == (
        iso(later),
        None,
    )
    assert frontier.claim_due(NOW + timedelta(hours=1), 5, lease=120) == []
    assert frontier.next_due() == later


def test_claims_left_by_a_killed_daemon_are_released_at_start(db):
    pages(db, 2)
    frontier = SqliteFrontier(db)
    frontier.watch([T])
    assert len(frontier.claim_due(NOW, 5, lease=600)) == 2
    assert frontier.release_left() == 2
    assert len(frontier.claim_due(NOW, 5, lease=600)) == 2


@pytest.fixture
def holders():
    """Claim holders as the frontier names them: a process of this machine that has ended, one
    that runs, and a process of another machine."""
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield {
            "gone": f"{ended.pid}@{HOST}",
            "running": f"{running.pid}@{HOST}",
            "elsewhere": f"{ended.pid}@another-host.example",
        }
    finally:
        running.kill()
        running.wait()


def held(db, page_id, holder):
    db.execute(
        "UPDATE pages SET claimed_until = ?, claimed_by = ? WHERE id = ?",
        [iso(NOW + timedelta(minutes=20)), holder, page_id],
    )


def test_a_page_whose_claim_holder_is_gone_is_claimed_at_once(db, holders):
    # a `marsad check` killed with SIGKILL mid-round: the next check need not wait 20 minutes
    gone, running, elsewhere, unnamed = pages(db, 4)
    held(db, gone, holders["gone"])
    held(db, running, holders["running"])
    held(db, elsewhere, holders["elsewhere"])  # cannot be told from here: its lease decides
    held(db, unnamed, None)  # a claim made before claims named their holder
    frontier = SqliteFrontier(db)
    claimed = frontier.claim_pages([gone, running, elsewhere, unnamed], NOW, lease=60)
    assert [c.page_id for c in claimed] == [gone]
    assert db.execute("SELECT claimed_by FROM pages WHERE id = ?", [gone]).fetchone()[0] == (
        f"{os.getpid()}@{HOST}"
    )


def test_the_daemon_hands_out_a_due_page_whose_claim_holder_is_gone(db, holders):
    gone, running = pages(db, 2)
    held(db, gone, holders["gone"])
    held(db, running, holders["running"])
    frontier = SqliteFrontier(db)
    frontier.watch([T])
    assert [c.page_id for c in frontier.claim_due(NOW, 5, lease=60)] == [gone]


def test_a_starting_daemon_keeps_the_claims_of_a_running_check(db, holders):
    gone, running, elsewhere, unnamed = pages(db, 4)
    held(db, gone, holders["gone"])
    held(db, running, holders["running"])
    held(db, elsewhere, holders["elsewhere"])
    held(db, unnamed, None)
    frontier = SqliteFrontier(db)
    assert frontier.release_left() == 2  # the gone holder's and the unnamed one
    still = [r[0] for r in db.execute("SELECT id FROM pages WHERE claimed_until IS NOT NULL")]
    assert sorted(still) == sorted([running, elsewhere])


def test_only_watched_targets_are_handed_out(db):
    pages(db, 1)
    pages(db, 1, target="https://removed.example/")
    frontier = SqliteFrontier(db)
    frontier.watch([T])
    assert [c.target for c in frontier.claim_due(NOW, 5, lease=60)] == [T]


def test_a_changed_interval_counts_from_the_last_check(db):
    pages(db, 1, due=NOW + timedelta(days=1))
    db.execute("UPDATE pages SET last_checked = ?", [iso(NOW - timedelta(minutes=10))])
    SqliteFrontier(db).follow_interval(T, 3600, NOW)
    assert db.execute("SELECT next_check_at FROM pages").fetchone()[0] == iso(
        NOW + timedelta(minutes=50)
    )


def test_host_states_survive_a_restart(db):
    class HostState:  # the fetcher's shape
        host, failures, paused_until, last_error = "a.example", 2, NOW.timestamp() + 60, "HTTP 429"

    save_host_states(db, [HostState()], NOW)
    [stored] = load_host_states(db)
    assert (stored.host, stored.failures, stored.last_error) == ("a.example", 2, "HTTP 429")
    assert stored.paused_until == pytest.approx(NOW.timestamp() + 60)


def test_pruning_keeps_fetches_that_made_versions_and_recent_ones(db):
    pages(db, 1)
    frontier = SqliteFrontier(db)
    frontier.watch([T])
    url = f"{T}?p=0"
    for day in range(5):
        claim = frontier.claim_due(NOW + timedelta(days=day), 1, lease=60)[0]
        text = "نص أول" if day < 3 else "نص ثان"
        frontier.record(
            claim,
            Observation(*ok(url, text)),
            now=NOW + timedelta(days=day),
            comparison=Comparison(),
            next_check_at=NOW + timedelta(days=day, hours=1),
        )
    assert prune_fetches(db, iso(NOW + timedelta(days=4)), batch=1) == 2
    kept = db.execute("SELECT outcome, fetched_at FROM fetches ORDER BY id").fetchall()
    assert [k[0] for k in kept] == ["new_version", "new_version", "unchanged"]
    assert db.execute("SELECT count(*) FROM versions").fetchone()[0] == 2


def test_online_backup_while_a_writer_holds_a_transaction(tmp_path, db):
    pages(db, 3)
    writer = sqlite3.connect(tmp_path / "m.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE pages SET checks = 7")
    made = backup(tmp_path / "m.db", tmp_path / "copies" / "b.db")
    writer.execute("COMMIT")
    assert made.integrity == "ok" and made.bytes > 0
    copy = sqlite3.connect(made.path)
    assert copy.execute("SELECT count(*), max(checks) FROM pages").fetchone() == (3, 0)
    assert not (tmp_path / "copies" / "b.db.partial").exists()
    with pytest.raises(BackupError, match="is the database itself"):
        backup(tmp_path / "m.db", tmp_path / "m.db")
