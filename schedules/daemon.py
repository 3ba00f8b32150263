"""The long-running process: a few fixed jobs, the database as the source of truth.

APScheduler 3 (`BlockingScheduler` in the main thread, a thread-pool executor: the asyncio one
cancels running jobs on shutdown instead of letting them finish) drives two jobs registered from
code at every start — nothing is pickled, so a restart rebuilds them and loses nothing:

- `check_due` (every tick): hands due pages from the frontier to the workers and writes the
  heartbeat. Workers also claim the next due page as soon as one finishes, and a one-off `wake`
  job fires when the next page is due, so neither throughput nor punctuality depend on the tick.
- `maintenance` (hourly by default): prunes the fetch log by age and optimizes the database.

Both have `max_instances=1`, `coalesce=True` and `misfire_grace_time=None`: a late run still
runs (once), never silently dropped as with the library's 1-second default.

Signals are only queued by the handler (`SimpleQueue.put` is safe there) and handled by a
control thread: SIGHUP re-reads the watch list, SIGTERM/SIGINT stop scheduling, let in-flight
checks finish within `stop_timeout`, release the rest, and return (exit 0).
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from types import FrameType

import sqlite_utils
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler

from crawler.fetch import Fetcher
from schedules import health
from schedules.check import PageToCheck
from schedules.config import Config, ConfigError, Target, load_config
from schedules.discovery import discover
from schedules.jobs import fetch_settings, make_fetcher, prepare
from schedules.lock import DaemonLock
from schedules.notify import Sender
from schedules.workers import Workers, utcnow
from store.frontier import SqliteFrontier, load_host_states
from store.maintenance import optimize, prune_fetches
from store.outbox import sync_routes
from store.schema import DatabaseError, connect, database_file
from store.timestamps import iso
from store.versions import Comparison

log = logging.getLogger("marsad.daemon")


def tick_seconds(config: Config) -> float:
    """A quarter of the shortest interval, between 1 and 10 seconds: due pages wait at most a
    tick (usually less: finishing workers claim the next page at once)."""
    shortest = min((t.every for t in config.targets), default=60.0)
    return max(1.0, min(shortest / 4, 10.0))


def check_deadline(config: Config) -> float:
    return config.daemon.check_deadline or 2 * config.defaults.timeout + 10


def start_datasette(db_path: Path, host: str, port: int) -> subprocess.Popen[bytes]:
    args = [
        sys.executable,
        "-m",
        "schedules.cli",
        "--db",
        str(db_path),
        "serve",
        "--host",
        host,
        "--port",
        str(port),
    ]
    log.info("serving Datasette on http://%s:%d", host, port)
    return subprocess.Popen(args)


class Daemon:
    def __init__(self, db: sqlite_utils.Database, config: Config, config_path: Path) -> None:
        self.db = db
        self.config = config
        self.config_path = config_path
        self.frontier = SqliteFrontier(db)
        self.targets: dict[str, Target] = {}
        self.comparisons: dict[str, Comparison] = {}
        self.fetcher = make_fetcher(config)
        self._old_fetchers: list[Fetcher] = []
        self.stopping = threading.Event()
        self.started_at = iso(utcnow())
        self.scheduler = BlockingScheduler(
            executors={"default": ThreadPoolExecutor(3)},
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
            timezone="UTC",
        )
        self.workers = Workers(
            self.frontier,
            lambda: self.fetcher,
            config.daemon.workers,
            check_deadline(config),
            on_free=self.refill,
        )
        self._signals: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._refilling = threading.Lock()
        self._wanted = threading.Event()
        self._saved_hosts: object = None
        self.failure: str | None = None  # why the daemon stopped by itself, if it did
        main = database_file(db)
        self.wal_path = Path(main + "-wal") if main else None
        # notifications: each channel delivered by its own thread (schedules/notify.py)
        self.sender = Sender(main, lambda: self.config.notify)

    # -- start and the watch list -------------------------------------------------------------

    def _load_targets(self, config: Config) -> None:
        with self.frontier.lock:
            pages = prepare(self.db, config)
            sync_routes(self.db, config.notify.routes())
        self.targets = {t.url: t for t in config.targets}
        self.comparisons = {page.target.url: page.comparison for page in pages}
        self.frontier.watch(self.targets)

    def start(self) -> None:
        """Everything before the first tick: pages, claims a killed daemon left, catch-up."""
        self._load_targets(self.config)
        with self.frontier.lock:
            self.fetcher.restore_host_states(load_host_states(self.db))
        left = self.frontier.release_left()
        if left:
            log.info("released %d claim(s) left by a daemon that did not stop cleanly", left)
        window = (
            min(self.config.daemon.catch_up, min(t.every for t in self.config.targets))
            if self.config.targets
            else 0.0
        )
        overdue = self.frontier.spread_overdue(utcnow(), window)
        if overdue:
            log.info(
                "%d page(s) due or overdue; spreading them over %.0f s",
                overdue,
                window,
                extra={"overdue": overdue},
            )
        self._beat()
        tick = tick_seconds(self.config)
        self.scheduler.add_job(
            self.check_due,
            "interval",
            seconds=tick,
            jitter=tick / 10,
            id="check_due",
            next_run_time=utcnow(),
            replace_existing=True,
        )
        self._schedule_discovery()
        self.scheduler.add_job(
            self.sender.poll,
            "interval",
            seconds=self.config.notify.every,
            id="notify",
            next_run_time=utcnow(),
            replace_existing=True,
        )
        every = self.config.daemon.maintenance_every
        self.scheduler.add_job(
            self.maintenance,
            "interval",
            seconds=every,
            jitter=min(60.0, every / 10),
            id="maintenance",
            next_run_time=utcnow() + timedelta(seconds=min(60.0, every)),
            replace_existing=True,
        )

    def _schedule_discovery(self) -> None:
        """One discovery job, every shortest `min_interval` of the targets that have discovery on
        (feeds, sitemaps and the REST API are read that often; their own validators keep it cheap)."""
        wanted = [t for t in self.config.targets if t.discovery.enabled]
        if not wanted:
            if self.scheduler.get_job("discover"):
                self.scheduler.remove_job("discover")
            return
        every = min(t.min_interval for t in wanted)
        self.scheduler.add_job(
            self.discover_all,
            "interval",
            seconds=every,
            jitter=min(60.0, every / 10),
            id="discover",
            next_run_time=utcnow() + timedelta(seconds=5),
            replace_existing=True,
        )

    def reload(self) -> None:
        """SIGHUP: the new watch list takes effect now; a bad one is refused and the old kept."""
        try:
            config = load_config(self.config_path)
            if not config.targets:
                raise ConfigError(f"config {self.config_path}: no [[targets]]")
        except ConfigError as error:
            log.error("reload refused: %s; still watching the previous list", error)
            return
        old = self.targets
        self._load_targets(config)
        new = self.targets
        for url in set(old) & set(new):
            if old[url].every != new[url].every:
                self.frontier.follow_interval(url, new[url].every, utcnow())
        if fetch_settings(config) != fetch_settings(self.config):
            self._old_fetchers.append(self.fetcher)  # in-flight checks may still use it
            self.fetcher = make_fetcher(config, self.fetcher)
        self.workers.size = config.daemon.workers
        self.workers.deadline = check_deadline(config)
        if tick_seconds(config) != tick_seconds(self.config):
            tick = tick_seconds(config)
            self.scheduler.reschedule_job(
                "check_due", trigger="interval", seconds=tick, jitter=tick / 10
            )
        self.config = config
        self._schedule_discovery()
        log.info(
            "reloaded %s: %d target(s), %d added, %d removed",
            self.config_path,
            len(new),
            len(set(new) - set(old)),
            len(set(old) - set(new)),
        )
        self.refill()

    # -- the jobs --------------------------------------------------------------------------------

    def check_due(self) -> None:
        if self.stopping.is_set():
            self._stop_scheduler()
            return
        if self._wal_lost():
            return
        self.refill()
        self._beat()

    def _wal_lost(self) -> bool:
        """A deleted `<db>-wal` under a running daemon: SQLite goes on writing to the unlinked
        file and every row since the last checkpoint is lost at exit. Stop at once and say so
        instead of writing more into nowhere."""
        if self.wal_path is None or self.wal_path.exists():
            return False
        self.failure = (
            f"database {self.wal_path.with_name(self.wal_path.name[:-4])}: its write-ahead log "
            f"{self.wal_path} was deleted while the daemon ran; rows written since the last "
            "checkpoint are lost; stopped: check with `marsad status` and start again"
        )
        self.stopping.set()
        self._stop_scheduler()
        return True

    def refill(self) -> None:
        """Claim due pages for every free worker slot. Called by the tick and by each finishing
        check; one refill at a time (a request that arrives meanwhile is served by the loop or,
        at worst, by the next tick)."""
        self._wanted.set()
        if not self._refilling.acquire(blocking=False):
            return
        try:
            while self._wanted.is_set() and not self.stopping.is_set():
                self._wanted.clear()
                free = self.workers.free_slots()
                lease = self.workers.deadline + 60
                for claim in self.frontier.claim_due(utcnow(), free, lease):
                    target = self.targets.get(claim.target)
                    if target is None:  # removed by a reload between watch() and the claim
                        self.frontier.release(claim.page_id)
                        continue
                    if claim.url != target.url:  # a discovered page: its target's settings
                        target = replace(target, url=claim.url)
                    comparison = self.comparisons.get(claim.target, Comparison())
                    if claim.url != claim.target and claim.seed is None:  # no seed of its own
                        comparison = replace(comparison, seed=None)
                    page = PageToCheck(
                        claim.page_id,
                        claim.url,
                        target,
                        comparison,
                        self.config.defaults.full_fetch_every,
                    )
                    self.workers.start(claim, page)
            if not self.stopping.is_set():
                self._wake_at_next_due()
        except Exception:
            log.exception("handing out due pages failed; retrying at the next tick")
        finally:
            self._refilling.release()

    def _wake_at_next_due(self) -> None:
        """A one-off `wake` job at the earliest due time, so pages are checked when they are
        due (and a catch-up spread is kept), not at the next tick. Up to 3 instances: a wake
        that comes due while another still runs must not be skipped (it would be lost)."""
        due = self.frontier.next_due()
        if due is None:
            return
        job = self.scheduler.get_job("wake")
        if job is not None and job.next_run_time is not None and job.next_run_time <= due:
            return
        self.scheduler.add_job(
            self.refill,
            "date",
            run_date=max(due, utcnow()),
            id="wake",
            replace_existing=True,
            max_instances=3,
        )

    def _beat(self) -> None:
        now = utcnow()
        tick = tick_seconds(self.config)
        with self.frontier.lock:
            health.beat(
                self.db,
                pid=os.getpid(),
                hostname=socket.gethostname(),
                started_at=self.started_at,
                now=now,
                stale_after=health.stale_after(tick),
            )
        states = self.fetcher.host_states()
        if states != self._saved_hosts:
            self.frontier.save_hosts(states.values(), now)
            self._saved_hosts = dict(states)

    def discover_all(self) -> None:
        """Discovery for every target that has it on; the pages it finds are ordinary due pages
        that the workers claim like any other."""
        path = database_file(self.db)
        db = connect(path)  # its own connection: a pass does network I/O between its writes
        try:
            for target in list(self.targets.values()):
                if self.stopping.is_set() or not target.discovery.enabled:
                    continue
                try:
                    report = discover(db, self.fetcher, self.config, target,
                                      stop=self.stopping.is_set)  # fmt: skip
                except Exception:  # one target's discovery must not stop the daemon
                    log.exception("discovery for %s failed; will retry at its next run", target.url)
                    continue
                log.info(
                    "discovery for %s: %s", target.url, report.summary(), extra={"url": target.url}
                )
        finally:
            db.conn.close()
        self.refill()

    def maintenance(self) -> None:
        before = iso(utcnow() - timedelta(seconds=self.config.daemon.keep_fetches))
        pruned = prune_fetches(self.db, before, lock=self.frontier.lock)
        with self.frontier.lock:
            optimize(self.db)
        log.info(
            "maintenance: pruned %d fetch row(s) older than %s; optimized",
            pruned,
            before,
            extra={"pruned": pruned},
        )

    # -- signals and stopping --------------------------------------------------------------------

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._signals.put(signum)

    def _control(self) -> None:
        while True:
            signum = self._signals.get()
            if signum == signal.SIGHUP:
                try:
                    self.reload()
                except Exception:
                    log.exception("reload failed; still watching the previous list")
                continue
            if signum in (signal.SIGTERM, signal.SIGINT):
                log.info("received %s; stopping", signal.Signals(signum).name)
                self.stopping.set()
                self._stop_scheduler()
            return  # 0: the daemon ended by itself

    def _stop_scheduler(self) -> None:
        try:
            self.scheduler.shutdown(wait=False)
        except SchedulerNotRunningError:  # not started yet: the first tick sees `stopping`
            pass

    def run(self) -> None:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                signal.signal(signum, self._on_signal)
        control = threading.Thread(target=self._control, name="signals", daemon=True)
        control.start()
        self.start()
        log.info(
            "watching %d target(s) from %s",
            len(self.targets),
            self.config_path,
            extra={"pid": os.getpid()},
        )
        try:
            if not self.stopping.is_set():
                self.scheduler.start()
        finally:
            self.stopping.set()
            finished, cancelled = self.workers.drain(self.config.daemon.stop_timeout)
            log.info("stopped: %d in-flight check(s) finished, %d cancelled", finished, cancelled)
            # a message being sent is let finish (briefly: one left unsent is sent at next start)
            self.sender.wait(min(self.config.daemon.stop_timeout, 5.0))
            try:
                if self.failure is None:  # with the WAL gone, writing more only loses more
                    self._beat()
                    with self.frontier.lock:
                        health.mark_stopped(self.db, utcnow())
            finally:
                self._signals.put(0)
                for fetcher in [*self._old_fetchers, self.fetcher]:
                    fetcher.close()

    def request(self, signum: int) -> None:
        """What a signal does, for callers in the same process (tests, the demo)."""
        self._signals.put(signum)


def run_daemon(
    db: sqlite_utils.Database,
    db_path: Path,
    config: Config,
    config_path: Path,
    *,
    serve: bool = True,
    host: str = "127.0.0.1",
    port: int = 8001,
    lock: DaemonLock | None = None,
) -> None:
    """Run until SIGTERM/SIGINT. Holds the database's lock (taken here unless `lock` is given)."""
    own_lock = lock is None
    lock = lock if lock is not None else DaemonLock(db_path).acquire()
    try:
        daemon = Daemon(db, config, config_path)
        server = start_datasette(db_path, host, port) if serve else None
        try:
            daemon.run()
            if daemon.failure:
                raise DatabaseError(daemon.failure)
        finally:
            if server is not None:
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
    finally:
        if own_lock:
            lock.release()
