"""Timestamps as stored: ISO 8601 UTC with milliseconds, so text order is time order in SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from store.timestamps import iso, parse_iso

__all__ = ["iso", "iso_after", "now_iso", "parse_iso"]


def now_iso() -> str:
    return iso(datetime.now(UTC))


def iso_after(seconds: float, start: datetime | None = None) -> str:
    return iso((start or datetime.now(UTC)) + timedelta(seconds=seconds))

