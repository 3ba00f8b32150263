"""One daemon per database: an exclusive `flock` on `<db>.lock`, which names its holder.

The lock belongs to the database file, not to the path it was named by: `<db>` is the path with
every symlink resolved, so `alias.db -> d.db` and `./x/../d.db` take the one lock of `d.db`.
(A hard link is a second name for the same inode that realpath cannot see; do not make one.)

The kernel drops a `flock` when its holder dies, however it dies (SIGKILL, OOM killer, power
loss of a container), so a lock left by a killed daemon is recovered simply by taking it again;
the pid and start time written in the file are only there to tell people who holds it.
`flock` works between processes and containers that share the file on a local filesystem; it
is not reliable on network filesystems (NFS), where the database should not live anyway.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from store.processes import pid_alive


class AlreadyRunning(Exception):
    """Another daemon holds the database; the message names it."""

    def __init__(self, db_path: Path, holder: dict[str, object]) -> None:
        self.holder = holder
        pid = holder.get("pid", "?")
        since = holder.get("started_at", "an unknown time")
        where = f" on {holder['hostname']}" if holder.get("hostname") else ""
        super().__init__(
            f"marsad is already running on {db_path} (pid {pid}{where}, since {since});"
            " stop it first or use another --db"
        )


def lock_path(db_path: str | Path) -> Path:
    """`<db>.lock` beside the file the path *resolves* to: through a symlink (`ln -s d.db
    alias.db`) or a `..` detour a second daemon must meet the same lock, not its own."""
    db_path = Path(os.path.realpath(db_path))
    return db_path.with_name(db_path.name + ".lock")


def read_holder(db_path: str | Path) -> dict[str, object]:
    """What the lock file says about its last holder (who may be dead); {} when unreadable."""
    try:
        value = json.loads(lock_path(db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def holder_alive(db_path: str | Path, pid: int, hostname: str | None) -> bool | None:
    """Whether the daemon a heartbeat names (`state.pid`, `state.hostname`) is the one holding
    this database's lock and still alive: False for a copy of a database (its heartbeat row came
    along, its lock did not) or a daemon since gone; None when it cannot be told from here (the
    daemon runs on another host). Reads the lock file only: never takes the lock, so a daemon
    starting at this moment is not refused."""
    holder = read_holder(db_path)
    if hostname and hostname != socket.gethostname():
        return None
    if holder.get("pid") != pid:
        return False
    return pid_alive(pid)


class DaemonLock:
    """Held for the daemon's whole life: `with DaemonLock(db_path): ...` or `acquire()`/`release()`."""

    def __init__(self, db_path: str | Path) -> None:
        self.db_path = Path(db_path)
        self.path = lock_path(db_path)
        self._fd: int | None = None
        self.started_at: str | None = None

    def acquire(self) -> DaemonLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise AlreadyRunning(self.db_path, read_holder(self.db_path)) from None
        except BaseException:
            os.close(fd)
            raise
        self.started_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        holder = {
            "pid": os.getpid(),
            "hostname": socket.gethostname(),
            "started_at": self.started_at,
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(holder) + "\n").encode("utf-8"), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)  # a released lock names nobody
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
