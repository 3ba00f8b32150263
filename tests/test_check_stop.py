"""SIGTERM (cron's `timeout`, systemd, `docker stop`) stops `marsad check` as Ctrl-C does: what
was fetched is recorded and the rest of the round is given back, so the next check does not skip
those pages as busy for the length of their lease (21 minutes for a round of 20). After a
SIGKILL nothing can be given back; the next check sees the holder is gone and checks them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from tests.daemon_site import REPO, SiteServer, read, wait_for, write_config

PATHS = [f"/a{n}" for n in range(8)]
HUNG = "/a3"  # the round's fourth fetch never answers, so the stop finds it fetching


def marsad_check(db_path, config) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "schedules.cli", "--db", str(db_path), "--config", str(config),
         "check", "--no-notify"],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def stopped_while_fetching(tmp_path, server: SiteServer, signum: int):  # type: ignore[no-untyped-def]
    """`marsad check` of PATHS, sent `signum` while it waits on the hung page: the process, what
    it said, and its config."""
    for path in PATHS:
        server.site.put(path, f"نص المقال {path} في فقرة تكفي ليقرأها المستخرج كاملة.")
    server.site.hung.add(HUNG)
    config = write_config(tmp_path / "watch.toml", server.base_url, PATHS, timeout="60s")
    check = marsad_check(tmp_path / "marsad.db", config)
    try:
        wait_for(lambda: server.site.hits[HUNG], 30, "the check to wait on the hung page")
        check.send_signal(signum)
        _, err = check.communicate(timeout=30)
    finally:
        check.kill()
    return check, err, config


def test_sigterm_records_what_was_fetched_and_gives_the_rest_back(tmp_path):
    db_path = tmp_path / "marsad.db"
    with SiteServer() as server:
        check, err, _ = stopped_while_fetching(tmp_path, server, signal.SIGTERM)
    assert check.returncode == 130, err
    assert "check: stopped" in err and "Traceback" not in err
    # the three pages fetched before the stop are recorded, each once
    checked = read(db_path, "SELECT p.url FROM pages p JOIN fetches f ON f.page_id = p.id")
    assert sorted(url.removeprefix(server.base_url) for (url,) in checked) == PATHS[:3]
    # and no page is left claimed: the next check takes every one of them
    claimed = read(db_path, "SELECT url FROM pages WHERE claimed_until IS NOT NULL")
    assert claimed == []


def test_after_a_sigkill_the_next_check_checks_every_page(tmp_path):
    db_path = tmp_path / "marsad.db"
    with SiteServer() as server:
        _, _, config = stopped_while_fetching(tmp_path, server, signal.SIGKILL)
        claimed = read(db_path, "SELECT count(*) FROM pages WHERE claimed_until IS NOT NULL")
        assert claimed == [(len(PATHS),)]  # the round's claims, nothing could give them back
        status = subprocess.run(
            [sys.executable, "-m", "schedules.cli", "--db", str(db_path), "status"],
            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        assert status.count("the check that held it was killed") == len(PATHS), status
        server.site.hung.clear()
        again = marsad_check(db_path, config)
        _, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    assert f"checked {len(PATHS)} page(s): {len(PATHS)} new_version" in err
