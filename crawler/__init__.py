"""Fetching, extraction and discovery. Never imports `store`: results leave as frozen dataclasses."""

from crawler.models import Block, Extracted, Fetched, Hop, Link, Validators

__all__ = ["Block", "Extracted", "Fetched", "Hop", "Link", "Validators"]
