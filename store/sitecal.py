"""WordPress calibration kept in SQLite: the container a site's posts were found in when the
extraction disagreed with the post's own text (`site_containers`), and how far each calibrated
check agreed (`fetches.agreement`). The comparison itself is `crawler.calibrate`; the request
for the post's text is `schedules.calibration`.
"""

from __future__ import annotations

import sqlite_utils

from store.schema import transaction

CALIBRATIONS_PER_DAY = 3  # REST reads a site gets for calibration, at most, per day


def container_of(db: sqlite_utils.Database, site: str | None) -> str | None:
    """The container signature the site's posts are read from, when calibration found one."""
    if not site:
        return None
    row = db.execute("SELECT container FROM site_containers WHERE site = ?", [site]).fetchone()
    return row[0] if row else None


def not_due_before(db: sqlite_utils.Database, site: str, now: str, day_ago: str) -> str | None:
    """None when a check of a post on `site` should also read the post's own text (a few times
    a day per site, so calibration costs the site almost nothing); else the earliest time it
    can be due again (the oldest of the day's calibrations leaves the window then), so a caller
    need not ask again before it: the count only grows until then, whoever calibrates."""
    done, oldest = db.execute(
        "SELECT count(*), min(f.fetched_at) FROM fetches f JOIN pages p ON p.id = f.page_id"
        " WHERE f.agreement IS NOT NULL AND f.fetched_at >= ? AND f.fetched_at <= ?"
        " AND (p.final_url LIKE ? OR p.final_url LIKE ?)",
        [day_ago, now, f"http://{site}/%", f"https://{site}/%"],
    ).fetchone()
    return None if int(done) < CALIBRATIONS_PER_DAY else str(oldest)


def note_agreement(db: sqlite_utils.Database, page_id: int, value: float) -> None:
    """The agreement of the check just recorded on `page_id` (its latest fetch row: the page is
    claimed by that check until it is done)."""
    with transaction(db):
        db.execute(
            "UPDATE fetches SET agreement = ? WHERE id = (SELECT max(id) FROM fetches"
            " WHERE page_id = ?)",
            [round(value, 3), page_id],
        )


def remember(
    db: sqlite_utils.Database,
    site: str,
    container: str,
    *,
    before: float,
    after: float,
    post_url: str,
    now: str,
) -> None:
    """The container found holding a post whose extraction disagreed with its own text."""
    with transaction(db):
        db.execute(
            "INSERT INTO site_containers (site, container, agreement_before, agreement_after,"
            " post_url, learned_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (site) DO UPDATE SET"
            " container = excluded.container, agreement_before = excluded.agreement_before,"
            " agreement_after = excluded.agreement_after, post_url = excluded.post_url,"
            " learned_at = excluded.learned_at",
            [site, container, round(before, 3), round(after, 3), post_url, now],
        )
