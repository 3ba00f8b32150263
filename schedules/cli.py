"""The `marsad` command line. Errors people can act on: one line and exit code 2, no traceback."""

from __future__ import annotations

import io
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from schedules.config import Config, ConfigError, load_config, with_targets
from store.schema import DatabaseError, connect

DEFAULT_DB = "data/marsad.db"
DEFAULT_CONFIG = "seeds/watch.toml"


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

    def db(self):  # type: ignore[no-untyped-def]
        try:
            return connect(self.db_path)
        except DatabaseError as error:
            raise MarsadError(str(error)) from error




def setup_logging(debug: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
@click.pass_obj
def check(obj: Context, urls: tuple[str, ...]) -> None:
    """One pass over every target of the config (or only URLS), then exit.

    Each target with discovery on also has its related pages discovered and the due ones
    checked. Exit 0 when the pass ran, even if fetches failed (they are recorded in `fetches`).
    """
    from schedules.discovery import check_pass
    from schedules.jobs import make_fetcher, prepare

    setup_logging(obj.debug)
    config = obj.config()
    if urls:
        config = with_targets(config, list(urls))
    db = obj.db()
    pages = prepare(db, config)
    fetcher = make_fetcher(config)
    try:
        if sys.stderr.isatty() and len(pages) > 1:
            with click.progressbar(length=len(pages), label="checking", file=sys.stderr) as bar:
                outcomes = check_pass(db, fetcher, config, pages, on_target=lambda _: bar.update(1))
        else:
            outcomes = check_pass(db, fetcher, config, pages)
    finally:
        fetcher.close()
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.outcome] = counts.get(outcome.outcome, 0) + 1
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "nothing to check"
    click.echo(f"checked {len(outcomes)} page(s): {summary}", err=True)


@cli.command()
@click.option("--serve/--no-serve", default=True, show_default=True, help="Also serve Datasette.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Datasette host.")
@click.option("--port", default=8001, show_default=True, type=int, help="Datasette port.")
@click.pass_obj
def run(obj: Context, serve: bool, host: str, port: int) -> None:
    """The daemon: checks every target on its schedule (and serves Datasette)."""
    from schedules.daemon import run_daemon

    setup_logging(obj.debug)
    config = obj.config()
    db = obj.db()
    run_daemon(db, obj.db_path, config, obj.config_path, serve=serve, host=host, port=port)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Host to bind.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to bind.")
@click.pass_obj
def serve(obj: Context, host: str, port: int) -> None:
    """Datasette alone on the database."""
    from store import web

    obj.db().conn.close()  # creates and migrates the database if needed
    click.echo(f"Datasette on http://{host}:{port}/ (Ctrl-C stops it)", err=True)
    web.serve(obj.db_path, host, port)


@cli.command()
@click.option("--what", type=click.Choice(["pages", "versions", "changes", "fetches"]),
              default="versions", show_default=True, help="Which rows.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "ndjson"]), default="csv",
              show_default=True, help="Output format.")
@click.option("--since", help="Only rows at or after this ISO 8601 time.")
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
    db = obj.db()
    if page and not exporter.page_exists(db, page):
        raise MarsadError(f"{page} is not a watched page; `marsad status` lists them")
    options = {"page": page, "spreadsheet": excel}
    if output:
        with open(output, "w", encoding="utf-8", newline="") as out:
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
@click.pass_obj
def status(obj: Context) -> None:
    """Each watched page: last check, its result, next check, number of versions."""
    db = obj.db()
    rows = db.execute(
        "SELECT url, state, last_checked, last_outcome, next_check_at, versions FROM pages ORDER BY id"
    ).fetchall()
    if not rows:
        click.echo("no pages yet: run `marsad check` or `marsad run`")
        return
    for url, state, last, outcome, nxt, versions in rows:
        click.echo(f"{url}\n  state {state}, {versions} version(s); last check {last or 'never'}"
                   f" ({outcome or '-'}); next check {nxt or '-'}")


@cli.command()
@click.argument("url")
@click.option("--from", "from_", type=int, help="Older version number (default: the one before --to).")
@click.option("--to", type=int, help="Newer version number (default: the latest).")
@click.pass_obj
def diff(obj: Context, url: str, from_: int | None, to: int | None) -> None:
    """The word-level diff of two versions of URL in the terminal."""
    from store.textdiff import word_diff

    db = obj.db()
    page = db.execute("SELECT id, versions FROM pages WHERE url = ? OR final_url = ?", [url, url]).fetchone()
    if not page:
        raise MarsadError(f"{url} is not a watched page; `marsad status` lists them")
    to = to or page[1]
    from_ = from_ if from_ is not None else to - 1
    texts = {}
    for number in (from_, to):
        if number == 0:
            texts[number] = ""
            continue
        row = db.execute("SELECT text FROM versions WHERE page_id = ? AND version = ?",
                         [page[0], number]).fetchone()
        if not row:
            raise MarsadError(f"{url} has no version {number} (it has {page[1]})")
        texts[number] = row[0]
    click.echo(f"{url}: version {from_} → {to}")
    for op, words in word_diff(texts[from_], texts[to]):
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
    """A local replica of the seed site, watched and edited every few seconds: no network needed."""
    from schedules.demo import run_demo

    setup_logging(obj.debug)
    run_demo(obj.db_path, port=port, every=every)


if __name__ == "__main__":
    cli()

