"""Checks killed with SIGKILL at random points while writing leave no half check behind.

A helper process imports marsad once and forks a worker for each round; the worker runs the real
`record_check` over a fixed sequence of answers (new text, repeats, a syndicated copy on a second
page, flapping, a 404 and back, a timeout) on a database file, resuming after the last check
that was committed. Halfway the extractor is "upgraded" (another reader, reading every body
with one more block), so re-reading stored bodies is on the killed path too. The test kills the worker at a random moment, 20 times, checks the database
after each kill, then lets a last round finish and compares it with an uninterrupted run.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from crawler.models import Block, Extracted, Fetched, Observation
from store.readings import Reader
from store.versions import Comparison

ROOT = Path(__file__).resolve().parents[1]
URL = "https://www.europarabct.com/?p=95655"
COPY_URL = "https://syndicator.example/news/nato-ip4"
CHECKS = 160  # 20 cycles of 8 answers; a round gets through a few before its kill
KILLS = 20
# The upgrade lands on an unchanged check (cycle 10's harakat-only re-save): only a re-read of
# the baseline's body keeps it from being a version.
UPGRADE = 8 * 10 + 5
SHARE = "شارك المقال"


def read_body(body: str, url: str | None = None) -> Extracted:
    """The reader before the upgrade: each answer's body names the check it belongs to."""
    extracted = answer(int(body.split("check ")[1].split(" ")[0]))[2]
    assert extracted is not None
    return extracted


def read_body_upgraded(body: str, url: str | None = None) -> Extracted:
    extracted = read_body(body, url)
    return Extracted(title=extracted.title, blocks=(*extracted.blocks, Block("paragraph", SHARE)))


READERS = (Reader("1", read_body), Reader("2", read_body_upgraded))


def answer(i: int) -> tuple[str, Fetched, Extracted | None]:
    """The i-th check: which page, what the site answered, what was extracted."""
    from store.seedmatch import load_seed

    paragraphs = list(load_seed(ROOT / "seeds" / "000_3b1ee1feec353f5c.txt").paragraphs)
    cycle, step = divmod(i, 8)
    paragraphs[3] += f" (تحديث رقم {cycle})"
    a = list(paragraphs)
    b = list(paragraphs)
    b[7] = "فقرة بديلة أدخلها المحرر ثم تراجع عنها: " + b[7]

    def ok(url: str, texts: list[str]) -> tuple[str, Fetched, Extracted]:
        body = f"<html><!-- check {i} --></html>"
        fetched = Fetched(url=url, final_url=url, outcome="ok", status=200, body=body)
        return (
            url,
            fetched,
            Extracted(title="الناتو", blocks=tuple(Block("paragraph", t) for t in texts)),
        )

    if step == 1:  # a syndicated copy on another site
        return ok(COPY_URL, ["نقلا عن المركز الأوروبي", *a[1:]])
    if step == 4:
        return (
            URL,
            Fetched(url=URL, final_url=URL, outcome="error", status=404, error="HTTP 404"),
            None,
        )
    if step == 6:
        return URL, Fetched(url=URL, final_url=URL, outcome="error", error="timed out"), None
    texts = {0: a, 2: b, 3: a, 5: [t.replace("الأطلسي", "الأَطْلَسِيّ") for t in a], 7: b}[step]
    return ok(URL, texts)


def run_checks(path: Path, stop: int = CHECKS) -> None:
    """Resume the sequence after the last committed check and run it to `stop`."""
    from store.schema import connect
    from store.versions import ensure_page, record_check

    db = connect(path)
    pages = {url: ensure_page(db, url, now="2026-01-01T00:00:00+00:00") for url in (URL, COPY_URL)}
    for i in range(db.execute("SELECT count(*) FROM fetches").fetchone()[0], stop):
        url, fetched, extracted = answer(i)
        now = f"2026-01-01T{i // 60:02d}:{i % 60:02d}:01+00:00"
        reader = READERS[i >= UPGRADE]
        if fetched.body is not None:
            extracted = reader.read(fetched.body, url)
        record_check(
            db,
            pages[url],
            Observation(fetched, extracted),
            now=now,
            comparison=Comparison(reader=reader),
        )


def zygote() -> None:
    """Import once, then fork one worker per `run PATH` line; `reap` waits for it."""
    import store.versions  # noqa: F401 - the slow imports happen here, not in each worker

    worker = 0
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command == "run":
            worker = os.fork()
            if worker == 0:
                try:
                    run_checks(Path(arg))
                finally:
                    os._exit(0)
            print(worker, flush=True)
        elif command == "reap":
            _, status = os.waitpid(worker, 0)
            print(status, flush=True)


def assert_whole(path: Path) -> int:
    """The database is sound and holds only whole checks; returns the number of checks."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'fetches'").fetchone():
            return 0  # killed before the schema was committed: nothing half-made either
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        for page_id, count in conn.execute("SELECT id, versions FROM pages").fetchall():
            numbers = [
                n
                for (n,) in conn.execute(
                    "SELECT version FROM versions WHERE page_id = ? ORDER BY version", [page_id]
                )
            ]
            assert numbers == list(range(1, count + 1)), (page_id, numbers, count)
        half = conn.execute(
            "SELECT v.id FROM versions v WHERE NOT EXISTS (SELECT 1 FROM fetches f WHERE f.version_id = v.id)"
            " OR NOT EXISTS (SELECT 1 FROM events e WHERE e.version_id = v.id AND e.kind = 'changed')"
            " OR NOT EXISTS (SELECT 1 FROM near_dup_signatures s WHERE s.version_id = v.id)"
        ).fetchall()
        assert half == []
        unread = conn.execute(
            "SELECT v.id FROM versions v LEFT JOIN bodies b ON b.hash = v.body_hash"
            " WHERE b.hash IS NULL OR v.reader IS NULL"
        ).fetchall()
        assert unread == []  # every version keeps its body and says what read it
        rereads = conn.execute(
            "SELECT max(n) FROM (SELECT count(*) AS n FROM events WHERE kind = 'reread'"
            " GROUP BY page_id)"
        ).fetchone()[0]
        assert rereads in (None, 1)  # a page's baseline is re-read once per upgrade
        checks = conn.execute("SELECT count(*) FROM fetches").fetchone()[0]
        # total(), not sum(): with no pages yet (a kill before the first check's commit) sum()
        # is NULL, which never equals count(*) = 0, so such a run failed though the file was whole
        assert conn.execute("SELECT total(checks) FROM pages").fetchone()[0] == checks
        return checks
    finally:
        conn.close()


def dump(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in (
                "pages",
                "versions",
                "fetches",
                "events",
                "near_duplicates",
                "page_aliases",
                "bodies",
                "readings",
            )
        }
    finally:
        conn.close()


def test_sigkill_while_writing_leaves_whole_checks_and_the_same_versions(tmp_path):
    path = tmp_path / "killed.db"
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'tests'}",
        "OPENBLAS_NUM_THREADS": "1",
    }
    helper = subprocess.Popen(
        [sys.executable, "-c", "import test_crash; test_crash.zygote()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert helper.stdin and helper.stdout
    rng = random.Random(5)
    progress = []
    try:
        for _ in range(KILLS):
            helper.stdin.write(f"run {path}\n")
            helper.stdin.flush()
            pid = int(helper.stdout.readline())
            time.sleep(rng.uniform(0.005, 0.06))  # a random point of the worker's run
            os.kill(pid, signal.SIGKILL)  # a zombie if it already finished: harmless
            helper.stdin.write("reap\n")
            helper.stdin.flush()
            helper.stdout.readline()
            progress.append(assert_whole(path))
    finally:
        helper.stdin.close()
        helper.wait(timeout=10)
    assert progress == sorted(progress) and progress[-1] < CHECKS, progress  # really interrupted

    run_checks(path)  # restart, uninterrupted this time
    assert assert_whole(path) == CHECKS
    clean = tmp_path / "clean.db"
    run_checks(clean)
    killed, expected = dump(path), dump(clean)
    assert killed == expected
    # per cycle: the new text and its flap on the article, the copy on the other page
    assert len(expected["versions"]) == 3 * CHECKS // 8 and expected["near_duplicates"]
    assert expected["readings"], "the upgrade re-read no stored body"
