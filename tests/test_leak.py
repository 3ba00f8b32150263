"""Memory per check: a thousand fast checks of a live site (some pages edited each round) grow
the process by less than a leak of 50 KB per check would, and a planted leak of that size is
caught, so the test shows it can fail. RSS is read from /proc after a warm-up, as the daemon's
memory would be watched."""

from __future__ import annotations

import concurrent.futures
import logging
import multiprocessing
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.fetch import Fetcher
from schedules.cli import cli
from tests.daemon_site import SiteServer, write_config

PAGES = 25
WARM_ROUNDS = 6
ROUNDS = 40
LEAK = 50 * 1024  # bytes per check the test must catch
LIMIT = LEAK // 2  # growth per check allowed; a real leak of LEAK bytes is far above it


def rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def growth_per_check(tmp_path, leak: int) -> float:
    kept: list[bytes] = []
    fetch = Fetcher.fetch

    def leaking(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kept.append(os.urandom(leak))  # what a cache that is never emptied does
        return fetch(self, *args, **kwargs)

    runner = CliRunner()
    tmp_path.mkdir(parents=True, exist_ok=True)
    with SiteServer() as server, pytest.MonkeyPatch.context() as patch:
        if leak:
            patch.setattr(Fetcher, "fetch", leaking)
        paths = [f"/a{n}" for n in range(PAGES)]
        for path in paths:
            server.site.put(path, f"النص الأول للمقال {path} عن الأمن الأوروبي والتعاون")
        config = write_config(tmp_path / "watch.toml", server.base_url, paths)
        args = ["--db", str(tmp_path / "m.db"), "--config", str(config), "check"]
        start = 0
        for round_ in range(WARM_ROUNDS + ROUNDS):
            if round_ == WARM_ROUNDS:
                start = rss()
            for path in paths[round_ % 5 :: 5]:  # a fifth of the pages change each round
                server.site.put(path, f"نسخة {round_} من {path}: الأمن والتعاون والسياسة")
            result = runner.invoke(cli, args, catch_exceptions=False)
            assert result.exit_code == 0, result.output
        return (rss() - start) / (ROUNDS * PAGES)


def _measure(path: str, leak: int) -> float:
    logging.disable(logging.CRITICAL)
    return growth_per_check(Path(path), leak)


def in_fresh_process(path: Path, leak: int) -> float:
    """Measured in a new process: in the test runner, memory freed by earlier tests would take
    the growth without raising RSS (a planted leak read as 0 KB per check there)."""
    spawn = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=spawn) as pool:
        return pool.submit(_measure, str(path), leak).result(timeout=240)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_a_thousand_checks_do_not_grow_memory_and_a_planted_leak_is_caught(tmp_path):
    quiet = in_fresh_process(tmp_path / "quiet", 0)
    print(f"growth {quiet / 1024:.2f} KB per check")
    assert quiet < LIMIT, f"{quiet / 1024:.1f} KB per check"
    leaking = in_fresh_process(tmp_path / "leaking", LEAK)
    assert leaking > LIMIT, f"a {LEAK // 1024} KB leak showed as {leaking / 1024:.1f} KB per check"
