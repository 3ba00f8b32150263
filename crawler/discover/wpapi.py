"""The WordPress REST API as a change detector: `modified_gmt` says which posts changed without
fetching their pages. The HTML page stays the source of the stored text.

Many sites switch the API off or put it behind a plugin or a WAF; then the answer is an error
object, an HTML page or garbage, and `parse_posts` says "API unavailable" so discovery carries on
from HTML, feeds and sitemaps.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

from crawler.discover.candidate import Candidate, candidate, iso_utc
from crawler.urls import resolve

API_REL = "https://api.w.org/"
POST_FIELDS = ("id", "link", "modified_gmt", "categories", "tags")
MAX_PER_PAGE = 100  # WordPress caps per_page at 100 (rest_invalid_param above it)
# Decoding a multi-megabyte JSON answer from a misbehaving server is not worth the memory: 100
# posts with five small fields are some tens of kilobytes.
MAX_API_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class ApiPost:
    id: int
    link: str
    modified_gmt: str | None  # ISO 8601 UTC
    categories: tuple[int, ...] = ()
    tags: tuple[int, ...] = ()


@dataclass(frozen=True)
class ApiPosts:
    """What a posts request told us. `available` is False when the API is off, blocked or
    answered something that is not a list of posts; `error` then says what came back."""

    posts: tuple[ApiPost, ...] = ()
    error: str | None = None

    @property
    def available(self) -> bool:
        return self.error is None


def post_id_in_link(url: str | None) -> int | None:
    """The post id a WordPress short link names (`?p=95655`), from its query."""
    value = dict(parse_qsl(urlsplit(url or "").query)).get("p", "")
    return int(value) if value.isdigit() else None


def post_id_in_classes(classes: str) -> int | None:
    """The post id in the `postid-N` class WordPress puts on a post page's `<body>`."""
    for name in classes.split():
        if name.startswith("postid-") and name[7:].isdigit():
            return int(name[7:])
    return None


def api_root_from_html(html: str, page_url: str) -> str | None:
    """The API root a WordPress page announces: `<link rel="https://api.w.org/" href=…>`."""
    return api_root_in(LexborHTMLParser(html or ""), page_url)


def api_root_in(tree: LexborHTMLParser, page_url: str) -> str | None:
    """`api_root_from_html` of a page already parsed."""
    for node in tree.css("link[rel][href]"):
        if API_REL in (node.attributes.get("rel") or "").split():
            return resolve(page_url, node.attributes.get("href"))
    return None


def api_root_from_link_header(value: str | None, page_url: str) -> str | None:
    """The API root from an HTTP `Link: <…/wp-json/>; rel="https://api.w.org/"` header, which
    WordPress sends on every page, including answers to HEAD."""
    for part in (value or "").split(","):
        target, _, params = part.partition(";")
        target = target.strip()
        if target.startswith("<") and target.endswith(">") and f'rel="{API_REL}"' in params:
            return resolve(page_url, target[1:-1])
    return None


def default_api_root(site_url: str) -> str:
    """Where the API lives on a site with pretty permalinks, when no page announced it."""
    return urljoin(site_url, "/wp-json/")


def posts_url(
    api_root: str,
    *,
    include: Iterable[int] = (),
    categories: Iterable[int] = (),
    tags: Iterable[int] = (),
    modified_after: str | None = None,
    per_page: int = MAX_PER_PAGE,
    page: int = 1,
    fields: Iterable[str] = POST_FIELDS,
) -> str:
    """A `/wp/v2/posts` request URL asking only for the fields discovery needs.

    `modified_after` (ISO 8601, needs WordPress 5.7+) limits the answer to posts changed since;
    the posts then come newest-modified first. Works with a `?rest_route=` root too (sites
    without pretty permalinks announce `https://site/?rest_route=/`).
    """
    params: list[tuple[str, str]] = []
    if ids := [str(int(i)) for i in include]:
        params.append(("include", ",".join(ids)))
    if ids := [str(int(i)) for i in categories]:
        params.append(("categories", ",".join(ids)))
    if ids := [str(int(i)) for i in tags]:
        params.append(("tags", ",".join(ids)))
    if modified_after:
        params += [("modified_after", modified_after), ("orderby", "modified"), ("order", "desc")]
    params += [
        ("per_page", str(max(1, min(per_page, MAX_PER_PAGE)))),
        ("page", str(max(1, page))),
        ("_fields", ",".join(fields)),
    ]
    return _endpoint(api_root, "wp/v2/posts", params)


def parse_posts(body: bytes | str, content_type: str | None = None) -> ApiPosts:
    """Read a posts answer into records. Never raises: a disabled or blocked API is a result."""
    if len(body) > MAX_API_BYTES:
        return ApiPosts(
            error=f"API unavailable: answer of {len(body)} bytes is over the "
            f"{MAX_API_BYTES}-byte limit"
        )
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = text.lstrip("\ufeff \t\r\n")
    kind = (content_type or "").split(";")[0].strip().lower()
    if text.startswith("<") or kind in ("text/html", "application/xhtml+xml"):
        return ApiPosts(
            error="API unavailable: the server answered an HTML page, not JSON "
            "(the REST API is off or blocked)"
        )
    try:
        data = json.loads(text)
    except ValueError as error:
        return ApiPosts(error=f"API unavailable: the answer is not valid JSON ({error})")
    if isinstance(data, dict):
        code = data.get("code") or "unknown"
        message = data.get("message") or "no message"
        return ApiPosts(error=f"API unavailable: WordPress answered {code}: {message}")
    if not isinstance(data, list):
        return ApiPosts(
            error=f"API unavailable: expected a list of posts, got {type(data).__name__}"
        )
    posts = tuple(post for item in data if (post := _post(item)) is not None)
    return ApiPosts(posts)


def api_candidates(result: ApiPosts, source: str) -> list[Candidate]:
    """The posts as Candidates (reason "rest_api", lastmod = modified_gmt)."""
    found = (candidate(post.link, "rest_api", source, post.modified_gmt) for post in result.posts)
    return [c for c in found if c is not None]


def _endpoint(api_root: str, route: str, params: list[tuple[str, str]]) -> str:
    parts = urlsplit(api_root)
    if "rest_route=" in parts.query:
        # Plain-permalink sites: the route travels in the query, the other params beside it.
        query = urlencode([("rest_route", "/" + route), *params], safe="/,:")
        return urlunsplit(parts._replace(query=query))
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return urlunsplit(parts._replace(path=path + route, query=urlencode(params, safe=",:")))


def _post(item: object) -> ApiPost | None:
    """One scraped post record, or None when it lacks an integer id or an http(s) link."""
    if not isinstance(item, dict):
        return None
    post_id, link = item.get("id"), item.get("link")
    if not isinstance(post_id, int) or isinstance(post_id, bool) or not isinstance(link, str):
        return None
    if not link.startswith(("http://", "https://")):
        return None
    modified = item.get("modified_gmt")
    return ApiPost(
        id=post_id,
        link=link,
        # modified_gmt is naive UTC ("2024-07-15T10:00:00"); iso_utc reads naive as UTC.
        modified_gmt=iso_utc(modified) if isinstance(modified, str) else None,
        categories=_ids(item.get("categories")),
        tags=_ids(item.get("tags")),
    )


def _ids(value: object) -> tuple[int, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, int) and not isinstance(v, bool))
