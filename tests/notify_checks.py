"""Checks recorded without a network, for notification tests: a page's answers as texts, stored by
the real `record_check` on a real database, with rules as the watch list would sync them."""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from crawler.models import Block, Extracted, Fetched, Observation
from store.outbox import Route, sync_routes
from store.schema import connect
from store.versions import CheckOutcome, ensure_page, record_check

URL = "https://news.example/?p=7"
BASE = [
    "قال الأمين العام للحلف إن الاجتماع المقبل سيبحث التعاون الدفاعي.",
    "وأكد المتحدث أن الدول الأعضاء متفقة على الخطوط العريضة للخطة.",
    "ويعقد الاجتماع في العاصمة البلجيكية بحضور وزراء الدفاع.",
]


def at(i: int) -> str:
    return f"2026-01-01T00:{i // 60:02d}:{i % 60:02d}.000Z"


class Page:
    def __init__(self, path: Path, routes: list[Route]) -> None:
        self.db: sqlite_utils.Database = connect(path)
        sync_routes(self.db, routes)
        self.page_id = ensure_page(self.db, URL, now=at(0), target=URL)
        self.checks = 0

    def answer(self, paragraphs: list[str], title: str = "اجتماع الحلف") -> CheckOutcome:
        self.checks += 1
        body = f"<html><!-- {self.checks} --></html>"
        fetched = Fetched(url=URL, final_url=URL, outcome="ok", status=200, body=body)
        extracted = Extracted(title=title, blocks=tuple(Block("paragraph", p) for p in paragraphs))
        return record_check(
            self.db, self.page_id, Observation(fetched, extracted), now=at(self.checks)
        )

    def fail(self, status: int | None = None, now: str | None = None) -> CheckOutcome:
        self.checks += 1
        fetched = Fetched(
            url=URL,
            final_url=URL,
            outcome="error",
            status=status,
            error=f"HTTP {status}" if status else "timed out",
        )
        return record_check(
            self.db, self.page_id, Observation(fetched, None), now=now or at(self.checks)
        )

    def told(self, channel: str | None = None) -> list[tuple[str, str]]:
        rows = self.db.execute(
            "SELECT channel, kind FROM notifications WHERE ? IS NULL OR channel = ? ORDER BY id",
            [channel, channel],
        ).fetchall()
        return [(r[0], r[1]) for r in rows]
