"""The daemon runs discovery on its own: related pages of the replica are found and checked."""

import shutil
from pathlib import Path

from tests.daemon_site import DaemonProcess, read, wait_for

REPO = Path(__file__).resolve().parents[1]
SEED = "000_3b1ee1feec353f5c.txt"


def test_daemon_discovers_and_checks_related_pages(tmp_path, replica):
    shutil.copy(REPO / "seeds" / SEED, tmp_path / SEED)
    config = tmp_path / "watch.toml"
    config.write_text(
        '[defaults]\nevery = "1h"\njitter = "0s"\nmin_delay = "0s"\nmin_interval = "1m"\n\n'
        f'[[targets]]\nurl = "{replica.base_url}/?p=95655"\nseed = "{SEED}"\n'
        "[targets.discovery]\nenabled = true\ndepth = 1\nmax_pages = 8\n",
        encoding="utf-8",
    )
    db_path = tmp_path / "m.db"
    daemon = DaemonProcess(db_path, config, tmp_path / "run.log").start()

    def discovered_with_versions():
        return read(
            db_path, "SELECT count(*) FROM pages WHERE reason != 'target' AND versions > 0"
        )[0][0]

    try:
        wait_for(lambda: discovered_with_versions() >= 5, 30, "discovered pages to be checked")
        assert daemon.stop() == 0
    finally:
        daemon.kill()
    hosts = {row[0] for row in read(db_path, "SELECT url FROM fetches WHERE url IS NOT NULL")}
    assert all(url.startswith(replica.base_url) for url in hosts), "a fetch left the site"
    [[pages]] = read(db_path, "SELECT count(*) FROM pages WHERE reason != 'target'")
    assert pages <= 8, "max_pages was not respected"
    [[target_versions]] = read(db_path, "SELECT versions FROM pages WHERE reason = 'target'")
    assert target_versions == 1
