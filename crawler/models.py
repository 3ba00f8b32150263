"""The values that cross stage boundaries: fetch → extract → compare → store.

They are frozen so a stage can hand them on without fearing the next one mutates them.
"""

from __future__ import annotations

import builtins
import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

FetchOutcome = Literal["ok", "not_modified", "error", "skipped"]


@dataclass(frozen=True)
class Hop:
    """One answered request of a redirect chain: `url` answered `status`, pointing at `location`."""

    url: str
    status: int
    location: str | None = None


@dataclass(frozen=True)
class Validators:
    """What a conditional GET sends back: the ETag and Last-Modified of the last good response."""

    etag: str | None = None
    last_modified: str | None = None

    def __bool__(self) -> bool:
        return bool(self.etag or self.last_modified)


@dataclass(frozen=True)
class Fetched:
    """The result of one fetch attempt, successful or not.

    `outcome` is "ok" (a body to extract), "not_modified" (304), "error" (no usable answer) or
    "skipped" (deliberately not fetched: robots.txt, scope, refused address, paused host).
    """

    url: str
    final_url: str
    outcome: FetchOutcome
    status: int | None = None
    redirects: tuple[Hop, ...] = ()
    body: str | None = None
    content_type: str | None = None
    validators: Validators = field(default_factory=Validators)
    encoding: str | None = None
    replaced_chars: int = 0
    bytes: int = 0
    elapsed_ms: int = 0
    retries: int = 0
    error_class: str | None = None
    error: str | None = None
    retry_after: float | None = None  # seconds the server asked us to wait (429/503), uncapped
    paused_until: str | None = None  # ISO 8601 UTC, when this fetch found or left its host paused
    # The body with the UTF-8 bytes it was decoded from, when those are exactly its encoding
    # (`crawler.decode.Decoded.utf8`): `body_utf8` gives them while `body` is that very text.
    decoded_from: tuple[str, builtins.bytes] | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.outcome == "ok" and self.body is not None

    @cached_property  # a 25 KB body encoded once: its digest, its storage key and its zstd frame
    def body_utf8(self) -> builtins.bytes | None:
        if self.body is None:
            return None
        if self.decoded_from is not None and self.decoded_from[0] is self.body:
            return self.decoded_from[1]  # the bytes it was read from: no second encoding
        return self.body.encode("utf-8", errors="replace")

    @cached_property
    def body_sha256(self) -> str | None:
        """The body's key in `bodies` (`store.texts`), hashed once per check."""
        raw = self.body_utf8
        return None if raw is None else hashlib.sha256(raw).hexdigest()


BlockKind = Literal["heading", "paragraph", "list_item", "quote"]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str


@dataclass(frozen=True)
class Link:
    url: str
    text: str


@dataclass(frozen=True)
class Extracted:
    """The article found in a page. Empty `blocks` means "no observation"; `reason` says why."""

    title: str | None = None
    author: str | None = None
    published: str | None = None
    modified: str | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    canonical_url: str | None = None
    shortlink: str | None = None
    api_root: str | None = None  # the WordPress REST API root the page announces, if it does
    lang: str | None = None
    direction: str | None = None
    image: str | None = None
    blocks: tuple[Block, ...] = ()
    links: tuple[Link, ...] = ()
    reason: str | None = None
    # Which evidence gave the blocks: "container", "json-ld" or "fallback" (None when empty),
    # and how sure the extractor is of them, 0..1 (None when empty): a user sorts by it to find
    # the pages where extraction is shaky.
    method: str | None = None
    confidence: float | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(block.text for block in self.blocks)

    @property
    def empty(self) -> bool:
        return not any(block.text.strip() for block in self.blocks)


@dataclass(frozen=True)
class Observation:
    """What the network half of a check saw, handed to the recorder as one value: the fetch, the
    article read from it (None when the answer was not read), why an answered page is not the
    article, the digest of its body under the rules it is read by, and whether that body is the
    one the baseline was read from (then it was not extracted at all)."""

    fetched: Fetched
    extracted: Extracted | None = None
    not_article: str | None = None
    body_hash: str | None = None
    same_body: bool = False
