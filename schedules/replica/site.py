"""The replica site's state and control API: what tests and the demo change between checks.

`ReplicaSite` holds the posts and terms, renders through `routes`, and is usable without
a socket (`site.handle("GET", "/?p=95655")`). Every public method takes one lock, so a test or
the demo's editor thread may change the site while a crawler reads it.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlencode

from schedules.replica.data import (
    AUTHORS,
    CATEGORIES,
    SEED_ID,
    TAGS,
    Author,
    Comment,
    ContentBlock,
    InlineLink,
    Post,
    Term,
    build_posts,
    encode_slug,
    slugify,
    unique_slug,
)
from schedules.replica.routes import Page, respond, route

Clock = Callable[[], datetime]
T = TypeVar("T")


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


class ReplicaSite:
    """The site's content and state. Every public method takes the lock, so tests and the demo
    may change the site while a crawler reads it; a change shows from the next request on."""

    def __init__(
        self,
        *,
        extra_posts: int = 30,
        base_url: str = "https://www.europarabct.com",
        clock: Clock | None = None,
        hex_case: str = "upper",
        gzip: bool = True,
        validators: bool = True,
    ) -> None:
        self.lock = threading.RLock()
        self.base_url = base_url
        self.clock = clock or _utc_now
        self.hex_case = hex_case
        self.gzip = gzip
        self.validators = validators
        self.posts: dict[int, Post] = {p.id: p for p in build_posts(extra_posts)}
        self.terms: dict[int, Term] = {t.id: t for t in CATEGORIES + TAGS}
        self.authors: dict[str, Author] = {a.slug: a for a in AUTHORS}
        self.noise = 0
        self.rest_status: int | None = None  # None: the API answers; else the blocking status
        self.robots: str | None = None
        self.last_change = max(p.modified for p in self.posts.values())
        self._revision = 0
        self._cache: dict[str, Any] = {}

    # ---- reading -----------------------------------------------------------------------------

    def now(self) -> datetime:
        return self.clock().astimezone(UTC)

    def published(self) -> list[Post]:
        """Published posts, newest first (cached until the next change)."""
        return self._cached(
            "published",
            lambda: sorted(
                (p for p in self.posts.values() if p.published),
                key=lambda p: (p.date, p.id),
                reverse=True,
            ),
        )

    def in_term(self, term_id: int) -> list[Post]:
        """Published posts of a category or tag, newest first (cached until the next change)."""
        return self._cached(
            f"term:{term_id}",
            lambda: [p for p in self.published() if term_id in p.categories or term_id in p.tags],
        )

    def position(self, post: Post) -> int | None:
        """Where a post stands in `published()`, for previous/next links without a sort."""
        index = self._cached("positions", lambda: {p.id: i for i, p in enumerate(self.published())})
        return index.get(post.id)

    def by_slug(self, slug: str) -> Post | None:
        index = self._cached("slugs", lambda: {p.slug: p for p in self.posts.values()})
        return index.get(slug)

    def post(self, post_id: int) -> Post:
        """A copy of a post, to read (changes go through the control methods)."""
        with self.lock:
            return copy.deepcopy(self._post(post_id))

    def paragraphs(self, post_id: int) -> list[str]:
        """The texts of a post's blocks (paragraphs and subheadings) in order, as served."""
        with self.lock:
            return self._post(post_id).texts()

    def seed_paragraphs(self) -> list[str]:
        return self.paragraphs(SEED_ID)

    def permalink(self, post: Post | int) -> str:
        post = self._post(post) if isinstance(post, int) else post
        return self.base_url + post.path(self.hex_case)

    def shortlink(self, post: Post | int) -> str:
        post_id = post if isinstance(post, int) else post.id
        return f"{self.base_url}/?p={post_id}"

    def term_url(self, term: Term | str) -> str:
        term = self._term(term) if isinstance(term, str) else term
        kind = "category" if term.taxonomy == "category" else "tag"
        return f"{self.base_url}/{kind}/{encode_slug(term.slug, self.hex_case)}/"

    def author_url(self, author: Author) -> str:
        return f"{self.base_url}/author/{author.slug}/"

    def rest_url(self, route: str, params: dict[str, str] | None = None) -> str:
        query = f"?{urlencode(params)}" if params else ""
        return f"{self.base_url}/wp-json{route}{query}"

    def handle(self, method: str, target: str, headers: dict[str, str] | None = None) -> Response:
        """Answer one request (path with query) as the site would."""
        lowered = {k.lower(): v for k, v in (headers or {}).items()}
        with self.lock:
            if method not in ("GET", "HEAD"):
                page = Page(
                    405,
                    "text/plain; charset=UTF-8",
                    "Method Not Allowed",
                    headers={"Allow": "GET, HEAD"},
                )
            else:
                page = route(self, target)
            status, out_headers, body = respond(self, page, lowered)
        return Response(status, out_headers, b"" if method == "HEAD" else body)

    # ---- control API -------------------------------------------------------------------------

    def edit_paragraph(self, post_id: int, index: int, new_text: str) -> None:
        """Change the text of block `index` (the same numbering as `paragraphs()`)."""
        with self.lock:
            post = self._post(post_id)
            post.blocks[index].text = new_text
            self._modified(post)

    def set_paragraphs(self, post_id: int, blocks: Iterable[str | tuple[str, str]]) -> None:
        """Replace the whole body: plain strings are paragraphs, ("h2", text) are subheadings."""
        with self.lock:
            post = self._post(post_id)
            post.blocks = [
                ContentBlock("p", b) if isinstance(b, str) else ContentBlock(b[0], b[1])  # type: ignore[arg-type]
                for b in blocks
            ]
            self._modified(post)

    def set_title(self, post_id: int, title: str) -> None:
        """A new title keeps the slug, as WordPress does for a published post."""
        with self.lock:
            post = self._post(post_id)
            post.title = title
            self._modified(post)

    def set_slug(self, post_id: int, slug: str) -> None:
        """A new permalink; the old one answers 301 to it (WordPress' _wp_old_slug redirect)."""
        with self.lock:
            post = self._post(post_id)
            post.old_slugs.append(post.slug)
            post.slug = slugify(slug)
            self._modified(post)

    def set_terms(
        self,
        post_id: int,
        *,
        categories: Iterable[str] | None = None,
        tags: Iterable[str] | None = None,
    ) -> None:
        with self.lock:
            post = self._post(post_id)
            if categories is not None:
                post.categories = [self._term(c, "category").id for c in categories]
            if tags is not None:
                post.tags = [self._term(t, "post_tag").id for t in tags]
            self._modified(post)

    def set_jsonld(self, post_id: int, enabled: bool) -> None:
        """Whether the page carries a JSON-LD NewsArticle (theme/SEO-plugin output, not content)."""
        with self.lock:
            self._post(post_id).jsonld = enabled
            self._changed()

    def add_comment(self, post_id: int, author: str, text: str) -> int:
        """A comment shows under the article; the post's modified date does not move."""
        with self.lock:
            post = self._post(post_id)
            comment_id = 1 + max(
                (c.id for p in self.posts.values() for c in p.comments), default=1000
            )
            post.comments.append(
                Comment(comment_id, author, text, self._later_than(post.last_activity()))
            )
            self._changed(listing=False)
            return comment_id

    def take_down(self, post_id: int) -> None:
        """The post goes to the trash: its URLs answer 404 and it leaves every listing."""
        with self.lock:
            self._post(post_id).published = False
            self._changed()

    def restore(self, post_id: int) -> None:
        with self.lock:
            post = self._post(post_id)
            post.published = True
            self._modified(post)

    def add_post(
        self,
        title: str,
        paragraphs: Iterable[str],
        *,
        categories: Iterable[str] = ("دراسات",),
        tags: Iterable[str] = (),
        author: str = "ecci",
        date: datetime | None = None,
        jsonld: bool = False,
        links: Iterable[tuple[int, str, int | str]] = (),
    ) -> int:
        """Publish a new post (newest by default); returns its id. Categories and tags are
        names or slugs; unknown ones are created, as the editor does. `links` are
        (block index, phrase, post id or URL)."""
        with self.lock:
            post_id = max(self.posts) + 7  # ids grow with gaps: revisions and uploads take ids too
            moment = (date or self._later_than(self.last_change)).astimezone(UTC)
            post = Post(
                id=post_id,
                slug=unique_slug(title, {p.slug for p in self.posts.values()}),
                title=title,
                date=moment,
                modified=moment,
                author=self.authors[author],
                categories=[self._term(c, "category").id for c in categories],
                tags=[self._term(t, "post_tag").id for t in tags],
                blocks=[ContentBlock("p", text) for text in paragraphs],
                jsonld=jsonld,
                links=[InlineLink(b, phrase, target) for b, phrase, target in links],
            )
            self.posts[post_id] = post
            self.last_change = max(self.last_change, moment)
            self._changed()
            return post_id

    def touch(self, post_id: int) -> None:
        """Save without change: WordPress still bumps post_modified, so validators change."""
        with self.lock:
            self._modified(self._post(post_id))

    def set_sidebar_noise(self, value: int) -> None:
        """Change the chrome only: view and visitor counters, poll votes, nonce, "most read"."""
        with self.lock:
            self.noise = value
            self._changed(listing=False)

    def set_rest_api(self, enabled: bool, status: int = 403) -> None:
        """Turn /wp-json/ off the way security plugins do: 401 or 403 with a JSON error, or 404."""
        with self.lock:
            self.rest_status = None if enabled else status

    def set_validators(self, enabled: bool) -> None:
        """Send ETag and Last-Modified (and answer 304), or neither, as many WordPress hosts
        without a page cache do."""
        with self.lock:
            self.validators = enabled

    def set_robots(self, text: str | None) -> None:
        """Serve this robots.txt (None: WordPress' default with the Sitemap line)."""
        with self.lock:
            self.robots = text

    def set_hex_case(self, case: str) -> None:
        """Emit percent-encoded slugs in "upper" or "lower" hex (both are accepted on requests)."""
        with self.lock:
            self.hex_case = case
            self._changed()

    # ---- internals ---------------------------------------------------------------------------

    def _post(self, post_id: int) -> Post:
        try:
            return self.posts[post_id]
        except KeyError:
            raise KeyError(
                f"replica has no post {post_id}; known ids: {min(self.posts)}…{max(self.posts)}"
            ) from None

    def _term(self, key: str, taxonomy: str | None = None) -> Term:
        for term in self.terms.values():
            if key in (term.name, term.slug) and taxonomy in (None, term.taxonomy):
                return term
        if taxonomy is None:
            raise KeyError(f"replica has no category or tag named {key!r}")
        term = Term(max(self.terms) + 1, taxonomy, key, slugify(key))  # type: ignore[arg-type]
        self.terms[term.id] = term
        return term

    def _later_than(self, moment: datetime) -> datetime:
        """Now, but strictly after `moment` at HTTP-date resolution, so validators always move."""
        now = self.now().replace(microsecond=0)
        return max(now, moment.replace(microsecond=0) + timedelta(seconds=1))

    def _modified(self, post: Post) -> None:
        post.modified = self._later_than(post.last_activity())
        self.last_change = max(self._later_than(self.last_change), post.modified)
        self._changed()

    def _changed(self, listing: bool = True) -> None:
        self._revision += 1
        if listing:
            self._cache.clear()

    def _cached(self, key: str, build: Callable[[], T]) -> T:
        with self.lock:
            if key not in self._cache:
                self._cache[key] = build()
            value: T = self._cache[key]  # stored by `build` under this key: a T
            return value
