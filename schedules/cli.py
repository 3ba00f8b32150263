"""The `marsad` command line. Errors people can act on: one line and exit code 2, no traceback."""

from __future__ import annotations

import errno
import io
import shutil
import socket
import sqlite3
import sys
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

import click

from crawler.safety import redact_credentials
from crawler.urls import display_url
from schedules.commands.since import SINCE_HELP, Since
from schedules.config import Config, ConfigError, load_config, target_url_problem, with_targets
from schedules.logs import escape_controls
from store.schema import DatabaseError, connect, connect_readonly, database_problem

if TYPE_CHECKING:
    import sqlite_utils

    from store.versions import CheckOutcome

DEFAULT_DB = "data/marsad.db"
DEFAULT_CONFIG = "seeds/watch.toml"


def shown(text: str) -> str:
    """Scraped text (a URL, a title, an error body) as printed on a terminal: one line, its
    control characters written out, so a page cannot retitle or clear the terminal."""
    return escape_controls(text)


class MarsadError(click.ClickException):
    """A one-line error for people; exit code 2 like a usage error, never a traceback."""

    exit_code = 2


@dataclass
class Context:
    db_path: Path
    config_path: Path
    debug: bool

    def config(self) -> Config:
        try:
            return load_config(self.config_path)
        except ConfigError as error:
            raise MarsadError(str(error)) from error

    def db(self) -> sqlite_utils.Database:
        """The database for a command that writes: created and migrated if needed."""
        try:
            return connect(self.db_path)
        except DatabaseError as error:
            raise MarsadError(str(error)) from error

    def read_db(self) -> sqlite_utils.Database:
        """The database for a command that only reads: never created, migrated or written; a
        missing file or an older schema is one line saying what to do."""
        try:
            return connect_readonly(self.db_path)
        except DatabaseError as error:
            raise MarsadError(str(error)) from error

def setup_logging(debug: bool = False, fmt: str = "text", quiet: bool = False) -> None:
    from schedules.logs import setup_logging as configure

    configure(fmt, debug, quiet=quiet)


class CheckProgress:
    """One line on the terminal, rewritten after each check: how many, what they found, which
    page. A pass with discovery has no known length in advance, so it counts rather than fills."""

    def __init__(self, targets: int) -> None:
        self.targets = targets
        self.counts: dict[str, int] = {}

    def update(self, outcome: CheckOutcome) -> None:
        self.counts[outcome.outcome] = self.counts.get(outcome.outcome, 0) + 1
        done = sum(self.counts.values())
        found = ", ".join(f"{n} {k}" for k, n in sorted(self.counts.items()))
        url = shown(display_url(outcome.url))  # an Arabic slug reads as Arabic, not as %D8%A7…
        line = f"checked {done} page(s) of {self.targets} target(s): {found} — {url}"
        width = shutil.get_terminal_size((100, 20)).columns - 1
        click.echo("\r" + line[:width].ljust(width), nl=False, err=True)

    def close(self) -> None:
        if self.counts:
            click.echo(err=True)


class MarsadGroup(click.Group):
    """Turns a database failure in any command (locked, read-only, disk full, damaged) into
    one line and exit code 2; `--debug` keeps the traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (sqlite3.Error, DatabaseError, OSError) as error:
            obj = ctx.obj
            if not isinstance(obj, Context) or obj.debug:
                raise
            if isinstance(error, DatabaseError):
                raise MarsadError(str(error)) from error
            if isinstance(error, OSError) and error.errno not in _DISK_ERRNOS:
                raise
            raise MarsadError(database_problem(obj.db_path, error)) from error


_DISK_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EDQUOT}


@click.group(cls=MarsadGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_path", envvar="MARSAD_DB", default=DEFAULT_DB, show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="SQLite database file.")
@click.option("--config", "config_path", envvar="MARSAD_CONFIG", default=DEFAULT_CONFIG,
              show_default=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Watch list (TOML).")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.version_option(package_name="marsad")
@click.pass_context
def cli(ctx: click.Context, db_path: Path, config_path: Path, debug: bool) -> None:
    """marsad — watch Arabic web articles, keep their versions, browse them in Datasette."""
    ctx.obj = Context(db_path=db_path, config_path=config_path, debug=debug)


@cli.command()
@click.argument("urls", nargs=-1)
@click.option("--no-notify", is_flag=True,
              help="Leave the notifications the checks cause queued (the daemon sends them).")
@click.pass_obj
def check(obj: Context, urls: tuple[str, ...], no_notify: bool) -> None:
    """One pass over every target of the config (or only URLS), then exit.

    Each target with discovery on also has its related pages discovered and the due ones
    checked. The notifications the checks cause are sent before it exits, unless
    --no-notify. Exit 0 when the pass ran, even if some fetches or messages failed (they are
    recorded in `fetches` and `notifications`); exit 1 when every check failed (all `error`),
    so cron and CI notice; exit 2 on a bad URL, config or database, with nothing written.
    """
    from datetime import datetime

    from schedules.commands.notify import deliver_after_check
    from schedules.discovery import check_pass
    from schedules.jobs import make_fetcher, prepare
    from store.frontier import save_host_states
    from store.outbox import sync_routes

    # On a terminal a live progress line replaces the per-check log lines (warnings still show);
    # elsewhere (cron, CI, a pipe) every check is a plain log line.
    live = sys.stderr.isatty() and not obj.debug
    setup_logging(obj.debug, quiet=live)
    config = obj.config()
    for url in urls:
        if problem := target_url_problem(url):
            raise MarsadError(f"check: {shown(redact_credentials(url))} {problem}")
    if urls:
        config = with_targets(config, list(urls))
    db = obj.db()
    pages = prepare(db, config)
    sync_routes(db, config.notify.routes())
    fetcher = make_fetcher(config)
    progress = CheckProgress(len(pages)) if live else None
    try:
        outcomes = check_pass(db, fetcher, config, pages,
                              on_check=progress.update if progress else None)
        # Hosts that failed or were paused show in `marsad status`, as after a daemon's checks.
        save_host_states(db, fetcher.host_states().values(), datetime.now(UTC))
    finally:
        fetcher.close()
        if progress:
            progress.close()
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.outcome] = counts.get(outcome.outcome, 0) + 1
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "nothing to check"
    click.echo(f"checked {len(outcomes)} page(s): {summary}", err=True)
    if not no_notify and (said := deliver_after_check(obj.db_path, config)):
        click.echo(said, err=True)
    if outcomes and all(outcome.outcome == "error" for outcome in outcomes):
        sys.exit(1)


@cli.command()
@click.option("--serve/--no-serve", default=True, show_default=True, help="Also serve Datasette.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Datasette host.")
@click.option("--port", default=8001, show_default=True, type=int, help="Datasette port.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              envvar="MARSAD_LOG_FORMAT", help="Readable lines, or one JSON object per line.")
@click.pass_obj
def run(obj: Context, serve: bool, host: str, port: int, log_format: str) -> None:
    """The daemon: checks every target on its schedule (and serves Datasette).

    One daemon per database. SIGHUP re-reads the config; SIGTERM or Ctrl-C lets checks in
    flight finish (within the config's `stop_timeout`) and exits 0.
    """
    from schedules.daemon import run_daemon
    from schedules.lock import AlreadyRunning, DaemonLock

    setup_logging(obj.debug, log_format)
    config = obj.config()
    if not config.targets:
        raise MarsadError(f"config {obj.config_path}: no [[targets]] to watch; add one")
    try:
        lock = DaemonLock(obj.db_path).acquire()  # before migrating: a running daemon owns the file
    except AlreadyRunning as error:
        raise MarsadError(str(error)) from error
    except OSError as error:
        raise MarsadError(f"lock {obj.db_path}.lock: {error}; check the directory") from error
    try:
        db = obj.db()
        run_daemon(db, obj.db_path, config, obj.config_path, serve=serve, host=host, port=port,
                   lock=lock)
    finally:
        lock.release()


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Host to bind.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to bind.")
@click.pass_obj
def serve(obj: Context, host: str, port: int) -> None:
    """Datasette alone on the database. Exit 2 with one line when the port cannot be bound."""
    from store import web

    if problem := _listen_problem(host, port):
        raise MarsadError(f"serve: cannot listen on {host}:{port} ({problem}); choose another --port"
                          " or stop what uses it")
    obj.db().conn.close()  # creates and migrates the database if needed
    click.echo(f"Datasette on http://{host}:{port}/ (Ctrl-C stops it)", err=True)
    web.serve(obj.db_path, host, port)


def _listen_problem(host: str, port: int) -> str | None:
    """Why `host:port` cannot be listened on (in use, no such address), found by binding it
    before anything is printed; None when it can. Closed at once for Datasette to bind."""
    try:
        with socket.create_server((host, port)):
            return None
    except OSError as error:  # socket.gaierror too: an unknown host name
        return error.strerror or str(error)


@cli.command()
@click.option("--what", type=click.Choice(["pages", "versions", "changes", "fetches"]),
              default="versions", show_default=True, help="Which rows.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "ndjson"]), default="csv",
              show_default=True, help="Output format.")
@click.option("--since", type=Since(), metavar="WHEN", help=SINCE_HELP)
@click.option("--page", "page", metavar="URL",
              help="Only this page's rows (by its watched, final, canonical or short URL).")
@click.option("--excel", is_flag=True,
              help="CSV for spreadsheets: a UTF-8 BOM, and cells starting with = + - @ made text.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of stdout.")
@click.pass_obj
def export(obj: Context, what: str, fmt: str, since: str | None, page: str | None, excel: bool,
           output: Path | None) -> None:
    """Stream rows as CSV, JSON (an array) or NDJSON; Arabic is written as is."""
    from store import export as exporter

    if excel and fmt != "csv":
        raise MarsadError(f"--excel applies to CSV only, not {fmt}; add --format csv or drop --excel")
    db = obj.read_db()
    if page and not exporter.page_exists(db, page):
        raise MarsadError(f"{page} is not a watched page; `marsad status` lists them")
    options = {"page": page, "spreadsheet": excel}
    if output:
        try:
            out = open(output, "w", encoding="utf-8", newline="")  # noqa: SIM115
        except OSError as error:
            raise MarsadError(f"export: cannot write {output} ({error.strerror or error}); check "
                              "that its folder exists and is writable") from error
        with out:
            count = exporter.write(db, what, fmt, out, since, **options)
        click.echo(f"wrote {count} {what} row(s) to {output}", err=True)
    else:
        # UTF-8 whatever the locale, and no newline translation (CSV writes its own \r\n).
        stream = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
        try:
            exporter.write(db, what, fmt, stream, since, **options)
        finally:
            stream.flush()
            stream.detach()


@cli.command()
@click.argument("words", nargs=-1, required=True)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100),
              help="Versions to show, newest first.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line instead of text.")
@click.pass_obj
def search(obj: Context, words: tuple[str, ...], limit: int, as_json: bool) -> None:
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
            click.echo(f"{shown(display_url(item['url']))}  version {item['version']}, {item['fetched_at']}\n"
                       f"  {shown(item['title'] or '')}\n  {shown(item['excerpt'] or '')}")
    if not found and not as_json:
        click.echo(f"no version holds all of: {' '.join(words)}")


@cli.command()
@click.pass_obj
def status(obj: Context) -> None:
    """The daemon's heartbeat, then each watched page: last check, its result, next check,
    number of versions, and its host's back-off when there is any."""
    from datetime import datetime

    from schedules import health
    from schedules.commands.notify import describe_state
    from store.delivery import channel_states
    from store.frontier import host_of
    from schedules.lock import holder_alive
    from store.history import standings, troubled_hosts
    from store.timestamps import iso

    db = obj.read_db()
    now = datetime.now(UTC)
    state = health.daemon_state(db)
    if state and not health.problem(state, now) and holder_alive(obj.db_path, state.pid, state.hostname) is False:
        # A backup or copy carries the heartbeat row of the daemon that ran on the original.
        click.echo(f"daemon: not running on this file (its heartbeat, from pid {state.pid} since "
                   f"{state.started_at}, was copied with it: no daemon holds its lock)")
    else:
        click.echo(health.describe(state, now))
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
        click.echo(f"{shown(display_url(page.url))}\n  state {page.state}, {page.versions} version(s); last check"
                   f" {page.last_checked or 'never'} ({page.last_outcome or '-'}); next check {upcoming}")
        if page.why:
            click.echo(f"  why: {shown(page.why)}")
        host = host_of(page.final_url or page.url)
        if host in hosts:
            trouble = hosts[host]
            paused = trouble.paused_until
            pause = f", paused until {paused}" if paused and paused > stamp else ""
            error = trouble.last_error
            click.echo(f"  host {host}: {trouble.failures} failure(s){pause}"
                       + (f"; last error: {shown(error)}" if error else ""))


@cli.command()
@click.option("--max-age", type=float, help="Seconds a heartbeat may be old [default: what the daemon wrote: twice its tick, at least 10 s].")
@click.pass_obj
def health(obj: Context, max_age: float | None) -> None:
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


@cli.command()
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace DESTINATION if it exists.")
@click.pass_obj
def backup(obj: Context, destination: Path, force: bool) -> None:
    """Copy the database to DESTINATION while the daemon keeps running (SQLite online backup).

    The copy is checked with `PRAGMA integrity_check` and only then put in place. An existing
    DESTINATION is kept (exit 2) unless --force.
    """
    from store.maintenance import BackupError
    from store.maintenance import backup as copy

    if destination.exists() and not force:
        raise MarsadError(f"backup: {destination} exists; add --force to replace it")

    obj.db().conn.close()  # migrates first, so the copy has the current schema
    try:
        made = copy(obj.db_path, destination)
    except BackupError as error:
        raise MarsadError(str(error)) from error
    click.echo(f"backed up {obj.db_path} to {made.path} ({made.bytes} bytes, integrity {made.integrity})")


@cli.command()
@click.argument("url")
@click.option("--from", "from_", type=int, help="Older version number (default: the one before --to).")
@click.option("--to", type=int, help="Newer version number (default: the latest).")
@click.pass_obj
def diff(obj: Context, url: str, from_: int | None, to: int | None) -> None:
    """The word-level diff of two versions of URL in the terminal."""
    from store.history import version_count, version_text
    from store.identity import find_page
    from store.textdiff import word_diff

    db = obj.read_db()
    page_id = find_page(db, url)
    if page_id is None:
        raise MarsadError(f"{url} is not a watched page; `marsad status` lists them")
    count = version_count(db, page_id)
    to = to or count
    from_ = from_ if from_ is not None else to - 1
    texts = {}
    for number in (from_, to):
        text = "" if number == 0 else version_text(db, page_id, number)
        if text is None:
            raise MarsadError(f"{url} has no version {number} (it has {count})")
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


@cli.command()
@click.option("--port", default=8001, show_default=True, type=int, help="Datasette port.")
@click.option("--every", default=5.0, show_default=True, type=float,
              help="Seconds between checks and between edits of the replica.")
@click.pass_obj
def demo(obj: Context, port: int, every: float) -> None:
    """A local replica of the seed site, watched and edited every few seconds: no network needed.

    Each run starts from a fresh database (the replica's port changes from run to run, so an
    earlier run's pages could never be checked again): give it one of its own, as `make demo`
    does (`--db data/demo.db`). A database watching other pages is refused, never emptied.
    """
    from schedules.demo import DemoError, run_demo
    from schedules.lock import AlreadyRunning

    setup_logging(obj.debug)
    try:
        run_demo(obj.db_path, port=port, every=every)
    except (DemoError, AlreadyRunning) as error:
        raise MarsadError(str(error)) from error


from schedules.commands.extract import extract_command
from schedules.commands.notify import notify_group
from schedules.commands.reextract import reextract_command

cli.add_command(extract_command)
cli.add_command(notify_group)
cli.add_command(reextract_command)


if __name__ == "__main__":
    cli()

