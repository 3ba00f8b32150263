"""Every tunable of fetching in one place, with the defaults of issue 3.

`schedules` maps `seeds/watch.toml` onto `FetchSettings`; the field names are the config's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from crawler.decode import ALLOWED_TYPES

try:
    VERSION = version("marsad")
except PackageNotFoundError:  # pragma: no cover - a source tree without installed metadata
    VERSION = "0.1.0"
CONTACT_URL = "https://github.com/marsad-observatory/marsad"
DEFAULT_USER_AGENT = f"marsad/{VERSION} (+{CONTACT_URL})"


@dataclass(frozen=True)
class FetchSettings:
    """Every tunable of fetching, with the defaults of issue 3. Times are seconds."""

    user_agent: str = DEFAULT_USER_AGENT
    min_delay: float = 1.0  # between two requests to one host (or Crawl-delay, if larger)
    jitter: float = 0.5  # each delay/backoff is stretched by a random 0..jitter fraction
    concurrency: int = 4  # requests in flight across all hosts
    crawl_delay_max: float = 60.0  # a larger Crawl-delay is honoured only up to this
    retries: int = 2  # extra attempts within one fetch after 5xx/429/timeouts/connection errors
    backoff_base: float = 2.0
    backoff_max: float = 60.0
    retry_after_max: float = 3600.0
    pause_after_failures: int = 5  # failed fetches in a row before the host is paused
    pause_for: float = 3600.0
    deadline: float = 60.0  # for the whole fetch: all hops, retries and reads
    timeout: float = 20.0  # for one connect or read
    max_bytes: int = 5_000_000  # decoded body
    max_redirects: int = 10
    allowed_content_types: tuple[str, ...] = ALLOWED_TYPES
    proxy: str | None = None  # None: connect directly and ignore proxy environment variables
    private_hosts: tuple[str, ...] = ()  # hosts besides the targets' that may be private addresses
    host_aliases: tuple[str, ...] = ()  # hosts in scope besides the targets', e.g. "www." forms
    robots_ttl: float = 24 * 3600.0
    robots_retry: float = 600.0
    robots_outage: float = 30 * 24 * 3600.0

    @property
    def robots_agent(self) -> str:
        return self.user_agent.split("/", 1)[0].strip() or "marsad"
