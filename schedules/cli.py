"""The `marsad` command line. Errors people can act on: one line and exit code 2, no traceback."""

from __future__ import annotations

import errno
import shutil
import signal
import socket
import sqlite3
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

import click

from crawler.safety import redact_credentials
from crawler.urls import display_url
from schedules.config import Config, ConfigError, load_config, target_url_problem
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


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (cron's `timeout`, systemd, `docker stop`) stops a one-shot check as Ctrl-C does:
    the pages fetched so far are read and recorded and the round's other claims are given back.
    Python's default ends the process at once with nothing recorded (after a SIGKILL, which
    cannot be caught, the next check still takes the pages: their holder is gone)."""
    if threading.current_thread() is not threading.main_thread():  # signals reach only main
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


STOPPED = 130  # the shell's code for a process stopped by Ctrl-C


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
@click.option(
    "--db",
    "db_path",
    envvar="MARSAD_DB",
    default=DEFAULT_DB,
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite database file.",
)
@click.option(
    "--config",
    "config_path",
    envvar="MARSAD_CONFIG",
    default=DEFAULT_CONFIG,
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Watch list (TOML).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.version_option(package_name="marsad")
@click.pass_context
def cli(ctx: click.Context, db_path: Path, config_path: Path, debug: bool) -> None:
    """marsad — watch Arabic web articles, keep their versions, browse them in Datasette."""
    ctx.obj = Context(db_path=db_path, config_path=config_path, debug=debug)


@cli.command()
@click.argument("urls", nargs=-1)
@click.option(
    "--no-notify",
    is_flag=True,
    help="Leave the notifications the checks cause queued (the daemon sends them).",
)
@click.pass_obj
def check(obj: Context, urls: tuple[str, ...], no_notify: bool) -> None:
    """One pass over every target of the config (or only URLS), then exit.

    Each target with discovery on also has its related pages discovered and the due ones
    checked. URLS are checked alone (no discovery), each with the settings of the target it
    belongs to: a target, a page a target's discovery found, or another spelling of either
    (the defaults for a URL the database does not know). The notifications the checks cause
    are sent before it exits, unless --no-notify. Exit 0 when the pass ran, even if some
    fetches or messages failed (they are recorded in `fetches` and `notifications`); exit 1
    when every check failed (all `error`), so cron and CI notice; exit 2 on a bad URL, config
    or database, with nothing written.
    Ctrl-C or SIGTERM stops it with exit 130: the pages fetched before the stop are recorded,
    the others are due again.
    """
    from datetime import datetime

    from schedules.commands.notify import deliver_after_check
    from schedules.discovery import check_pass
    from schedules.jobs import make_fetcher, prepare, prepare_urls
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
    db = obj.db()
    if urls:
        config, pages = prepare_urls(db, config, list(urls))
    else:
        pages = prepare(db, config)
    sync_routes(db, config.notify.routes())
    fetcher = make_fetcher(config)
    progress = CheckProgress(len(pages)) if live else None
    with sigterm_as_interrupt():
        try:
            outcomes = check_pass(
                db, fetcher, config, pages, on_check=progress.update if progress else None
            )
            # Hosts that failed or were paused show in `marsad status`, as after a daemon's
            # checks.
            save_host_states(db, fetcher.host_states().values(), datetime.now(UTC))
        except KeyboardInterrupt:
            if progress:
                progress.close()
                progress = None
            click.echo(
                "check: stopped; the pages fetched before the stop are recorded, the others were"
                " not checked and are due again (notifications wait for the next check or the"
                " daemon)",
                err=True,
            )
            sys.exit(STOPPED)
        finally:
            fetcher.close()
            if progress:
                progress.close()
        counts: dict[str, int] = {}
        for outcome in outcomes:
            counts[outcome.outcome] = counts.get(outcome.outcome, 0) + 1
        summary = (
            ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "nothing to check"
        )
        click.echo(f"checked {len(outcomes)} page(s): {summary}", err=True)
        try:
            if not no_notify and (said := deliver_after_check(obj.db_path, config)):
                click.echo(said, err=True)
        except KeyboardInterrupt:
            click.echo(
                "check: stopped while sending notifications; those not sent stay queued for the"
                " next check or the daemon",
                err=True,
            )
            sys.exit(STOPPED)
    if outcomes and all(outcome.outcome == "error" for outcome in outcomes):
        sys.exit(1)


@cli.command()
@click.option("--serve/--no-serve", default=True, show_default=True, help="Also serve Datasette.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Datasette host.")
@click.option("--port", default=8001, show_default=True, type=int, help="Datasette port.")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    envvar="MARSAD_LOG_FORMAT",
    help="Readable lines, or one JSON object per line.",
)
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
        run_daemon(
            db, obj.db_path, config, obj.config_path, serve=serve, host=host, port=port, lock=lock
        )
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
        raise MarsadError(
            f"serve: cannot listen on {host}:{port} ({problem}); choose another --port"
            " or stop what uses it"
        )
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

    if not obj.db_path.exists():  # a mistyped --db: say so, as every reading command does
        obj.read_db()
    obj.db().conn.close()  # migrates first, so the copy has the current schema
    try:
        made = copy(obj.db_path, destination)
    except BackupError as error:
        raise MarsadError(str(error)) from error
    click.echo(
        f"backed up {obj.db_path} to {made.path} ({made.bytes} bytes, integrity {made.integrity})"
    )


@cli.command()
@click.option("--port", default=8001, show_default=True, type=int, help="Datasette port.")
@click.option(
    "--every",
    default=5.0,
    show_default=True,
    type=float,
    help="Seconds between checks; the replica is edited every twice as long.",
)
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
from schedules.commands.read import READ_COMMANDS
from schedules.commands.reextract import reextract_command

for _command in READ_COMMANDS:
    cli.add_command(_command)
cli.add_command(extract_command)
cli.add_command(notify_group)
cli.add_command(reextract_command)


if __name__ == "__main__":
    cli()
