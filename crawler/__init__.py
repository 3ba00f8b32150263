"""Fetching, extraction and discovery. Never imports `store`: results leave as frozen dataclasses."""

from crawler.models import Block, Extracted, Fetched, Hop, Link, Validators

__all__ = ["Block", "Extracted", "Fetched", "Hop", "Link", "Validators"]
# what `schedules` checks: this `crawler` is marsad's (docs/architecture.md)
DISTRIBUTION = "marsad"
