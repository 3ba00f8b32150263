"""`marsad reextract [--page URL] [--json]`: which stored versions today's extractor reads otherwise.

Each version's stored body is read again with today's reader (from the site's calibrated
container if it has one) and compared with the content the version was stored with (on Arabic
match keys, as checks are compared, without any target's ignore rules). One line per version
that would differ, then a summary line. Nothing is written: history stays as it is; the checks
after an upgrade re-read what they compare with by themselves.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from schedules.cli import Context


@click.command("reextract")
@click.option(
    "--page",
    "page",
    metavar="URL",
    help="Only this page's versions (by its watched, final, canonical or short URL).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One JSON object per line: each version that differs, then the summary.",
)
@click.pass_obj
def reextract_command(obj: Context, page: str | None, as_json: bool) -> None:
    """Re-read stored bodies with today's extractor; report the versions that would differ.

    A site calibrated to a container is read from it, as its checks read it. One line per
    version whose body today's extractor reads otherwise (the fields and words that
    would differ), then a summary. Nothing is written: each version keeps the text its own
    extractor gave it. Versions stored before schema 10 have no body and are only counted.
    """
    from schedules.cli import MarsadError
    from schedules.jobs import SiteReaders, current_reader
    from store import export
    from store.readings import reextract

    db = obj.read_db()
    if page and not export.page_exists(db, page):
        raise MarsadError(f"{page} is not a watched page; `marsad status` lists them")
    reader = current_reader()
    readers = SiteReaders(db)  # a calibrated site is read from its container, as checks read it
    counts = {"versions": 0, "differ": 0, "same": 0, "without_body": 0}
    pages: set[int] = set()
    for seen in reextract(db, readers, page):
        counts["versions"] += 1
        if seen is None:
            counts["without_body"] += 1
            continue
        pages.add(seen.page_id)
        if not seen.differs:
            counts["same"] += 1
            continue
        counts["differ"] += 1
        if as_json:
            click.echo(json.dumps(seen.to_json(), ensure_ascii=False))
        else:
            click.echo(
                f"{seen.url} version {seen.version} (read by {seen.read_by or 'unknown'}):"
                f" {', '.join(seen.changed)} would differ; {seen.summary}"
            )
    read = counts["versions"] - counts["without_body"]
    if as_json:
        click.echo(json.dumps({"reader": reader.name, **counts, "versions": read,
                               "pages": len(pages), "calibrated_sites": readers.calibrated},
                              ensure_ascii=False))  # fmt: skip
        return
    without = (
        f", {counts['without_body']} without a stored body (stored before schema 10)"
        if counts["without_body"]
        else ""
    )
    calibrated = (
        f" (from their calibrated container on {', '.join(readers.calibrated)})"
        if readers.calibrated
        else ""
    )
    click.echo(
        f"re-read {read} version(s) of {len(pages)} page(s) with extractor {reader.name}"
        f"{calibrated}:"
        f" {counts['differ']} would differ, {counts['same']} the same{without}"
    )
