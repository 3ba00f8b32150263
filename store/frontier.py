"""The frontier: which page is due, who is checking it, and when it is due next.

The daemon talks to it through the small `Frontier` protocol so that a later, multi-machine
frontier can replace this SQLite one without touching `crawler/`. Every method is one short
transaction; the claim and the record that ends it are what make restarts safe:

- `claim_due` marks the pages it hands out (`claimed_until`) in the same transaction that picks
  them, so no two workers (and no second pass) check the same page at once;
- `record` stores the check and the page's next time together (`store.versions.record_check`),
  so a crash leaves either the whole check with its next time or neither;
- `release_left` at start clears claims a killed daemon left behind: those pages were never
  recorded, so they are checked once after the restart, not twice. A claim names its holder
  (`pid@host`, `store.processes`): a running `marsad check`'s claims are kept, and a claim whose
  holder is gone (a `marsad check` killed with SIGKILL) ends when a check or the daemon wants
  the page, not at its lease's end.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

import sqlite_utils

from crawler.models import Observation, Validators
from crawler.politeness import HostState
from store import sitecal
from store.processes import holder_gone, this_process
from store.schema import transaction
from store.timestamps import iso, parse_iso
from store.versions import CheckOutcome, Comparison, record_check


@dataclass(frozen=True)
class Claim:
    """A page handed to one worker until `claimed_until`."""

    page_id: int
    url: str
    target: str  # the configured target URL the page belongs to
    seed: str | None
    validators: Validators
    claimed_until: str
    checks_since_full: int = 0
    known_body: str | None = None  # see store.versions.known_body_hash
    # the page's history for its cadence: how many versions, when the latest was fetched (read
    # with the claim: nothing else writes the page's versions while it is held)
    versions: int = 0
    latest_fetched: str | None = None


class Frontier(Protocol):
    def watch(self, targets: Collection[str]) -> None: ...

    def release_left(self) -> int: ...

    def spread_overdue(self, now: datetime, window: float) -> int: ...

    def claim_due(self, now: datetime, limit: int, lease: float) -> list[Claim]: ...

    def claim(self, page_id: int, now: datetime, lease: float) -> Claim | None: ...

    def claim_pages(self, page_ids: Sequence[int], now: datetime, lease: float) -> list[Claim]: ...

    def give_back(self, claim: Claim) -> None: ...

    def round(self) -> AbstractContextManager[None]: ...

    def record(
        self,
        claim: Claim,
        seen: Observation,
        *,
        now: datetime,
        comparison: Comparison,
        next_check_at: datetime,
        unconditional: bool | None = None,
    ) -> CheckOutcome: ...

    def next_due(self) -> datetime | None: ...

    def reschedule(self, page_id: int, next_check_at: datetime) -> None: ...

    def follow_interval(self, target: str, every: float, now: datetime) -> int: ...

    def release(self, page_id: int) -> None: ...

    def calibration_due(self, site: str, now: datetime) -> bool: ...

    def calibrated(
        self,
        page_id: int,
        site: str,
        now: datetime,
        agreement: float,
        container: str | None,
        matched: float | None,
        post_url: str,
    ) -> None: ...


# What a claim hands the check: the page, its validators, the body digest it may be matched
# against (see store.versions.known_body_hash) and its history.
_CLAIMED = (
    "id, url, target, seed, etag, last_modified, checks_since_full,"
    " CASE WHEN state = 'ok' AND pending_hash IS NULL AND baseline_version_id IS NOT NULL"
    " THEN body_hash END, versions,"
    " (SELECT fetched_at FROM versions WHERE page_id = pages.id ORDER BY version DESC LIMIT 1)"
)


def _claim(row: Any, until: str) -> Claim:
    return Claim(page_id=row[0], url=row[1], target=row[2], seed=row[3],
                 validators=Validators(etag=row[4], last_modified=row[5]), claimed_until=until,
                 checks_since_full=row[6], known_body=row[7], versions=row[8],
                 latest_fetched=row[9])  # fmt: skip


class SqliteFrontier:
    """The frontier in the pages table. Thread-safe: all access to the shared connection goes
    through `lock`, which the daemon also takes for its own writes (heartbeat, maintenance)."""

    def __init__(self, db: sqlite_utils.Database, lock: threading.RLock | None = None) -> None:
        self.db = db
        self.lock = lock or threading.RLock()  # a round holds it around the records it makes
        self._targets: tuple[str, ...] = ()
        # site → when its day's calibrations can next fall under the limit (issue 17: asking
        # SQLite at every check was 0.1 ms of a first fetch's 3)
        self._calibrated_until: dict[str, datetime] = {}

    def watch(self, targets: Collection[str]) -> None:
        """Only pages of these configured targets are handed out; a removed target's pages stay
        in the database (with their versions) but are no longer checked."""
        self._targets = tuple(sorted(set(targets)))

    def _watched(self) -> tuple[str, list[str]]:
        marks = ",".join("?" * len(self._targets))
        return f"target IN ({marks})", list(self._targets)

    def release_left(self) -> int:
        """At the daemon's start: end the claims no running process holds: a killed daemon's
        (this machine's processes that are gone, this very pid reused by a restarted container)
        and those made before claims named their holder. A running `marsad check`'s, or one on
        another machine, last their lease: its pages are not checked twice."""
        me = this_process()
        with self.lock, transaction(self.db):
            holders = [
                row[0]
                for row in self.db.execute(
                    "SELECT DISTINCT claimed_by FROM pages WHERE claimed_until IS NOT NULL"
                )
            ]
            left = [h for h in holders if h is None or h == me or holder_gone(h)]
            return sum(
                self.db.execute(
                    "UPDATE pages SET claimed_until = NULL"
                    " WHERE claimed_until IS NOT NULL AND claimed_by IS ?",
                    [holder],
                ).rowcount
                for holder in left
            )

    def spread_overdue(self, now: datetime, window: float) -> int:
        """Give overdue pages times spread evenly over `window` seconds from `now`, oldest first,
        so a restart after a long downtime does not check everything in the same second."""
        if not self._targets:
            return 0
        watched, args = self._watched()
        with self.lock, transaction(self.db):
            ids = [
                row[0]
                for row in self.db.execute(
                    f"SELECT id FROM pages WHERE {watched} AND"
                    " (next_check_at IS NULL OR next_check_at <= ?) ORDER BY next_check_at, id",
                    [*args, iso(now)],
                ).fetchall()
            ]
            step = window / len(ids) if ids else 0.0
            for index, page_id in enumerate(ids):
                self.db.execute(
                    "UPDATE pages SET next_check_at = ? WHERE id = ?",
                    [iso(now + timedelta(seconds=index * step)), page_id],
                )
        return len(ids)

    def claim_due(self, now: datetime, limit: int, lease: float) -> list[Claim]:
        """Up to `limit` due pages, most overdue first, each claimed for `lease` seconds. With
        slots left over, due pages held by a gone process (a killed `marsad check`) are freed
        and handed out too."""
        if limit <= 0 or not self._targets:
            return []
        watched, args = self._watched()
        stamp, until = iso(now), iso(now + timedelta(seconds=lease))
        due = (
            f"FROM pages WHERE {watched} AND state != 'merged'"
            " AND (next_check_at IS NULL OR next_check_at <= ?)"
        )
        with self.lock, transaction(self.db):

            def free() -> list[Any]:
                return self.db.execute(
                    f"SELECT {_CLAIMED} {due} AND (claimed_until IS NULL OR claimed_until <= ?)"
                    " ORDER BY next_check_at, id LIMIT ?",
                    [*args, stamp, stamp, limit],
                ).fetchall()

            rows = free()
            if len(rows) < limit:
                held = [row[0] for row in self.db.execute(
                    f"SELECT id {due} AND claimed_until > ?", [*args, stamp, stamp])]  # fmt: skip
                if held and self._end_claims_of_the_gone(held, stamp):
                    rows = free()
            me = this_process()
            for row in rows:
                self.db.execute(
                    "UPDATE pages SET claimed_until = ?, claimed_by = ? WHERE id = ?",
                    [until, me, row[0]],
                )
        return [_claim(row, until) for row in rows]

    def claim(self, page_id: int, now: datetime, lease: float) -> Claim | None:
        """Claim one page for a check made outside the daemon's workers (`marsad check`,
        discovery reading an article), so it is never checked by two processes at once: one
        statement, None when someone else holds it. `store.versions.record_check` ends it."""
        claims = self.claim_pages([page_id], now, lease)
        return claims[0] if claims else None

    def claim_pages(self, page_ids: Sequence[int], now: datetime, lease: float) -> list[Claim]:
        """`claim` for several pages in one statement (a round of `marsad check`): the claims
        of those no one else holds, in no particular order."""
        until, stamp = iso(now + timedelta(seconds=lease)), iso(now)
        with self.lock:
            rows = self._claim_free(page_ids, until, stamp)
            missing = set(page_ids) - {row[0] for row in rows}
            if missing and self._end_claims_of_the_gone(missing, stamp):
                rows += self._claim_free(sorted(missing), until, stamp)
        return [_claim(row, until) for row in rows]

    def _claim_free(self, page_ids: Sequence[int], until: str, stamp: str) -> list[Any]:
        # fetchall: a RETURNING statement holds its write until it has given every row
        return self.db.execute(
            f"UPDATE pages SET claimed_until = ?, claimed_by = ?"
            f" WHERE id IN ({', '.join('?' * len(page_ids))})"
            f" AND (claimed_until IS NULL OR claimed_until <= ?) RETURNING {_CLAIMED}",
            [until, this_process(), *page_ids, stamp],
        ).fetchall()

    def _end_claims_of_the_gone(self, page_ids: Collection[int], stamp: str) -> int:
        """End the claims on these pages whose holder is gone (`store.processes.holder_gone`):
        asked only when a page someone wants is claimed, so a check needs no more statements."""
        marks = ", ".join("?" * len(page_ids))
        holders = [row[0] for row in self.db.execute(
            f"SELECT DISTINCT claimed_by FROM pages WHERE id IN ({marks}) AND claimed_until > ?",
            [*page_ids, stamp])]  # fmt: skip
        return sum(
            self.db.execute(
                f"UPDATE pages SET claimed_until = NULL WHERE id IN ({marks})"
                " AND claimed_until > ? AND claimed_by = ?",
                [*page_ids, stamp, holder],
            ).rowcount
            for holder in holders
            if holder_gone(holder)
        )

    def give_back(self, claim: Claim) -> None:
        """End a claim no recorded check ended (the check failed, or landed on another page
        after merging spellings); a claim someone else took since is left alone."""
        with self.lock:
            self.db.execute(
                "UPDATE pages SET claimed_until = NULL WHERE id = ? AND claimed_until = ?",
                [claim.page_id, claim.claimed_until],
            )

    def history(self, page_id: int) -> tuple[int, str | None]:
        """How many versions the page has and when the latest was fetched (for its cadence)."""
        with self.lock:
            row = self.db.execute(
                "SELECT versions, (SELECT fetched_at FROM versions WHERE page_id = pages.id"
                " ORDER BY version DESC LIMIT 1) FROM pages WHERE id = ?",
                [page_id],
            ).fetchone()
        return (row[0], row[1]) if row else (0, None)

    def next_due(self) -> datetime | None:
        """When the earliest unclaimed page is due (None if there is none), so the daemon can
        wake exactly then instead of at its next tick."""
        if not self._targets:
            return None
        watched, args = self._watched()
        with self.lock:
            row = self.db.execute(
                f"SELECT min(coalesce(next_check_at, '')) FROM pages WHERE {watched} AND claimed_until IS NULL",
                args,
            ).fetchone()
        if row is None or row[0] is None:
            return None
        return parse_iso(row[0]) if row[0] else datetime.now(UTC)

    @contextmanager
    def round(self) -> Iterator[None]:
        """One transaction for the checks recorded in it, each `record` a savepoint within it:
        they commit together, with the indexes of their new versions written last, together."""
        with self.lock, transaction(self.db):
            yield

    def record(
        self,
        claim: Claim,
        seen: Observation,
        *,
        now: datetime,
        comparison: Comparison,
        next_check_at: datetime,
        unconditional: bool | None = None,
    ) -> CheckOutcome:
        with self.lock:
            return record_check(
                self.db,
                claim.page_id,
                seen,
                now=iso(now),
                comparison=comparison,
                next_check_at=iso(next_check_at),
                unconditional=unconditional,
            )

    def reschedule(self, page_id: int, next_check_at: datetime) -> None:
        with self.lock, transaction(self.db):
            self.db.execute(
                "UPDATE pages SET next_check_at = ? WHERE id = ?", [iso(next_check_at), page_id]
            )

    def follow_interval(self, target: str, every: float, now: datetime) -> int:
        """A target's interval changed: its pages are next due `every` after their last check
        (now, if that is past or they were never checked). Claimed pages keep their claim."""
        with self.lock, transaction(self.db):
            rows = self.db.execute(
                "SELECT id, last_checked FROM pages WHERE target = ? AND claimed_until IS NULL",
                [target],
            ).fetchall()
            for page_id, last in rows:
                due = max(now, parse_iso(last) + timedelta(seconds=every)) if last else now
                self.db.execute(
                    "UPDATE pages SET next_check_at = ? WHERE id = ?", [iso(due), page_id]
                )
        return len(rows)

    def release(self, page_id: int) -> None:
        with self.lock, transaction(self.db):
            self.db.execute("UPDATE pages SET claimed_until = NULL WHERE id = ?", [page_id])

    def calibration_due(self, site: str, now: datetime) -> bool:
        until = self._calibrated_until.get(site)
        if until is not None and now < until:
            return False
        with self.lock:
            oldest = sitecal.not_due_before(self.db, site, iso(now), iso(now - timedelta(days=1)))
        if oldest is None:
            self._calibrated_until.pop(site, None)
            return True
        try:
            self._calibrated_until[site] = parse_iso(oldest) + timedelta(days=1)
        except ValueError:  # a timestamp marsad did not write: ask again next time
            pass
        return False

    def calibrated(
        self,
        page_id: int,
        site: str,
        now: datetime,
        agreement: float,
        container: str | None,
        matched: float | None,
        post_url: str,
    ) -> None:
        """The agreement of the check recorded at `now`; and the container that holds the
        site's posts, when the extraction disagreed with the post's own text."""
        with self.lock:
            sitecal.note_agreement(self.db, page_id, agreement)
            if container is not None and matched is not None:
                sitecal.remember(self.db, site, container, before=agreement, after=matched,
                                 post_url=post_url, now=iso(now))  # fmt: skip

    def save_hosts(self, states: Iterable[Any], now: datetime) -> None:
        with self.lock:
            save_host_states(self.db, states, now)


def _epoch(value: Any) -> float | None:
    """`paused_until` as the fetcher gives it (epoch seconds, or an ISO string) → epoch seconds."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime):
        return value.timestamp()
    return parse_iso(str(value)).timestamp()


def save_host_states(db: sqlite_utils.Database, states: Iterable[Any], now: datetime) -> None:
    """Persist hosts' back-off. `states` are duck-typed: anything with `host`, `failures`,
    `paused_until` (epoch seconds, ISO string or None) and `last_error`."""
    rows = []
    for state in states:
        until = _epoch(getattr(state, "paused_until", None))
        rows.append(
            [
                state.host,
                int(getattr(state, "failures", 0) or 0),
                iso(datetime.fromtimestamp(until, tz=UTC)) if until else None,
                getattr(state, "last_error", None),
                iso(now),
            ]
        )
    if not rows:
        return
    with transaction(db):
        for row in rows:
            db.execute(
                "INSERT INTO hosts (host, failures, paused_until, last_error, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (host) DO UPDATE SET failures = excluded.failures,"
                " paused_until = excluded.paused_until, last_error = excluded.last_error,"
                " updated_at = excluded.updated_at",
                row,
            )


def load_host_states(db: sqlite_utils.Database) -> list[HostState]:
    """Hosts' back-off as saved, in the fetcher's own `HostState` (epoch `paused_until`), ready
    for `Fetcher.restore_host_states`."""
    return [
        HostState(host=r[0], failures=r[1], paused_until=_epoch(r[2]), last_error=r[3])
        for r in db.execute(
            "SELECT host, failures, paused_until, last_error FROM hosts ORDER BY host"
        )
    ]


def host_of(url: str | None) -> str | None:
    """The key the fetcher keeps back-off under: the lowercased host name."""
    return (urlsplit(url).hostname or None) if url else None


def is_claimed(db: sqlite_utils.Database, page_id: int, now: datetime) -> bool:
    row = db.execute("SELECT claimed_until FROM pages WHERE id = ?", [page_id]).fetchone()
    return bool(row and row[0] and row[0] > iso(now))
