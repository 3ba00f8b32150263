"""`marsad demo`: the whole product on one machine with no network.

A replica of the seed site runs on 127.0.0.1, the daemon watches it with a short interval, and an
editor thread changes the article every few seconds, so a newcomer sees versions and diffs appear.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from pathlib import Path

from schedules.config import load_config
from schedules.replica import ReplicaServer, ReplicaSite
from schedules.replica.data import SEED_FILE, SEED_ID

log = logging.getLogger("marsad.demo")
SEED = SEED_FILE.name
POST_ID = SEED_ID

EDITS = (
    "وفي تطور جديد، أعلن الحلف عن برنامج مشترك للأمن السيبراني مع شركائه في المنطقة.",
    "وأكد المسؤولون أن التعاون سيتوسع ليشمل تبادل المعلومات والتدريب المشترك.",
    "ويرى باحثون أن هذه الخطوة تعكس تحولاً في أولويات الحلف خلال السنوات المقبلة.",
)


def write_demo_config(directory: Path, base_url: str, every: float) -> Path:
    shutil.copy(SEED_FILE, directory / SEED)
    path = directory / "watch.toml"
    path.write_text(
        "[defaults]\n"
        f'every = "{every}s"\njitter = "0s"\nmin_delay = "0s"\n\n'
        "[[targets]]\n"
        f'url = "{base_url}/?p={POST_ID}"\nseed = "{SEED}"\n'
        "[targets.discovery]\nenabled = false\n",
        encoding="utf-8",
    )
    return path


def edit_forever(site: ReplicaSite, every: float, stop: threading.Event) -> None:
    """Alternate real edits with noise (a new comment) so both kinds of check show up."""
    round_ = 0
    while not stop.wait(every):
        round_ += 1
        if round_ % 3 == 0:
            site.add_comment(POST_ID, "قارئ", f"تعليق رقم {round_}")
            log.info("demo: added a comment (noise: no new version expected)")
        else:
            paragraphs = site.seed_paragraphs()
            index = 1 + round_ % (len(paragraphs) - 1)
            site.edit_paragraph(POST_ID, index, paragraphs[index] + " " + EDITS[round_ % len(EDITS)])
            log.info("demo: edited paragraph %d of the article", index)


def run_demo(db_path: Path, *, port: int = 8001, every: float = 5.0) -> None:
    from schedules.daemon import run_daemon
    from store.schema import connect

    with ReplicaServer() as server, tempfile.TemporaryDirectory() as scratch:
        config_path = write_demo_config(Path(scratch), server.base_url, every)
        config = load_config(config_path)
        log.info("demo: replica of the seed site at %s", server.base_url)
        stop = threading.Event()
        editor = threading.Thread(target=edit_forever, args=(server.site, every * 2, stop), daemon=True)
        editor.start()
        try:
            run_daemon(connect(db_path), db_path, config, config_path, serve=True, port=port)
        finally:
            stop.set()
