"""Scraped timestamps become ISO 8601 UTC; every Reason is known to the package."""

from __future__ import annotations

import time

import pytest

from crawler import discover
from crawler.discover import REASONS, Candidate, iso_utc
from crawler.discover.candidate import candidate


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-07-15", "2024-07-15T00:00:00Z"),
        ("2024-07", "2024-07-01T00:00:00Z"),
        ("2024", "2024-01-01T00:00:00Z"),
        ("2024-07-15T10:00Z", "2024-07-15T10:00:00Z"),
        ("2024-07-15T13:00:00+03:00", "2024-07-15T10:00:00Z"),
        ("2024-07-15T10:00:00.123456+00:00", "2024-07-15T10:00:00Z"),
        ("2024-07-15T10:00:00", "2024-07-15T10:00:00Z"),  # WordPress modified_gmt: naive UTC
        (time.struct_time((2024, 7, 15, 10, 0, 0, 0, 197, 0)), "2024-07-15T10:00:00Z"),
        ("yesterday", None),
        ("2024-13-40", None),
        ("", None),
        (None, None),
    ],
)
def test_iso_utc(value: str | time.struct_time | None, expected: str | None) -> None:
    assert iso_utc(value) == expected


def test_candidate_is_canonical_or_nothing() -> None:
    found = candidate("HTTPS://WWW.europarabct.com/x/?utm_source=y#c", "linked", "https://s/")
    assert found == Candidate("https://www.europarabct.com/x/", "linked", "https://s/")
    assert candidate("javascript:void(0)", "linked", "https://s/") is None


def test_public_surface_is_exported() -> None:
    assert all(hasattr(discover, name) for name in discover.__all__)
    assert len(REASONS) == 9 and "rest_api" in REASONS
