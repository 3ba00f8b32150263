"""A check killed at every statement boundary of its recording is whole or absent, never half.

`tests/test_crash.py` kills at random moments, so a commit wrongly placed in the middle of the
record path is caught only when a kill happens to land after it. Here the kill point is chosen:
one new-version check (an edit, read by an upgraded extractor so the baseline is re-read, on a
page with a seed, a redirect and a notification rule) is recorded by the real `record_check` in
a worker process whose connection counts the statements it starts (`set_trace_callback`, a hook
in this test only: the product pays nothing). For every N the worker SIGKILLs itself as
statement N + 1 is about to start, so every boundary, the one after the last statement before
COMMIT included, is a crash. After each kill the database must be sound and equal, table by
table, either to the state before the check or to the state after the uninterrupted check;
re-running the check must then leave exactly one new version.

`test_a_commit_in_the_middle_is_caught` plants such a commit and shows the sweep fails on it.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.models import Block, Extracted, Fetched, Observation
from store.readings import Reader
from store.seedmatch import Seed
from store.versions import CheckOutcome, Comparison

ROOT = Path(__file__).resolve().parents[1]
URL = "https://news.example/?p=7"
FINAL_URL = "https://news.example/2026/01/nato-meeting/"
PARAGRAPHS = (
    "قال الأمين العام للحلف إن الاجتماع المقبل سيبحث التعاون الدفاعي.",
    "وأكد المتحدث أن الدول الأعضاء متفقة على الخطوط العريضة للخطة.",
    "ويعقد الاجتماع في العاصمة البلجيكية بحضور وزراء الدفاع.",
)
EDITED = (PARAGRAPHS[0], "وأكد المتحدث أن الدول الأعضاء اختلفت على تمويل الخطة.", PARAGRAPHS[2])
SHARE = "شارك المقال"
SEED = Seed("nato", None, PARAGRAPHS)
BEFORE, CHECK, RERUN = (
    "2026-01-01T00:00:01.000Z",
    "2026-01-01T01:00:00.000Z",
    "2026-01-01T02:00:00.000Z",
)
NEXT = "2026-01-01T01:30:00.000Z"
Tables = dict[str, list[tuple[Any, ...]]]
KILLED = -signal.SIGKILL  # a worker's returncode when the kill fired


def read(body: str, url: str | None = None) -> Extracted:
    """The reader before the upgrade: a body names the text it holds."""
    texts = EDITED if "edited" in body else PARAGRAPHS
    return Extracted(title="اجتماع الحلف", blocks=tuple(Block("paragraph", t) for t in texts))


def read_upgraded(body: str, url: str | None = None) -> Extracted:
    extracted = read(body, url)
    return Extracted(title=extracted.title, blocks=(*extracted.blocks, Block("paragraph", SHARE)))


OLD, NEW = Reader("1", read), Reader("2", read_upgraded)


def observation(body: str, reader: Reader) -> Observation:
    fetched = Fetched(url=URL, final_url=FINAL_URL, outcome="ok", status=200, body=body)
    return Observation(fetched, reader.read(body, FINAL_URL))


def make_template(path: Path) -> int:
    """The database before the check: the page, its first version (read by the old reader) and
    a notification rule for every target. Returns the page's id."""
    from store.outbox import Route, sync_routes
    from store.schema import connect
    from store.versions import ensure_page, record_check

    db = connect(path)
    sync_routes(db, [Route("*", "hook")])
    page = ensure_page(db, URL, now=BEFORE, target=URL)
    first = record_check(db, page, observation("<html>first</html>", OLD), now=BEFORE,
                         comparison=Comparison(seed=SEED, reader=OLD))  # fmt: skip
    assert first.outcome == "new_version"
    db.conn.close()  # checkpoints the WAL into the file, so copying the file copies it all
    return page


def the_check(
    path: Path, page: int, now: str = CHECK, trace: Callable[[str], None] | None = None
) -> CheckOutcome:
    """The check under test, as the daemon's frontier records it (with its next time)."""
    from store.schema import connect
    from store.versions import record_check

    db = connect(path)
    seen = observation("<html>edited</html>", NEW)
    if trace is not None:
        db.conn.set_trace_callback(trace)
    outcome = record_check(db, page, seen, now=now, comparison=Comparison(seed=SEED, reader=NEW),
                           next_check_at=NEXT, unconditional=False)  # fmt: skip
    db.conn.set_trace_callback(None)
    db.conn.close()
    return outcome


def worker(path: Path, page: int, kill_after: int) -> None:
    """Record the check, dying by SIGKILL as statement `kill_after` + 1 is about to start;
    prints each statement, so the parent learns how many one check takes."""
    started = 0

    def count(sql: str) -> None:
        nonlocal started
        started += 1
        if started > kill_after:
            os.kill(os.getpid(), signal.SIGKILL)
        print(" ".join(sql.split())[:100], flush=True)

    the_check(path, page, trace=count)


def zygote() -> None:
    """Import once, then fork one worker per `run PATH PAGE N [planted]` line; prints its exit
    status (negative: killed by that signal) after its statements."""
    import store.versions  # noqa: F401 - the slow imports happen here, not in each worker

    for line in sys.stdin:
        path, page, kill_after, *planted = line.split()
        child = os.fork()
        if child == 0:
            try:
                if planted:
                    plant_a_commit()
                worker(Path(path), int(page), int(kill_after))
            finally:
                os._exit(0)
        _, status = os.waitpid(child, 0)
        code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        print(f"exit {code}", flush=True)


def plant_a_commit() -> None:
    """The bug the sweep exists for: the check's transaction committed before its version is
    written (and a new one begun), so a crash after it keeps the check's first writes (the
    re-read baseline, texts, block sightings) without its version and fetch row."""
    import store.newversion
    import store.versions

    real = store.newversion.write_version

    def committed_first(db: Any, *args: Any, **kwargs: Any) -> Any:
        db.execute("COMMIT")
        db.execute("BEGIN IMMEDIATE")
        return real(db, *args, **kwargs)

    store.versions.write_version = committed_first


def dump(path: Path) -> Tables:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]  # fmt: skip
        return {
            t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables
        }
    finally:
        conn.close()


def whole_or_absent(path: Path, page: int, before: Tables, after: Tables) -> str:
    """'absent' or 'whole'; fails, naming what is half there, otherwise."""
    state = dump(path)
    conn = sqlite3.connect(path)
    try:
        fetches = conn.execute("SELECT count(*) FROM fetches WHERE page_id = ?", [page]).fetchone()[
            0
        ]
        versions = conn.execute(
            "SELECT count(*) FROM versions WHERE page_id = ?", [page]
        ).fetchone()[0]
        unlinked = conn.execute(
            "SELECT count(*) FROM versions v WHERE NOT EXISTS"
            " (SELECT 1 FROM fetches f WHERE f.version_id = v.id)"
        ).fetchone()[0]
        dangling = conn.execute(
            "SELECT count(*) FROM fetches f WHERE outcome = 'new_version' AND NOT EXISTS"
            " (SELECT 1 FROM versions v WHERE v.id = f.version_id)"
        ).fetchone()[0]
    finally:
        conn.close()
    assert (fetches, versions) in ((1, 1), (2, 2)), f"{fetches} fetch rows, {versions} versions"
    assert unlinked == 0 and dangling == 0, (
        "a version without its fetch or a fetch without its version"
    )
    if state == before:
        return "absent"
    if state == after:
        return "whole"
    half = sorted(t for t in state if state[t] not in (before[t], after[t]))
    mixed = sorted(t for t in state if state[t] == before[t] and before[t] != after[t])
    raise AssertionError(
        f"half a check: tables {half} are neither before nor after; {mixed} not yet written"
    )


class Sweep:
    """The zygote, and the database states each kill is compared with."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.template = tmp_path / "template.db"
        self.page = make_template(self.template)
        self.before = dump(self.template)
        env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}"}
        self.helper = subprocess.Popen(
            [sys.executable, "-c", "import test_crash_points; test_crash_points.zygote()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env,
        )  # fmt: skip

    def run(self, kill_after: int, planted: bool = False) -> tuple[Path, int, list[str]]:
        """A fresh copy of the template, the check recorded on it in a worker killed after
        `kill_after` statements: the copy, the worker's exit status and the statements run."""
        path = self.tmp_path / f"killed-{kill_after}{'-planted' if planted else ''}.db"
        shutil.copyfile(self.template, path)
        assert self.helper.stdin and self.helper.stdout
        self.helper.stdin.write(f"{path} {self.page} {kill_after}{' planted' if planted else ''}\n")
        self.helper.stdin.flush()
        statements = []
        while not (line := self.helper.stdout.readline()).startswith("exit "):
            assert line, "the zygote died"
            statements.append(line.strip())
        return path, int(line.split()[1]), statements

    def close(self) -> None:
        assert self.helper.stdin
        self.helper.stdin.close()
        self.helper.wait(timeout=10)


@pytest.fixture
def sweep(tmp_path: Path) -> Iterator[Sweep]:
    s = Sweep(tmp_path)
    yield s
    s.close()


def test_a_kill_at_every_statement_boundary_leaves_the_check_whole_or_absent(sweep):
    path, status, statements = sweep.run(kill_after=10**6)  # uninterrupted: counts them
    assert status == 0
    after = dump(path)
    # the check really is the rich one: a version, its diff, a re-read baseline, a notification
    assert len(after["versions"]) == 2 and after["readings"] and after["notifications"]
    # FTS5 writes the word index's pending terms as COMMIT runs: nested statements ("-- …")
    # may follow it, and a kill among them must leave the check absent too
    top_level = [s for s in statements if not s.startswith("-- ")]
    assert top_level[-1] == "COMMIT" and any(s.startswith("BEGIN") for s in top_level)
    total = len(statements)
    assert 30 < total < 400, statements

    seen = {}
    for n in range(1, total + 1):
        path, status, ran = sweep.run(kill_after=n)
        assert (status == KILLED) == (n < total), (n, status)
        assert len(ran) == n
        seen[n] = whole_or_absent(path, sweep.page, sweep.before, after)
        # restarted, the check runs again: exactly one new version, whatever the kill left
        outcome = the_check(path, sweep.page, now=RERUN)
        assert outcome.outcome == ("unchanged" if seen[n] == "whole" else "new_version"), n
        conn = sqlite3.connect(path)
        hashes = [h for (h,) in conn.execute(
            "SELECT content_hash FROM versions WHERE page_id = ?", [sweep.page])]  # fmt: skip
        conn.close()
        assert len(hashes) == 2 and len(set(hashes)) == 2, (n, hashes)
    # every kill before COMMIT finished undid the whole check; the last one kept it all
    assert [n for n, s in seen.items() if s == "whole"] == [total], seen


def test_a_commit_in_the_middle_is_caught(sweep):
    """The sweep can fail: with a commit planted before the version is written, some kill
    point leaves half a check, and `whole_or_absent` says so."""
    path, status, statements = sweep.run(kill_after=10**6, planted=True)
    assert status == 0 and statements.count("COMMIT") == 2
    after = dump(path)
    caught = []
    for n in range(1, len(statements) + 1):
        path, status, _ = sweep.run(kill_after=n, planted=True)
        try:
            whole_or_absent(path, sweep.page, sweep.before, after)
        except AssertionError as error:
            caught.append((n, str(error)))
    assert caught, "no kill point showed the planted commit"
