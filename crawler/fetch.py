"""Fetching one URL: redirects hop by hop (recorded), conditional GET, a size cap, one-line errors.

First cut of the fetch layer; the fetching issue adds robots.txt, politeness, address checks and
bounded decoding behind the same `Fetcher.fetch` signature.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from crawler.models import Fetched, Hop, Validators

VERSION = "0.1.0"
DEFAULT_USER_AGENT = f"marsad/{VERSION} (+https://github.com/marsad-observatory/marsad)"


@dataclass(frozen=True)
class FetchSettings:
    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = 30.0
    max_bytes: int = 5_000_000
    max_redirects: int = 10


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else error.__class__.__name__


class Fetcher:
    """Holds one HTTP client for many fetches; pass `client` in tests to reach a local server."""

    def __init__(self, settings: FetchSettings | None = None, client: httpx.Client | None = None):
        self.settings = settings or FetchSettings()
        self._client = client or httpx.Client(
            headers={"User-Agent": self.settings.user_agent},
            timeout=self.settings.timeout,
            follow_redirects=False,
            trust_env=False,
        )

    def close(self) -> None:
        self._client.close()

    def fetch(self, url: str, validators: Validators | None = None) -> Fetched:
        started = time.monotonic()
        hops: list[Hop] = []
        current = url
        headers = {}
        if validators and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified

        def failed(error_class: str, message: str, status: int | None = None) -> Fetched:
            return Fetched(url=url, final_url=current, outcome="error", status=status,
                           redirects=tuple(hops), error_class=error_class, error=message,
                           elapsed_ms=int((time.monotonic() - started) * 1000))

        try:
            for _ in range(self.settings.max_redirects + 1):
                if urlsplit(current).scheme not in ("http", "https"):
                    return failed("RefusedURL", f"refused non-HTTP URL {current}")
                with self._client.stream("GET", current, headers=headers) as response:
                    if response.is_redirect:
                        location = urljoin(current, response.headers.get("location", ""))
                        hops.append(Hop(url=current, status=response.status_code, location=location))
                        current = location
                        continue
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body.extend(chunk)
                        if len(body) > self.settings.max_bytes:
                            return failed("TooLarge", f"body over {self.settings.max_bytes} bytes",
                                          response.status_code)
                    elapsed = int((time.monotonic() - started) * 1000)
                    got = Validators(response.headers.get("etag"), response.headers.get("last-modified"))
                    common = dict(url=url, final_url=current, status=response.status_code,
                                  redirects=tuple(hops), validators=got, bytes=len(body),
                                  elapsed_ms=elapsed, content_type=response.headers.get("content-type"))
                    if response.status_code == 304:
                        return Fetched(outcome="not_modified", **common)
                    if response.status_code >= 400:
                        return Fetched(outcome="error", error_class="HTTPStatus",
                                       error=f"HTTP {response.status_code} from {current}", **common)
                    encoding = response.encoding or "utf-8"
                    text = bytes(body).decode(encoding, errors="replace")
                    return Fetched(outcome="ok", body=text, encoding=encoding,
                                   replaced_chars=text.count("\ufffd"), **common)
            return failed("TooManyRedirects", f"more than {self.settings.max_redirects} redirects")
        except httpx.HTTPError as error:
            return failed(error.__class__.__name__, f"{_one_line(error)} ({current})")
