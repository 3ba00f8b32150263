"""Whether the process a row names still runs: the holder of a page's claim, the sender of a
notification. A row outlives the process that wrote it when that process is killed (SIGKILL, the
OOM killer); what it held is then released at once instead of at its lease's end."""

from __future__ import annotations

import os
import socket

HOST = socket.gethostname()


def this_process() -> str:
    """This process as a claim's holder, `pid@host`: asked at every claim, since a forked child
    is another holder."""
    return f"{os.getpid()}@{HOST}"


def pid_alive(pid: int) -> bool:
    """Whether a process of this machine runs under `pid` (another user's counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def holder_gone(holder: str | None) -> bool:
    """Whether a claim's holder is known to have ended: a process of this machine, not this one,
    that no longer runs. A holder on another machine (another container) or unnamed (a claim
    made before schema 15) is not known to have ended, and keeps its claim for its lease. A
    reused pid reads as running: the claim then also lasts its lease, never less."""
    if not holder:
        return False
    pid, _, host = holder.partition("@")
    if host != HOST or not pid.isdigit() or int(pid) == os.getpid():
        return False
    return not pid_alive(int(pid))
