"""The commands that only read: `status`, `health`, `search`, `diff` and `export`.

Each opens the database read-only (`Context.read_db`): a mistyped `--db` is "no database at
PATH", never a new empty database, and an older schema says how to upgrade it instead of being
upgraded by a read.
"""

from __future__ import annotations

import io
import sys
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

import click

from crawler.urls import display_url
from schedules.commands.since import SINCE_HELP, since_option
from schedules.logs import escape_controls

if TYPE_CHECKING:
    from schedules.cli import Context


def _error(message: str) -> click.ClickException:
    from schedules.cli import MarsadError

    return MarsadError(message)


def shown(text: str) -> str:
    """As `schedules.cli.shown`: one line, control characters written out."""
    return escape_controls(text)


@click.command("export")
@click.option(
    "--what",
    type=click.Choice(["pages", "versions", "changes", "fetches"]),
    default="versions",
    show_default=True,
    help="Which rows.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "ndjson"]),
    default="csv",
    show_default=True,
    help="Output format.",
)
@click.option("--since", callback=since_option, metavar="WHEN", help=SINCE_HELP)
@click.option(
    "--page",
    "page",
    metavar="URL",
    help="Only this page's rows (by its watched, final, canonical or short URL).",
)
@click.option(
    "--excel",
    is_flag=True,
    help="CSV for spreadsheets: a UTF-8 BOM, and cells starting with = + - @ made text.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of stdout.",
)
@click.pass_obj
def export_command(
    obj: Context,
    what: str,
    fmt: str,
    since: str | None,
    page: str | None,
    excel: bool,
    output: Path | None,
) -> None:
    """Stream rows as CSV, JSON (an array) or NDJSON; Arabic is written as is."""
    from store import export as exporter

    if excel and fmt != "csv":
        raise _error(f"--excel applies to CSV only, not {fmt}; add --format csv or drop --excel")
    db = obj.read_db()
    if page and not exporter.page_exists(db, page):
        raise _error(f"{page} is not a watched page; `marsad status` lists them")
    if output:
        try:
            out = open(output, "w", encoding="utf-8", newline="")  # noqa: SIM115
        except OSError as error:
            raise _error(
                f"export: cannot write {output} ({error.strerror or error}); check "
                "that its folder exists and is writable"
            ) from error
        with out:
            count = exporter.write(db, what, fmt, out, since, page=page, spreadsheet=excel)
        click.echo(f"wrote {count} {what} row(s) to {output}", err=True)
    else:
        # UTF-8 whatever the locale, and no newline translation (CSV writes its own \r\n).
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
        try:
            exporter.write(db, what, fmt, stream, since, page=page, spreadsheet=excel)
        finally:
            stream.flush()
            stream.detach()


@click.command("search")
@click.argument("words", nargs=-1, required=True)
@click.option(
    "--limit",
    default=20,
    show_default=True,
    type=click.IntRange(1, 100),
    help="Versions to show, newest first.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of text.")
@click.pass_obj
def search_command(obj: Context, words: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Versions holding all WORDS, newest first, with the text around the first match.

    The same search as Datasette's `search` query: harakat, alef forms and the clitics written
    onto a word (و ف ب ك ل ال) are seen through; a word of three letters or more matches the
    words it begins.
    """
    import json

    from store import history

    db = obj.read_db()
    found = 0
    for item in history.search(db, " ".join(words), limit):
        found += 1
        if as_json:
            click.echo(json.dumps(item, ensure_ascii=False))
        else:
            click.echo(
                f"{shown(display_url(item['url']))}  version {item['version']}, {item['fetched_at']}\n"
                f"  {shown(item['title'] or '')}\n  {shown(item['excerpt'] or '')}"
            )
    if not found and not as_json:
        click.echo(f"no version holds all of: {' '.join(words)}")


@click.command("status")
@click.pass_obj
def status_command(obj: Context) -> None:
    """The daemon's heartbeat, then each watched page: last check, its result, next check,
    number of versions, and its host's back-off when there is any."""
    from datetime import datetime

    from schedules import health
    from schedules.commands.notify import describe_state
    from schedules.lock import holder_alive
    from store.delivery import channel_states
    from store.frontier import host_of
    from store.history import standings, troubled_hosts
    from store.processes import holder_gone
    from store.timestamps import iso

    db = obj.read_db()
    now = datetime.now(UTC)
    daemon = health.daemon_state(db)
    if (
        daemon
        and not health.problem(daemon, now)
        and holder_alive(obj.db_path, daemon.pid, daemon.hostname) is False
    ):
        # A backup or copy carries the heartbeat row of the daemon that ran on the original.
        click.echo(
            f"daemon: not running on this file (its heartbeat, from pid {daemon.pid} since "
            f"{daemon.started_at}, was copied with it: no daemon holds its lock)"
        )
    else:
        click.echo(health.describe(daemon, now))
    for state in channel_states(db).values():
        if state.failing:
            click.echo(f"notifications to {state.channel} failing: {describe_state(state)}")
    pages = standings(db)
    if not pages:
        click.echo("no pages yet: run `marsad check` or `marsad run`")
        return
    hosts = troubled_hosts(db)
    stamp = iso(now)
    for page in pages:
        checking = page.claimed_until and page.claimed_until > stamp
        upcoming = "now (checking)" if checking else page.next_check_at or "-"
        if checking and holder_gone(page.claimed_by):
            upcoming = "now (the check that held it was killed; the next check takes it)"
        click.echo(
            f"{shown(display_url(page.url))}\n  state {page.state}, {page.versions} version(s); last check"
            f" {page.last_checked or 'never'} ({page.last_outcome or '-'}); next check {upcoming}"
        )
        if page.why:
            click.echo(f"  why: {shown(page.why)}")
        host = host_of(page.final_url or page.url)
        if host in hosts:
            trouble = hosts[host]
            paused = trouble.paused_until
            pause = f", paused until {paused}" if paused and paused > stamp else ""
            error = trouble.last_error
            click.echo(
                f"  host {host}: {trouble.failures} failure(s){pause}"
                + (f"; last error: {shown(error)}" if error else "")
            )


@click.command("health")
@click.option(
    "--max-age",
    type=float,
    help="Seconds a heartbeat may be old [default: what the daemon wrote: twice its tick, at least 10 s].",
)
@click.pass_obj
def health_command(obj: Context, max_age: float | None) -> None:
    """Exit 0 if the daemon's heartbeat is fresh, 1 with a one-line reason if stale or missing.

    Meant for container health checks: `marsad health`.
    """
    from datetime import datetime

    from schedules import health as heartbeat

    if not obj.db_path.is_file():
        click.echo(f"unhealthy: no database at {obj.db_path}", err=True)
        sys.exit(1)
    state = heartbeat.daemon_state(obj.read_db())
    trouble = heartbeat.problem(state, datetime.now(UTC), max_age)
    if trouble or state is None:
        click.echo(f"unhealthy: {trouble}", err=True)
        sys.exit(1)
    click.echo(f"ok: heartbeat {state.age(datetime.now(UTC)):.0f} s ago (pid {state.pid})")


@click.command("diff")
@click.argument("url")
@click.option(
    "--from", "from_", type=int, help="Older version number (default: the one before --to)."
)
@click.option("--to", type=int, help="Newer version number (default: the latest).")
@click.pass_obj
def diff_command(obj: Context, url: str, from_: int | None, to: int | None) -> None:
    """The word-level diff of two versions of URL in the terminal."""
    from store.history import version_count, version_text
    from store.identity import find_page
    from store.textdiff import word_diff

    db = obj.read_db()
    page_id = find_page(db, url)
    if page_id is None:
        raise _error(f"{url} is not a watched page; `marsad status` lists them")
    count = version_count(db, page_id)
    to = to or count
    from_ = from_ if from_ is not None else to - 1
    texts = {}
    for number in (from_, to):
        text = "" if number == 0 else version_text(db, page_id, number)
        if text is None:
            raise _error(f"{url} has no version {number} (it has {count})")
        texts[number] = text
    click.echo(f"{shown(url)}: version {from_} → {to}")
    for op, diffed in word_diff(texts[from_], texts[to]):
        words = escape_controls(diffed, keep="\n")  # stored before controls were stripped
        if op == "equal":
            click.echo(words, nl=False)
        elif op == "insert":
            click.echo(click.style(f"{{+{words}+}}", fg="green"), nl=False)
        else:
            click.echo(click.style(f"[-{words}-]", fg="red"), nl=False)
        click.echo(" ", nl=False)
    click.echo()


READ_COMMANDS = (status_command, health_command, search_command, diff_command, export_command)
