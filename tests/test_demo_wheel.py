"""The product stands without its tests (issue 17): `marsad demo` runs from a wheel installed in a
fresh virtualenv outside the checkout, replica, templates and seed text included.

Offline: the wheel is built with this environment's setuptools (no build isolation when it is
recent enough), and the fresh environment borrows this one's dependencies through a `.pth` line
naming its site-packages. Only the path is added, so that directory's own `.pth` files (among
them the editable install pointing at the checkout) are not run: `marsad` itself can only come
from the wheel, which the test checks.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import sysconfig
import time
import urllib.request
from importlib.metadata import version
from pathlib import Path

import pytest

from schedules.replica.data import SEED_FILE

REPO = Path(__file__).resolve().parents[1]
SHIPPED = ("pyproject.toml", "README.md", "crawler", "store", "schedules")


def test_the_packaged_seed_is_the_watch_lists_seed():
    assert SEED_FILE.read_bytes() == (REPO / "seeds" / SEED_FILE.name).read_bytes()


def build_wheel(tmp_path: Path) -> Path:
    source = tmp_path / "src"
    for name in SHIPPED:
        if (REPO / name).is_dir():
            shutil.copytree(
                REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            source.mkdir(exist_ok=True)
            shutil.copy(REPO / name, source / name)
    # pyproject's `license = "Apache-2.0"` needs setuptools 77; an older one here means the
    # build fetches its own from the configured index.
    recent = int(version("setuptools").split(".")[0]) >= 77
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
    command += ["--no-build-isolation"] if recent else []
    subprocess.run([*command, "-w", str(tmp_path / "dist"), str(source)], check=True, timeout=120)
    (wheel,) = (tmp_path / "dist").glob("marsad-*.whl")
    return wheel


def fresh_venv(tmp_path: Path, wheel: Path) -> Path:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(purelib, "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
        timeout=120,
    )
    return venv


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(what: str, test, seconds: float = 40.0):  # type: ignore[no-untyped-def]
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            result = test()
        except (OSError, sqlite3.Error):
            result = None
        if result:
            return result
        time.sleep(0.25)
    raise AssertionError(f"no {what} within {seconds:g} s")


@pytest.mark.slow
def test_marsad_demo_runs_from_a_wheel_outside_the_checkout(tmp_path):
    venv = fresh_venv(tmp_path, build_wheel(tmp_path))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import schedules.replica; print(schedules.__file__)"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert where.startswith(str(venv)), where

    db, port = tmp_path / "demo.db", free_port()
    demo = subprocess.Popen(
        [
            str(venv / "bin" / "marsad"),
            "--db",
            str(db),
            "demo",
            "--port",
            str(port),
            "--every",
            "1",
        ],
        cwd=tmp_path,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:

        def versions() -> int:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                return int(conn.execute("select count(*) from versions").fetchone()[0])

        wait_for("edit of the replica seen as a second version", lambda: versions() >= 2)

        def plugins() -> list[str]:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/plugins.json", timeout=5) as r:
                return [plugin["name"] for plugin in json.load(r)]

        assert any("marsad" in name for name in wait_for("Datasette answering", plugins))
        demo.send_signal(signal.SIGTERM)
        _, errors = demo.communicate(timeout=30)
        assert demo.returncode == 0, errors.decode(errors="replace")[-2000:]
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()
