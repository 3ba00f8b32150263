"""The database schema and its migrations.

`PRAGMA user_version` is the schema version. All pending migrations run in one transaction, so a
newer marsad upgrades an older database in place or, if any step fails, leaves it untouched.
Migrations are only ever appended; a released one is never edited.
"""

from __future__ import annotations

import logging
import sqlite3
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from store import identity, texts
from store.migrations import steps

log = logging.getLogger("marsad.store")


BUSY_TIMEOUT = 30.0  # seconds a statement waits for another process's write lock


class DatabaseError(Exception):
    """The database cannot be used; the message says which file and what to do."""


def database_problem(path: str | Path, error: BaseException) -> str:
    """One line for a person: what failed on which database file, and what to do about it."""
    text = " ".join(str(error).split()) or type(error).__name__
    lowered = text.lower()
    if (
        isinstance(error, UnicodeDecodeError)
        or "malformed" in lowered
        or "not a database" in lowered
    ):
        advice = ("the file is damaged; restore it from a backup (`marsad backup` makes one) or "
                  "move it aside to start afresh")  # fmt: skip
        text = f"unreadable ({text})" if isinstance(error, UnicodeDecodeError) else text
    elif "locked" in lowered or "busy" in lowered:
        advice = (f"another process held its write lock for over {BUSY_TIMEOUT:g} s; try again, "
                  "or stop the other marsad process")  # fmt: skip
    elif "readonly" in lowered or "read-only" in lowered or getattr(error, "errno", None) == 30:
        advice = ("marsad cannot write to it; make the file, its -wal and -shm files and its "
                  "folder writable")  # fmt: skip
    elif "full" in lowered or getattr(error, "errno", None) == 28:
        advice = "the disk is full; free some space (SQLite needs room for its WAL) and start again"
    else:
        advice = "check the path or move the file aside to start afresh"
    return f"database {path}: {text}; {advice}"


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = list(steps.MIGRATIONS)
SCHEMA_VERSION = len(MIGRATIONS)
_v1 = MIGRATIONS[0]  # the first schema, for tests that make a database as the first marsad did


# Work a transaction defers to just before its COMMIT (`before_commit`), per database object
# (an sqlite3 connection cannot be weakly referenced).
_DEFERRED: weakref.WeakKeyDictionary[sqlite_utils.Database, list[Callable[[], None]]] = (
    weakref.WeakKeyDictionary()
)


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """One write transaction: taken at once (BEGIN IMMEDIATE, so a second writer waits on the
    busy timeout instead of failing half-way), committed at the end, rolled back on any error.

    Inside another transaction it is a savepoint: an error undoes only its own writes (and the
    work it deferred), so a round of checks recorded in one transaction loses one check to a
    failure, not the round."""
    deferred = _DEFERRED.setdefault(db, [])
    if db.conn.in_transaction:
        mark = len(deferred)
        db.execute("SAVEPOINT marsad")
        try:
            yield
        except BaseException:
            db.execute("ROLLBACK TO marsad")
            db.execute("RELEASE marsad")
            del deferred[mark:]
            raise
        db.execute("RELEASE marsad")
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        while deferred:  # work may defer more work
            deferred.pop(0)()
    except BaseException:
        deferred.clear()
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def before_commit(db: sqlite_utils.Database, work: Callable[[], None]) -> None:
    """Run `work` in the current transaction, just before it commits (at once outside one).

    Why: the indexes a new version joins cost a third less written together for a round of
    checks, the same code run back to back, than each between its check's other writes; they
    still commit with the versions, so a version never exists without them."""
    if not db.conn.in_transaction:
        work()
        return
    _DEFERRED.setdefault(db, []).append(work)


def database_file(db: sqlite_utils.Database) -> str:
    """The file the connection's main database is (empty for an in-memory one)."""
    return str(db.execute("PRAGMA database_list").fetchone()[2] or "")


def connect(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) and migrate the database at `path`."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = _open(path)
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL syncs at checkpoints, not at every commit: a killed process loses
        # nothing committed, a power cut at worst the checks since the last checkpoint (they are
        # made again), and never corrupts.
        db.execute("PRAGMA synchronous=NORMAL")
        # A checkpoint every 4,000 WAL pages (16 MB at most, some 50 first fetches) instead of
        # 1,000: a page rewritten by many checks is copied into the database once, not four
        # times. A first fetch costs about 5% less CPU (bench_check's paired comparison).
        db.execute("PRAGMA wal_autocheckpoint=4000")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
        texts.register(conn)
        identity.register(conn)
        migrate(db)
    except (sqlite3.DatabaseError, OSError, UnicodeDecodeError) as error:
        # UnicodeDecodeError: flipped bytes in the schema's text (sqlite_master) reach Python
        # as undecodable names, not as an SQLite error.
        raise DatabaseError(database_problem(path, error)) from error
    return db


class DatabaseMissing(DatabaseError):
    """A read-only command was pointed at a file that does not exist."""


def connect_readonly(path: str | Path) -> sqlite_utils.Database:
    """Open the database at `path` for reading only (SQLite `mode=ro`), with the same SQL
    functions as `connect`; never creates, migrates or writes it. A read command given a typo'd
    `--db` must say so, not make an empty database and report "no pages yet"."""
    path = Path(path)
    if not path.is_file():
        raise DatabaseMissing(
            f"no database at {path}; check --db (or MARSAD_DB), or run `marsad check` to make one"
        )
    try:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro",
            uri=True,
            timeout=BUSY_TIMEOUT,
            isolation_level=None,
            check_same_thread=False,
        )
        db = sqlite_utils.Database(conn)
        db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
        texts.register(conn)
        identity.register(conn)
        current = db.execute("PRAGMA user_version").fetchone()[0]
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # reads (checks) the schema
    except (sqlite3.DatabaseError, OSError, UnicodeDecodeError) as error:
        raise DatabaseError(database_problem(path, error)) from error
    if current > SCHEMA_VERSION:
        conn.close()
        raise DatabaseError(
            f"database {path}: schema version {current} is newer than this marsad knows "
            f"({SCHEMA_VERSION}); upgrade marsad"
        )
    if current < SCHEMA_VERSION:
        conn.close()
        found = f"schema {current}" if current else "no marsad schema"
        raise DatabaseError(
            f"database {path} has {found}, this marsad reads schema {SCHEMA_VERSION}: run "
            "`marsad check` or `marsad run` once to upgrade it"
        )
    return db


def _open(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(
        str(path), timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
    )


def migrate(db: sqlite_utils.Database) -> int:
    """Bring the schema up to `SCHEMA_VERSION` in ONE transaction: a database is upgraded in
    place from whatever version it has, or, if any step fails, left exactly as it was."""
    current = db.execute("PRAGMA user_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise DatabaseError(
            f"schema version {current} is newer than this marsad knows ({SCHEMA_VERSION}); upgrade marsad"
        )
    if current == SCHEMA_VERSION:
        return SCHEMA_VERSION
    with transaction(db):
        # read again under the write lock: another process may have upgraded it meanwhile
        current = db.execute("PRAGMA user_version").fetchone()[0]
        if current:  # an existing database: say why the first start takes a while
            log.warning(
                "upgrading the database from schema %d to %d, once; a large one takes minutes "
                "(up to 10 s per 10,000 versions); stopping it is safe: it is undone and runs "
                "again at the next start",
                current,
                SCHEMA_VERSION,
            )
        for number in range(current, SCHEMA_VERSION):
            MIGRATIONS[number](db)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return SCHEMA_VERSION
