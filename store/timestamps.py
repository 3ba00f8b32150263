"""The one time module: the stored time format, ISO 8601 UTC with milliseconds and a `Z`, so text
order is time order in SQLite. The store and `schedules` both use it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_iso(text: str) -> datetime:
    """A stored timestamp (or any ISO 8601 with `Z` or an offset) as an aware UTC datetime."""
    moment = datetime.fromisoformat(text.strip())  # Python 3.11 reads a `Z` too
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def now_iso() -> str:
    return iso(datetime.now(UTC))


def iso_after(seconds: float, start: datetime | None = None) -> str:
    return iso((start or datetime.now(UTC)) + timedelta(seconds=seconds))
