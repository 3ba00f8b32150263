"""The one place for defaults: reads `seeds/watch.toml` into frozen settings.

A bad config must name the file, the line and the key, because the person fixing it has only
the message to go on.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from crawler.fetch import DEFAULT_USER_AGENT
from crawler.patterns import PatternError, compile_pattern
from crawler.safety import Refused, address_problem, check_url, redact_credentials
from schedules.configkeys import got, key_line, table_start, unknown_key
from schedules.notifyconfig import NotifySettings, parse_notify
from store.seedmatch import load_seed
from store.seeds import seed_path

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, None: 1}


class ConfigError(Exception):
    """The config cannot be used; the message is the one line a person needs."""


@dataclass(frozen=True)
class Discovery:
    enabled: bool = True
    depth: int = 1
    max_pages: int = 200
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    rest_api: bool = True  # ask the WordPress REST API which posts changed, when the site offers it
    # Also watch every post the site's sitemaps, feed and REST API list (up to max_pages), not
    # only those related to the target: "watch the whole site".
    sitewide: bool = False
    # Bounds on what a site's lists can make us do (docs/config.md): sources kept for the target,
    # child sitemaps taken from one sitemap index, indexes nested under the first sitemap, and
    # sources (and articles read for links) read in one pass, so one target's pass ends and the
    # next target's begins.
    max_sources: int = 1000
    sitemap_children: int = 500
    sitemap_depth: int = 2
    reads_per_pass: int = 100


@dataclass(frozen=True)
class Target:
    url: str
    seed: str | None = None
    every: float = 6 * 3600
    jitter: float = 300
    aliases: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    # a change becomes a version only once seen on this many consecutive checks (1: at once)
    confirm: int = 1
    discovery: Discovery = field(default_factory=Discovery)
    # Adaptive re-checks stay within these bounds (schedules.cadence); sources that detect
    # changes (feeds, sitemaps, the REST API) are read every `min_interval`.
    min_interval: float = 15 * 60
    max_interval: float = 7 * 86400


@dataclass(frozen=True)
class Defaults:
    every: float = 6 * 3600
    jitter: float = 300
    min_interval: float = 15 * 60
    max_interval: float = 7 * 86400
    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = 60.0  # the whole fetch: every hop, retry and read
    read_timeout: float = 20.0  # one connect or read
    min_delay: float = 1.0
    max_bytes: int = 5_000_000
    concurrency: int = 4
    retries: int = 2
    retry_after_max: float = 3600.0
    pause_after_failures: int = 5
    pause_for: float = 3600.0
    full_fetch_every: int = 24  # an unconditional GET every N checks, whatever the validators say
    proxy: str | None = None
    private_hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class DaemonSettings:
    """How `marsad run` behaves over months; the `[daemon]` table of the watch list."""

    workers: int = 4  # checks in flight at once, so one slow page cannot hold up the rest
    check_deadline: float = (
        0.0  # seconds one check may take before it is abandoned; 0: 2 x timeout + 10 s
    )
    stop_timeout: float = 20.0  # on SIGTERM, how long in-flight checks may take to finish
    catch_up: float = 60.0  # after downtime, overdue pages are spread over this many seconds
    keep_fetches: float = 30 * 86400  # fetch rows that made no version are pruned after this
    maintenance_every: float = 3600.0


@dataclass(frozen=True)
class Config:
    path: Path
    defaults: Defaults = field(default_factory=Defaults)
    targets: tuple[Target, ...] = ()
    daemon: DaemonSettings = field(default_factory=DaemonSettings)
    notify: NotifySettings = field(default_factory=NotifySettings)

    @property
    def seeds_dir(self) -> Path:
        return self.path.parent

    def target_for(self, url: str) -> Target:
        """The configured target for `url`, or one with default settings (for `check URL`)."""
        for target in self.targets:
            if target.url == url:
                return target
        d = self.defaults
        return Target(
            url=url,
            every=d.every,
            jitter=d.jitter,
            discovery=Discovery(enabled=False),
            min_interval=d.min_interval,
            max_interval=d.max_interval,
        )


def parse_duration(value: Any) -> float:
    """Seconds from `30`, `"30s"`, `"15m"`, `"6h"`, `"7d"`; raises ValueError otherwise."""
    if isinstance(value, bool):  # callers turn ValueError into the config file's line
        raise ValueError(value)  # noqa: TRY004
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(value)
        return float(value)
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(value)
    return float(match.group(1)) * _UNITS[match.group(2)]


def target_url_problem(url: str) -> str | None:
    """Why `url` cannot be watched, in words that never repeat a password; None when it can."""
    shown = redact_credentials(url)
    if shown != url:
        return (
            f"carries a user name or password ({shown}); remove it: marsad never sends, "
            "stores or shows credentials"
        )
    try:
        check_url(url)
    except Refused as error:
        return f"is not a URL marsad fetches ({error})"
    return None


def _line_of(text: str, key: str, start_line: int = 0) -> int:
    """1-based line where `key = …` first appears at or after `start_line` (for error messages)."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    lines = text.splitlines()
    for number in range(start_line, len(lines)):
        if pattern.match(lines[number]):
            return number + 1
    return start_line + 1


def _target_lines(text: str) -> list[int]:
    return [i for i, line in enumerate(text.splitlines()) if line.strip() == "[[targets]]"]


def load_config(path: str | Path) -> Config:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"config {path}: cannot read it ({error.strerror or error})") from error
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config {path}: {error}") from error

    def fail(key: str, message: str, start: int = 0) -> ConfigError:
        return ConfigError(f"config {path} line {_line_of(text, key, start)}: `{key}` {message}")

    starts = _target_lines(text)
    _refuse_unknown_keys(path, text, raw, starts)

    def duration(table: dict[str, Any], key: str, default: float, start: int = 0) -> float:
        if key not in table:
            return default
        try:
            return parse_duration(table[key])
        except ValueError:
            raise fail(key, f"must be a duration like `30m`, got `{table[key]}`", start) from None

    def number(table: dict[str, Any], key: str, default: int, start: int = 0) -> int:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise fail(key, f"must be a whole number, got {got(value)}", start)
        return value

    def strings(table: dict[str, Any], key: str, start: int) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(key, "must be a list of strings", start)
        return tuple(value)

    def aliases(table: dict[str, Any], start: int) -> tuple[str, ...]:
        found = strings(table, "aliases", start)
        for alias in found:
            problem = target_url_problem(alias if "://" in alias else f"http://{alias}/")
            if problem:
                raise fail("aliases", f"entry {problem}", start)
        return found

    def private_hosts(table: dict[str, Any]) -> tuple[str, ...]:
        found = strings(table, "private_hosts", 0)
        for host in found:
            problem = target_url_problem(host if "://" in host else f"http://{host}/")
            if problem:
                raise fail("private_hosts", f"entry {problem}")
        return found

    def proxy(table: dict[str, Any]) -> str | None:
        value = table.get("proxy")
        if not value:
            return None
        wanted = "must be an http:// or https:// proxy URL (`http://host:port`)"
        if not isinstance(value, str):
            raise fail("proxy", f"{wanted}, got {got(value)}")
        try:
            url = httpx.URL(value)
        except httpx.InvalidURL:
            url = None
        if url is None or url.scheme not in ("http", "https") or not url.host:
            raise fail("proxy", f"{wanted}, got `{redact_credentials(value)}`")
        return value

    def confirm(table: dict[str, Any], start: int) -> int:
        value = table.get("confirm", 1)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10:
            raise fail(
                "confirm",
                f"must be the number of checks a change must be seen on (1-10), got {got(value)}",
                start,
            )
        return value

    def switch(table: dict[str, Any], key: str, default: bool, start: int = 0) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            raise fail(key, f"must be true or false, got {got(value)}", start)
        return value

    def bounds(table: dict[str, Any], start: int, low: float, high: float) -> tuple[float, float]:
        low = duration(table, "min_interval", low, start)
        high = duration(table, "max_interval", high, start)
        if low <= 0 or low > high:
            key = "min_interval" if "min_interval" in table else "max_interval"
            raise fail(
                key,
                f"must leave 0 < min_interval <= max_interval, got {low:g} s and {high:g} s",
                start,
            )
        return low, high

    raw_defaults = raw.get("defaults", {})
    defaults = Defaults(
        every=duration(raw_defaults, "every", Defaults.every),
        jitter=duration(raw_defaults, "jitter", Defaults.jitter),
        min_interval=duration(raw_defaults, "min_interval", Defaults.min_interval),
        max_interval=duration(raw_defaults, "max_interval", Defaults.max_interval),
        user_agent=str(raw_defaults.get("user_agent", DEFAULT_USER_AGENT)),
        timeout=duration(raw_defaults, "timeout", Defaults.timeout),
        read_timeout=duration(raw_defaults, "read_timeout", Defaults.read_timeout),
        min_delay=duration(raw_defaults, "min_delay", Defaults.min_delay),
        max_bytes=number(raw_defaults, "max_bytes", Defaults.max_bytes),
        concurrency=number(raw_defaults, "concurrency", Defaults.concurrency) or 1,
        retries=number(raw_defaults, "retries", Defaults.retries),
        retry_after_max=duration(raw_defaults, "retry_after_max", Defaults.retry_after_max),
        pause_after_failures=number(
            raw_defaults, "pause_after_failures", Defaults.pause_after_failures
        ),
        pause_for=duration(raw_defaults, "pause_for", Defaults.pause_for),
        full_fetch_every=number(raw_defaults, "full_fetch_every", Defaults.full_fetch_every) or 1,
        proxy=proxy(raw_defaults),
        private_hosts=private_hosts(raw_defaults),
    )
    through_proxy = (
        "cannot be used with `proxy`: a proxy resolves names itself, so marsad fetches no "
        "private address through one (docs/security.md)"
    )
    if defaults.proxy and defaults.private_hosts:
        raise fail("private_hosts", through_proxy)
    raw_daemon = raw.get("daemon", {})
    daemon_start = next(
        (i for i, line in enumerate(text.splitlines()) if line.strip() == "[daemon]"), 0
    )
    daemon = DaemonSettings(
        workers=max(1, number(raw_daemon, "workers", DaemonSettings.workers, daemon_start)),
        check_deadline=duration(
            raw_daemon, "check_deadline", DaemonSettings.check_deadline, daemon_start
        ),
        stop_timeout=duration(
            raw_daemon, "stop_timeout", DaemonSettings.stop_timeout, daemon_start
        ),
        catch_up=duration(raw_daemon, "catch_up", DaemonSettings.catch_up, daemon_start),
        keep_fetches=duration(
            raw_daemon, "keep_fetches", DaemonSettings.keep_fetches, daemon_start
        ),
        maintenance_every=duration(
            raw_daemon, "maintenance_every", DaemonSettings.maintenance_every, daemon_start
        ),
    )
    bounds(raw_defaults, 0, defaults.min_interval, defaults.max_interval)
    targets = []
    raw_targets = raw.get("targets", [])
    if not isinstance(raw_targets, list):
        raise fail("targets", "must be written as [[targets]] tables")
    for index, item in enumerate(raw_targets):
        start = starts[index] if index < len(starts) else 0
        url = item.get("url")
        if not isinstance(url, str) or not re.match(r"^https?://[^/\s]+", url):
            shown = redact_credentials(url) if isinstance(url, str) else url
            raise fail("url", f"must be an http(s) URL, got `{shown}`", start)
        if problem := target_url_problem(url):
            raise fail("url", problem, start)
        address = check_url(url).ip
        if defaults.proxy and address is not None and address_problem(address):
            raise fail("url", f"on a {address_problem(address)} {through_proxy}", start)
        seed = item.get("seed")
        if seed is not None and not isinstance(seed, str):
            raise fail("seed", f"must be a file name in {path.parent}, got `{seed}`", start)
        if seed is not None:
            try:  # read now, so a seed that cannot be used stops the start, not a check
                load_seed(seed_path(path.parent, seed))
            except ValueError as error:  # SeedError is one
                raise fail("seed", str(error), start) from None
        raw_discovery = item.get("discovery", {})
        discovery = Discovery(
            enabled=switch(raw_discovery, "enabled", True, start),
            depth=number(raw_discovery, "depth", 1, start),
            max_pages=number(raw_discovery, "max_pages", 200, start),
            include=strings(raw_discovery, "include", start),
            exclude=strings(raw_discovery, "exclude", start),
            rest_api=switch(raw_discovery, "rest_api", True, start),
            sitewide=switch(raw_discovery, "sitewide", False, start),
            max_sources=number(raw_discovery, "max_sources", 1000, start),
            sitemap_children=number(raw_discovery, "sitemap_children", 500, start),
            sitemap_depth=number(raw_discovery, "sitemap_depth", 2, start),
            reads_per_pass=max(1, number(raw_discovery, "reads_per_pass", 100, start)),
        )
        discovery_start = table_start(text, "targets.discovery", start)
        for key, patterns, at in (
            ("include", discovery.include, discovery_start),
            ("exclude", discovery.exclude, discovery_start),
            ("ignore", strings(item, "ignore", start), start),
        ):
            for pattern in patterns:
                try:
                    compile_pattern(pattern)
                except PatternError as error:
                    raise fail(key, f"has a bad regular expression: {error}", at) from None
        low, high = bounds(item, start, defaults.min_interval, defaults.max_interval)
        targets.append(
            Target(
                url=url,
                seed=seed,
                every=duration(item, "every", defaults.every, start),
                jitter=duration(item, "jitter", defaults.jitter, start),
                aliases=aliases(item, start),
                ignore=strings(item, "ignore", start),
                confirm=confirm(item, start),
                discovery=discovery,
                min_interval=low,
                max_interval=high,
            )
        )
    notify = parse_notify(raw, text, fail, duration, starts)
    return Config(
        path=path, defaults=defaults, targets=tuple(targets), daemon=daemon, notify=notify
    )


def _refuse_unknown_keys(path: Path, text: str, raw: dict[str, Any], starts: list[int]) -> None:
    """A misspelled key or table (`evry`, `[target.discovery]`) is refused with its line and
    the nearest known name, never read as "not set"."""
    found = unknown_key(raw)
    if found is None:
        return
    table, key, index, close = found
    start = starts[index] if index is not None and index < len(starts) else 0
    dotted = ".".join(table)
    if table and table != ["targets"]:  # a [[targets]] entry's own keys start at its header
        start = table_start(text, dotted, start)
    line = key_line(text, table, key, start)
    where = f"[{dotted}]" if dotted != "targets" else "[[targets]]"
    where = f" in {where}" if table else ""
    kind = "table or key" if not table else "key"
    hint = f"; did you mean `{close}`?" if close else "; docs/config.md lists the settings"
    raise ConfigError(f"config {path} line {line}: unknown {kind} `{key}`{where}{hint}")


def with_targets(config: Config, urls: list[str]) -> Config:
    """The config narrowed to `urls`, each watched with its configured or default settings."""
    return replace(config, targets=tuple(config.target_for(url) for url in urls))
