"""`marsad extract [FILE|-] [--url URL] [--json]`: the article of a saved page, like `trafilatura`.

Plain main text by default (blocks separated by blank lines); `--json` prints the whole
`Extracted` result. An unreadable file is exit code 2 with one line; a page without an article
prints nothing on stdout, says why on stderr, and exits 1, so scripts can tell the cases apart.
"""

from __future__ import annotations

import dataclasses
import json
import sys

import click

from crawler.extract import extract
from crawler.guard import parse_risk


def _as_json(result: object) -> str:
    data = dataclasses.asdict(result)  # type: ignore[call-overload]
    data["text"] = result.text  # type: ignore[attr-defined]
    data["empty"] = result.empty  # type: ignore[attr-defined]
    return json.dumps(data, ensure_ascii=False, indent=2)


@click.command("extract")
@click.argument("source", default="-", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("--url", default=None, help="The page's address, to resolve relative links.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole result as JSON.")
def extract_command(source: str, url: str | None, as_json: bool) -> None:
    """Print the main text of a saved HTML page (FILE, or - for stdin)."""
    try:
        with click.open_file(source, "rb") as handle:  # "-" is stdin
            raw = handle.read()
    except OSError as error:
        click.echo(
            f"marsad extract: cannot read {source}: {error.strerror or error}; "
            "give a saved HTML file or - for stdin",
            err=True,
        )
        sys.exit(2)
    # The guard a check puts before its parse: a saved page may come from anywhere.
    if risk := parse_risk(raw):
        click.echo(f"marsad extract: {source} not read: {risk}", err=True)
        sys.exit(1)
    # Saved pages are UTF-8 almost always; a wrong guess costs replacement characters, not a crash.
    html = raw.decode("utf-8", errors="replace")
    result = extract(html, url=url)
    if as_json:
        click.echo(_as_json(result))
        return
    if result.empty:
        click.echo(f"marsad extract: no article in {source}: {result.reason}", err=True)
        sys.exit(1)
    click.echo(result.text)
