"""One daemon per database: a second one is refused by name; a killed one's lock is recovered."""

import signal
import subprocess
import sys

import pytest
from click.testing import CliRunner

from schedules.cli import cli
from schedules.lock import AlreadyRunning, DaemonLock, read_holder
from tests.daemon_site import REPO


def test_second_lock_on_the_same_database_names_the_holder(tmp_path):
    db = tmp_path / "marsad.db"
    with DaemonLock(db) as first:
        with pytest.raises(AlreadyRunning) as refused:
            DaemonLock(db).acquire()
        message = str(refused.value)
        assert str(db) in message and f"since {first.started_at}" in message
        assert f"pid {read_holder(db)['pid']}" in message
    DaemonLock(db).acquire().release()  # released: free again
    assert read_holder(db) == {}


def test_run_refuses_with_one_line_and_exit_2_while_another_holds_the_database(tmp_path):
    db = tmp_path / "marsad.db"
    config = tmp_path / "watch.toml"
    config.write_text('[[targets]]\nurl = "http://127.0.0.1:9/a"\n', encoding="utf-8")
    with DaemonLock(db):
        result = CliRunner().invoke(
            cli, ["--db", str(db), "--config", str(config), "run", "--no-serve"]
        )
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"Error: marsad is already running on {db} (pid ")
    assert not db.exists(), "the refused daemon touched the database"


def test_lock_of_a_killed_process_is_recovered(tmp_path):
    db = tmp_path / "marsad.db"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time; from schedules.lock import DaemonLock; DaemonLock(sys.argv[1]).acquire();"
                " print('held', flush=True); time.sleep(60)"
            ),
            str(db),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(AlreadyRunning, match=f"pid {holder.pid}"):
            DaemonLock(db).acquire()
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
    finally:
        holder.kill()
    assert read_holder(db)["pid"] == holder.pid, "the killed holder's file is left as it was"
    lock = DaemonLock(db).acquire()
    try:
        assert read_holder(db)["pid"] != holder.pid
    finally:
        lock.release()


def test_a_symlink_to_the_database_meets_the_same_lock(tmp_path):
    db = tmp_path / "d.db"
    db.write_bytes(b"")
    alias = tmp_path / "alias.db"
    alias.symlink_to(db.name)
    (tmp_path / "sub").mkdir()
    with DaemonLock(db):
        for other in (alias, tmp_path / "sub" / ".." / "alias.db"):
            with pytest.raises(AlreadyRunning):
                DaemonLock(other).acquire()
    with DaemonLock(alias), pytest.raises(AlreadyRunning):  # and the other way round
        DaemonLock(db).acquire()
