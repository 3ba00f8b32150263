"""Soak: the daemon against a live site that is edited, grown and shrunk at random, stopped
with SIGTERM, killed with SIGKILL and restarted. At the end the versions are exactly the edits
made, the database is intact, and memory after warm-up has not grown.

The normal suite runs a short version (about 20 s). `MARSAD_SOAK=1` runs the long one
(3 minutes, or `MARSAD_SOAK_SECONDS`).
"""

import os
import random
import signal
import time

import pytest

from tests.daemon_site import DaemonProcess, SiteServer, read, wait_for, write_config

LONG = os.environ.get("MARSAD_SOAK") == "1"
SECONDS = float(os.environ.get("MARSAD_SOAK_SECONDS", "180" if LONG else "20"))
MAX_GROWTH_KB = 20 * 1024
WORDS = ("الحلف", "الأمن", "التعاون", "المنطقة", "التقرير", "الخبراء", "السياسة", "الدفاع")


def versions(db_path, url):
    return [
        r[0]
        for r in read(
            db_path,
            "SELECT v.text FROM version_texts v JOIN pages p ON p.id = v.page_id"
            " WHERE p.url = ? ORDER BY v.version",
            [url],
        )
    ]


@pytest.mark.slow
@pytest.mark.timeout(SECONDS + 120)
def test_soak(tmp_path):
    rng = random.Random(int(os.environ.get("MARSAD_SOAK_SEED", "8")))
    db_path, config = tmp_path / "m.db", tmp_path / "watch.toml"
    counter = 0

    def new_text(path):
        nonlocal counter
        counter += 1
        return f"نسخة {counter} من {path}: " + " ".join(rng.sample(WORDS, 4))

    with SiteServer() as server:
        site = server.site
        expected: dict[str, list[str]] = {}  # path -> every text served, in order
        active: list[str] = []
        removed: list[str] = []
        runs = 0

        def url(path):
            return server.base_url + path

        def add(path):
            text = new_text(path)
            site.put(path, text)
            expected[path] = [text]
            active.append(path)

        def edit(path):
            text = new_text(path)
            site.put(path, text)
            expected[path].append(text)

        def observed(path, timeout=10.0):
            wait_for(
                lambda: versions(db_path, url(path)) == expected[path],
                timeout,
                f"{path} to show {len(expected[path])} version(s)",
            )

        def reload():
            reloads = daemon.log_path.read_text().count("reloaded")
            write_config(config, server.base_url, active, every="1s", daemon={"catch_up": "1s"})
            daemon.signal(signal.SIGHUP)
            wait_for(
                lambda: daemon.log_path.read_text().count("reloaded") > reloads, 10, "the reload"
            )

        def start():
            nonlocal runs
            runs += 1
            started = DaemonProcess(db_path, config, tmp_path / f"run{runs}.log").start()
            wait_for(lambda: "watching" in started.log_path.read_text(), 15, "the daemon to start")
            return started

        for index in range(5):
            add(f"/post-{index}")
        write_config(config, server.base_url, active, every="1s", daemon={"catch_up": "1s"})
        daemon = start()
        began = time.monotonic()
        phase = "term"
        baseline_kb = peak_kb = 0
        try:
            for path in active:
                observed(path)
            while (elapsed := time.monotonic() - began) < SECONDS:
                if (
                    phase == "term"
                    and elapsed > SECONDS * 0.25
                    or phase == "kill"
                    and elapsed > SECONDS * 0.5
                ):
                    if phase == "term":
                        assert daemon.stop() == 0
                    else:
                        daemon.signal(signal.SIGKILL)
                        daemon.proc.wait(10)
                    down = rng.choice(active)
                    edit(down)  # an edit while the daemon is down is seen after the restart
                    daemon = start()
                    observed(down)
                    phase = "kill" if phase == "term" else "steady"
                    steady_began = time.monotonic()
                    continue
                op = rng.choices(["edit", "add", "remove"], weights=[6, 2, 2])[0]
                if op == "add" and len(active) < 10:
                    add(f"/post-{counter + 100}")
                    reload()
                    observed(active[-1])
                elif op == "remove" and len(active) > 3:
                    gone = active.pop(rng.randrange(len(active)))
                    reload()
                    time.sleep(0.2)  # a check of it already in flight may finish
                    site.remove(gone)  # any later fetch would get a 404 and show as an error
                    removed.append(gone)
                else:
                    path = rng.choice(active)
                    edit(path)
                    observed(path)
                if phase == "steady":
                    since = time.monotonic() - steady_began
                    if not baseline_kb and since > (SECONDS * 0.5) * 0.25:  # after warm-up
                        baseline_kb = daemon.rss_kb()
                    elif baseline_kb:
                        peak_kb = max(peak_kb, daemon.rss_kb())
            assert daemon.stop() == 0
        finally:
            daemon.kill()

    for path, texts in expected.items():
        assert versions(db_path, url(path)) == texts, f"{path}: versions differ from the edits made"
    assert read(db_path, "PRAGMA integrity_check") == [("ok",)]
    assert read(db_path, "SELECT count(*) FROM fetches WHERE status = 404") == [(0,)], (
        "a removed target was still checked"
    )
    assert baseline_kb and peak_kb, "the steady phase was too short to measure memory"
    assert peak_kb - baseline_kb < MAX_GROWTH_KB, f"resident memory grew {peak_kb - baseline_kb} kB"
    logs = [
        DaemonProcess(db_path, config, tmp_path / f"run{i}.log").log_entries()
        for i in range(1, runs + 1)
    ]
    errors = [
        e for entries in logs for e in entries if e.get("level") in ("error", "critical", "raw")
    ]
    assert errors == []
    print(
        f"soak: {SECONDS:.0f} s, {counter} texts on {len(expected)} pages, {len(removed)} removed,"
        f" {runs} runs, RSS {baseline_kb} -> {peak_kb} kB"
    )
