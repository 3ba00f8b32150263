"""Fetching one URL politely and safely: every outcome is a `Fetched`, never an exception.

One `fetch` walks the redirect chain one hop at a time. Each hop passes, in order: the URL form
check, the scope and address checks (`crawler.safety`), the host's pause, robots.txt
(`crawler.robots`), the host's turn (`crawler.politeness`), and then a request pinned to the
checked address (`crawler.transport`); what its answer means, with the size cap and decoding,
is `crawler.answer`.
"""

from __future__ import annotations

import logging
import random as random_module
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from urllib.parse import urljoin

import httpx

from crawler.answer import (
    REDIRECT_STATUSES,
    TRANSPORT_TEXT,
    Retry,
    Run,
    finish_short_body,
    late_message,
    one_line,
    read_answer,
    read_robots_body,
)
from crawler.decode import ACCEPT_ENCODING, BadEncoding
from crawler.models import Fetched, Validators
from crawler.politeness import HostState, Politeness
from crawler.robots import RobotsAnswer, RobotsCache, RobotsDocument
from crawler.safety import (
    CheckedURL,
    Dial,
    DNSError,
    OutOfScope,
    Refused,
    RefusedURL,
    Resolver,
    Scope,
    address_problem,
    admit,
    check_url,
    resolve_checked,
)
from crawler.settings import CONTACT_URL, DEFAULT_USER_AGENT, VERSION, FetchSettings
from crawler.transport import (
    PinnedBackend,
    PinnedTransport,
    RequestHeaders,
    SystemResolver,
    pinned_client,
    send,
)

log = logging.getLogger(__name__)
__all__ = ["CONTACT_URL", "DEFAULT_USER_AGENT", "VERSION", "FetchSettings", "Fetcher"]

ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5"
DRAIN_SECONDS = 2.0  # for a short body nobody needs (finish_short_body): then the connection goes


class Fetcher:
    """Fetches for the whole daemon: thread-safe, one instance shared by all checks.

    `scope` should be built from the configuration (`Scope.of_targets`); without it each fetch's
    own host is its scope. `clock`, `sleep`, `random`, `resolver` and `dial` exist for tests.
    A `client` passed in is used as is: addresses are still checked, but connections are not
    pinned and the deadline is enforced per read only (use it for `httpx.MockTransport`).
    """

    def __init__(
        self,
        settings: FetchSettings | None = None,
        client: httpx.Client | None = None,
        *,
        scope: Scope | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        random: Callable[[], float] = random_module.random,
        resolver: Resolver | None = None,
        dial: Dial | None = None,
    ) -> None:
        self.settings = s = settings or FetchSettings()
        self.scope = scope
        self.clock = clock
        self.resolver: Resolver = resolver or SystemResolver(timeout=s.timeout)
        self._aliases = Scope.of_targets((), s.host_aliases, s.private_hosts)
        self._merged_scope: tuple[Scope, Scope] | None = None  # (self.scope, with the aliases)
        self.politeness = Politeness(
            min_delay=s.min_delay,
            jitter=s.jitter,
            concurrency=s.concurrency,
            crawl_delay_max=s.crawl_delay_max,
            backoff_base=s.backoff_base,
            backoff_max=s.backoff_max,
            pause_after=s.pause_after_failures,
            pause_for=s.pause_for,
            clock=clock,
            sleep=sleep,
            random=random,
        )
        self.robots = RobotsCache(
            s.robots_agent, clock, s.robots_ttl, s.robots_retry, s.robots_outage
        )
        self._backend: PinnedBackend | None = None
        self._transport: PinnedTransport | None = None
        if client is None:
            self._backend, self._transport, client = pinned_client(s.proxy, dial, s.timeout)
        self._client = client
        self._page_headers = RequestHeaders(
            client,
            {"User-Agent": s.user_agent, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING},
        )
        self._robots_headers = RequestHeaders(
            client, {"User-Agent": s.user_agent, "Accept-Encoding": ACCEPT_ENCODING}
        )

    def close(self) -> None:
        self._client.close()

    @property
    def closed(self) -> bool:
        """Closed (the daemon is stopping): every fetch would fail, so loops over many URLs stop."""
        return self._client.is_closed

    def host_states(self) -> dict[str, HostState]:
        """Failures and pauses per host, for `marsad status` and for saving across restarts."""
        return self.politeness.states()

    def restore_host_states(self, states: dict[str, HostState] | list[HostState]) -> None:
        self.politeness.restore(states)

    def fetch(
        self, url: str, validators: Validators | None = None, *, accept: tuple[str, ...] = ()
    ) -> Fetched:
        """`accept` adds content types for this one fetch: discovery reads the REST API
        (application/json), robots.txt (text/plain) and `.xml.gz` sitemaps (application/gzip,
        decompressed here with the same size cap) through the same politeness and scope."""
        run = Run(url, self.clock, self.clock(), url, accept=tuple(accept))
        try:
            return self._fetch(run, url, validators)
        except Exception as error:  # the contract: a bug costs one check, never the daemon
            log.exception("unexpected error fetching %s", url)
            return run.failed(
                type(error).__name__, f"unexpected error fetching {run.current}: {one_line(error)}"
            )

    def robots_document(self, url: str) -> RobotsDocument:
        """The robots.txt of `url`'s origin as this fetcher obeys it, requested only when its
        cached copy expired: discovery reads its `Sitemap:` lines without a second request."""
        try:
            checked = check_url(url)
            scope = self._scope_for(checked)
            admit(checked, scope)
        except Refused as error:
            return RobotsDocument(None, error=str(error))
        if self.politeness.paused_until(checked.host) is not None:
            state = self.politeness.states()[checked.host]
            return RobotsDocument(
                None, error=f"host {checked.host} paused until {state.paused_until_iso}"
            )
        return self.robots.document(checked.origin, lambda: self._fetch_robots(checked, scope))

    def _fetch(self, run: Run, url: str, validators: Validators | None) -> Fetched:
        try:
            checked = check_url(url)
        except Refused as error:
            return run.refused(error)
        run.current = checked.url
        scope = self._scope_for(checked)
        seen = {checked.url}
        while True:
            try:
                admit(checked, scope)
            except Refused as error:
                return run.refused(error)
            paused = self.politeness.paused_until(checked.host)
            if paused is not None:
                state = self.politeness.states()[checked.host]
                until = state.paused_until_iso
                return run.result(
                    "skipped",
                    error_class="HostPaused",
                    paused_until=until,
                    error=f"host {checked.host} paused until {until} ({state.failures} failed "
                    f"checks in a row; last: {state.last_error})",
                )
            try:
                addresses = resolve_checked(
                    checked, self.resolver, scope.allows_private(checked.host)
                )
            except Refused as error:
                return run.refused(error)
            except DNSError as error:
                self.politeness.failed(checked.host, str(error))
                return run.failed("DNSError", str(error))

            def read_robots(page: CheckedURL = checked) -> RobotsAnswer:
                return self._fetch_robots(page, scope)

            verdict = self.robots.verdict(checked.origin, checked.url, read_robots)
            self.politeness.set_crawl_delay(checked.host, verdict.crawl_delay)
            if not verdict.allowed:
                return run.result("skipped", error_class=verdict.error_class, error=verdict.reason)
            answer = self._attempts(run, checked, addresses, validators)
            if isinstance(answer, Fetched):
                return answer
            if len(run.hops) > self.settings.max_redirects:
                return run.failed(
                    "TooManyRedirects",
                    f"more than {self.settings.max_redirects} "
                    f"redirects from {url}; the chain is recorded",
                )
            try:
                checked = check_url(answer)
            except Refused as error:
                return run.refused(error)
            if checked.url in seen:
                return run.failed(
                    "RedirectLoop",
                    f"redirect loop: {checked.url} came back after "
                    f"{len(run.hops)} redirects from {url}",
                )
            seen.add(checked.url)
            run.current = checked.url

    def _scope_for(self, checked: CheckedURL) -> Scope:
        """The configured scope with the aliases (and the proxy rule), built once for as long as
        `self.scope` is the same object: the union grows with the number of targets' hosts."""
        if self.scope is None:
            return self._with_aliases(Scope.of_targets([checked.url]))
        merged = self._merged_scope
        if merged is None or merged[0] is not self.scope:
            merged = self._merged_scope = (self.scope, self._with_aliases(self.scope))
        return merged[1]

    def _with_aliases(self, scope: Scope) -> Scope:
        scope = scope | self._aliases
        if self.settings.proxy:
            # A proxy resolves the name again and connects where its own answer points, so the
            # address we checked does not bind it: through a proxy no private address is fetched,
            # not even a target given by address or listed in private_hosts (docs/security.md).
            scope = replace(scope, private_ok=frozenset())
        return scope

    def _attempts(
        self,
        run: Run,
        checked: CheckedURL,
        addresses: tuple[str, ...],
        validators: Validators | None,
    ) -> Fetched | str:
        """Ask for one hop, retrying what may pass; a redirect's absolute Location or a result."""
        host = checked.host
        if run.deadline is None:
            run.deadline = self.clock() + self.settings.deadline
        attempt = 0
        while True:
            try:
                answer = self._attempt(run, checked, addresses, validators)
            except Refused as error:
                return run.refused(error)
            except Retry as retry:
                wait = retry.retry_after
                if wait is not None:
                    wait = min(wait, self.settings.retry_after_max)
                else:
                    wait = self.politeness.backoff(attempt)
                if attempt < self.settings.retries and self.clock() + wait < run.deadline:
                    self.politeness.defer(host, wait)
                    attempt += 1
                    run.retries += 1
                    continue
                return self._give_up(run, checked, retry, wait)
            if (
                isinstance(answer, str)
                or answer.outcome in ("ok", "not_modified")
                or (answer.status is not None)
            ):
                self.politeness.succeeded(host)  # the server answered sensibly
            return answer

    def _give_up(self, run: Run, checked: CheckedURL, retry: Retry, wait: float) -> Fetched:
        self.politeness.failed(checked.host, retry.message)
        if retry.retry_after is not None:
            self.politeness.pause(checked.host, wait, retry.message)
        until = self.politeness.states()[checked.host].paused_until_iso
        message = retry.message
        if retry.retry_after is not None:
            message += f"; asked to retry after {wait:g} s"
        if until and self.politeness.paused_until(checked.host):
            message += f"; host paused until {until}"
        return run.failed(
            retry.error_class,
            message,
            status=retry.status,
            retry_after=retry.retry_after,
            paused_until=until,
        )

    def _attempt(
        self,
        run: Run,
        checked: CheckedURL,
        addresses: tuple[str, ...],
        validators: Validators | None,
    ) -> Fetched | str:
        assert run.deadline is not None
        conditional: dict[str, str] = {}
        if validators and validators.etag:
            conditional["If-None-Match"] = validators.etag
        if validators and validators.last_modified:
            conditional["If-Modified-Since"] = validators.last_modified
        with self.politeness.slot(checked.host):
            left = run.deadline - self.clock()
            if left <= 0:
                raise Retry("Timeout", late_message(checked, self.settings))
            try:
                with (
                    self._pinned(checked, addresses, run.deadline),
                    send(
                        self._client,
                        self._transport,
                        checked,
                        self._page_headers,
                        conditional,
                        min(self.settings.timeout, left),
                    ) as response,
                ):
                    try:
                        return read_answer(run, checked, response, validators, self.settings)
                    finally:
                        with self._hurried():
                            finish_short_body(response)
            except httpx.InvalidURL as error:  # only with a client given to us: httpx read Location
                raise RefusedURL(f"refused redirect from {checked.url}: {one_line(error)}")
            except httpx.TimeoutException as error:
                late = self.clock() >= run.deadline
                raise Retry(
                    "Timeout",
                    late_message(checked, self.settings)
                    if late
                    else f"timed out on {checked.url}: {one_line(error)}",
                ) from None
            except httpx.TransportError as error:
                kind = {
                    "ConnectError": "ConnectError",
                    "ReadError": "ReadError",
                    "RemoteProtocolError": "ProtocolError",
                }.get(type(error).__name__, type(error).__name__)
                raise Retry(
                    kind,
                    f"{TRANSPORT_TEXT.get(kind, 'network error on')} "
                    f"{checked.url}: {one_line(error)}",
                ) from None

    def _hurried(self) -> AbstractContextManager[None]:
        """Reading a body nobody needs gets DRAIN_SECONDS at most, whatever the deadline left."""
        if self._backend is None:
            return nullcontext()
        return self._backend.hurry(DRAIN_SECONDS)

    def _pinned(
        self, checked: CheckedURL, addresses: tuple[str, ...], deadline: float
    ) -> AbstractContextManager[None]:
        if self._backend is None:
            return nullcontext()
        return self._backend.pinned(checked.host, addresses, deadline, self.clock)

    def _fetch_robots(self, page: CheckedURL, scope: Scope) -> RobotsAnswer:
        """robots.txt through the same scope, address checks and host turns as pages. Its
        redirects (RFC 9309 §2.3.1.2: follow at least five) are followed within the scope only:
        one that leaves it (another host or port) makes robots.txt "unavailable", as too many
        redirects do, rather than a request to a server nobody configured."""
        current = check_url(f"{page.origin}/robots.txt")
        for _ in range(6):
            private_ok = scope.allows_private(current.host)
            if current.ip is not None and not private_ok and address_problem(current.ip):
                return RobotsAnswer(None, error=f"redirected to a refused address ({current.url})")
            try:
                addresses = resolve_checked(current, self.resolver, private_ok)
            except (DNSError, Refused) as error:
                return RobotsAnswer(None, error=f"could not be fetched: {error}")
            deadline = self.clock() + min(self.settings.timeout, self.settings.deadline)
            try:
                with (
                    self.politeness.slot(current.host),
                    self._pinned(current, addresses, deadline),
                    send(
                        self._client,
                        self._transport,
                        current,
                        self._robots_headers,
                        {},
                        self.settings.timeout,
                    ) as resp,
                ):
                    location = resp.headers.get("location")
                    with self._hurried():
                        finish_short_body(resp)  # a site without robots.txt answers 404
                    if resp.status_code in REDIRECT_STATUSES and location:
                        try:
                            current = check_url(urljoin(current.url, location))
                            admit(current, scope)
                        except OutOfScope as error:
                            # a redirect we will not follow: "unavailable" (RFC 9309 §2.3.1.2)
                            log.info("robots.txt of %s not followed: %s", page.origin, error)
                            return RobotsAnswer(399, error=str(error))
                        except Refused as error:
                            return RobotsAnswer(None, error=f"redirected badly: {error}")
                        continue
                    if not 200 <= resp.status_code < 300:
                        return RobotsAnswer(resp.status_code)
                    return RobotsAnswer(resp.status_code, read_robots_body(resp))
            except (httpx.HTTPError, BadEncoding) as error:
                return RobotsAnswer(None, error=f"could not be fetched: {one_line(error)}")
        return RobotsAnswer(399)  # too many redirects: "unavailable" (RFC 9309 §2.3.1.2)
