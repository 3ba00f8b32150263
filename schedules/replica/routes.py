"""Which URL answers what, and the HTTP around it (validators, 304, gzip), WordPress-style.

`route` maps a request target to a `Page`; `respond` turns a page into status, headers and
bytes, answering 304 to a matching If-None-Match or If-Modified-Since (RFC 9110 §13.1: an
If-None-Match present makes If-Modified-Since ignored).
"""

from __future__ import annotations

import gzip
import hashlib
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from schedules.replica import feeds, pages
from schedules.replica.data import SITE_NAME, Post

if TYPE_CHECKING:
    from schedules.replica.site import ReplicaSite

HTML = "text/html; charset=UTF-8"
RSS = "application/rss+xml; charset=UTF-8"
ATOM = "application/atom+xml; charset=UTF-8"
XML = "application/xml; charset=UTF-8"
JSON = "application/json; charset=UTF-8"
PER_PAGE = 10  # WordPress' posts_per_page default
_SITEMAP_POSTS = re.compile(r"wp-sitemap-posts-post-(\d+)\.xml")
_SHARERS = {
    "facebook": "https://www.facebook.com/sharer.php?u=",
    "x": "https://x.com/intent/tweet?url=",
    "jetpack-whatsapp": "https://api.whatsapp.com/send?text=",
}


@dataclass
class Page:
    status: int
    content_type: str
    body: str | bytes
    last_modified: datetime | None = None
    headers: dict[str, str] = field(default_factory=dict)
    validators: bool = False  # ETag and Last-Modified are sent (pages, feeds, sitemaps)


def redirect(location: str, status: int = 301) -> Page:
    # WordPress' wp_redirect() sends X-Redirect-By naming who redirected.
    return Page(status, HTML, "", headers={"Location": location, "X-Redirect-By": "WordPress"})


def not_found(site: ReplicaSite) -> Page:
    return Page(
        404,
        HTML,
        pages.not_found_page(site),
        headers={"Cache-Control": "no-cache, must-revalidate, max-age=0"},
    )


def route(site: ReplicaSite, target: str) -> Page:
    parts = urlsplit(target)
    path, query = parts.path or "/", dict(parse_qsl(parts.query, keep_blank_values=True))
    if path == "/":
        return _front(site, query)
    segments = [unquote(s) for s in path.strip("/").split("/")]
    if segments[0] == "wp-json":  # REST routes have no trailing-slash convention
        return _rest(site, "/" + "/".join(segments[1:]), query)
    if not path.endswith("/") and "." not in segments[-1]:
        # redirect_canonical(): the permalink structure ends in a slash.
        found = _path(site, segments, query)
        if found.status in (200, 301):
            return redirect(site.base_url + path + "/" + (f"?{parts.query}" if parts.query else ""))
        return found
    return _path(site, segments, query)


def _front(site: ReplicaSite, query: dict[str, str]) -> Page:
    if "p" in query:
        post = site.posts.get(int(query["p"])) if query["p"].isdigit() else None
        return redirect(site.permalink(post)) if post and post.published else not_found(site)
    if "rest_route" in query:
        return _rest(site, query.pop("rest_route"), query)
    if "cat" in query or "tag" in query:
        term = next(
            (
                t
                for t in site.terms.values()
                if str(t.id) == query.get("cat") or t.slug == query.get("tag")
            ),
            None,
        )
        return redirect(site.term_url(term)) if term else not_found(site)
    if "s" in query:
        needle = query["s"]
        found = [
            p
            for p in site.published()
            if needle and (needle in p.title or any(needle in t for t in p.texts()))
        ]
        return _listing(
            site,
            found,
            1,
            f"نتائج البحث عن: {needle}",
            f"{site.base_url}/?s={quote(needle)}&",
            None,
            "search search-results",
        )
    return _listing(site, site.published(), 1, SITE_NAME, f"{site.base_url}/", None, "home blog")


def _path(site: ReplicaSite, segments: list[str], query: dict[str, str]) -> Page:
    head, rest = segments[0], segments[1:]
    if head == "page" and len(rest) == 1 and rest[0].isdigit():
        return _listing(
            site, site.published(), int(rest[0]), SITE_NAME, f"{site.base_url}/", None, "home blog"
        )
    if head == "feed" and rest in ([], ["rss2"], ["atom"]):
        return _feed(
            site, site.published(), SITE_NAME, f"{site.base_url}/", f"{site.base_url}/feed/", rest
        )
    if head == "robots.txt" and not rest:
        text = (
            site.robots if site.robots is not None else pages.fill("robots.txt", base=site.base_url)
        )
        return Page(200, "text/plain; charset=UTF-8", text)
    if head.startswith(("wp-sitemap", "sitemap")) and not rest:
        return _sitemap(site, head)
    if head in ("category", "tag", "author") and rest:
        return _archive(site, head, rest[0], rest[1:])
    if len(segments) == 4 and all(s.isdigit() for s in segments[:3]):
        return _post(site, segments, query)
    return not_found(site)


def _post(site: ReplicaSite, segments: list[str], query: dict[str, str]) -> Page:
    slug = segments[3]
    post = site.by_slug(slug) or next((p for p in site.posts.values() if slug in p.old_slugs), None)
    if post is None or not post.published:
        return not_found(site)
    permalink = site.permalink(post)
    if post.slug != slug or segments[:3] != post.path().strip("/").split("/")[:3]:
        return redirect(permalink)
    if query.get("share") in _SHARERS:  # Jetpack sharing: a same-site URL that leaves the site
        return redirect(_SHARERS[query["share"]] + quote(permalink, safe=""), 302)
    headers = {
        "Link": f'<{site.base_url}/wp-json/>; rel="https://api.w.org/", '
        f'<{site.base_url}/wp-json/wp/v2/posts/{post.id}>; rel="alternate"; type="application/json", '
        f"<{site.shortlink(post)}>; rel=shortlink"
    }
    return Page(
        200, HTML, pages.post_page(site, post), post.last_activity(), headers, validators=True
    )


def _archive(site: ReplicaSite, kind: str, slug: str, tail: list[str]) -> Page:
    if kind == "author":
        author = site.authors.get(slug.lower())
        if author is None:
            return not_found(site)
        posts = [p for p in site.published() if p.author.slug == author.slug]
        heading, url, body_class = (
            f"الكاتب: {author.name}",
            site.author_url(author),
            "archive author",
        )
    else:
        taxonomy = "category" if kind == "category" else "post_tag"
        term = next(
            (
                t
                for t in site.terms.values()
                if t.taxonomy == taxonomy and t.slug.lower() == slug.lower()
            ),
            None,
        )
        if term is None:
            return not_found(site)
        posts = site.in_term(term.id)
        heading, url = pages.term_heading(term), site.term_url(term)
        body_class = f"archive {kind} {kind}-{term.id}"
    if tail and tail[0] == "feed" and tail[1:] in ([], ["rss2"], ["atom"]):
        return _feed(site, posts, f"{SITE_NAME} » {heading}", url, f"{url}feed/", tail[1:])
    if not tail:
        return _listing(site, posts, 1, heading, url, f"{url}feed/", body_class)
    if len(tail) == 2 and tail[0] == "page" and tail[1].isdigit():
        return _listing(site, posts, int(tail[1]), heading, url, f"{url}feed/", body_class)
    return not_found(site)


def _listing(
    site: ReplicaSite,
    posts: list[Post],
    page: int,
    heading: str,
    url: str,
    feed_url: str | None,
    body_class: str,
) -> Page:
    count = max(1, math.ceil(len(posts) / PER_PAGE))
    if not 1 <= page <= count:
        return not_found(site)
    shown = posts[(page - 1) * PER_PAGE : page * PER_PAGE]
    body = pages.archive_page(
        site,
        heading=heading,
        url=url,
        posts=shown,
        page=page,
        pages=count,
        feed_url=feed_url,
        body_class=f"{body_class} rtl",
    )
    return Page(200, HTML, body, site.last_change, validators=True)


def _feed(
    site: ReplicaSite, posts: list[Post], title: str, link: str, self_url: str, tail: list[str]
) -> Page:
    if tail == ["atom"]:
        body = feeds.atom(site, title=title, link=link, self_url=self_url + "atom/", posts=posts)
        return Page(200, ATOM, body, site.last_change, validators=True)
    body = feeds.rss(site, title=title, link=link, self_url=self_url, posts=posts)
    return Page(200, RSS, body, site.last_change, validators=True)


def _sitemap(site: ReplicaSite, name: str) -> Page:
    body: str | None = None
    if name == "sitemap.xml":
        return redirect(f"{site.base_url}/wp-sitemap.xml")  # core's redirect for the usual guess
    if name == "wp-sitemap.xml":
        body = feeds.sitemap_index(site)
    elif match := _SITEMAP_POSTS.fullmatch(name):
        body = feeds.sitemap_posts(site, int(match.group(1)))
    elif name in ("wp-sitemap-taxonomies-category-1.xml", "wp-sitemap-taxonomies-post_tag-1.xml"):
        taxonomy = "category" if "category" in name else "post_tag"
        used = {i for p in site.published() for i in p.categories + p.tags}
        body = feeds.sitemap_locs(
            site,
            [
                site.term_url(t)
                for t in site.terms.values()
                if t.taxonomy == taxonomy and t.id in used
            ],
        )
    elif name == "wp-sitemap-users-1.xml":
        body = feeds.sitemap_locs(site, [site.author_url(a) for a in site.authors.values()])
    elif name in ("wp-sitemap-index.xsl", "wp-sitemap.xsl"):
        return Page(200, "application/xml; charset=UTF-8", pages.fill("sitemap.xsl"))
    if body is None:
        return not_found(site)
    return Page(
        200, XML, body, site.last_change, {"X-Robots-Tag": "noindex, follow"}, validators=True
    )


def _rest(site: ReplicaSite, route_: str, query: dict[str, str]) -> Page:
    headers = {
        "X-Robots-Tag": "noindex",
        "X-Content-Type-Options": "nosniff",
        "Link": f'<{site.base_url}/wp-json/>; rel="https://api.w.org/"',
        "Allow": "GET",
    }
    if site.rest_status == 404:
        return not_found(site)
    if site.rest_status is not None:
        error = (
            feeds.RestError(
                401, "rest_login_required", "REST API restricted to authenticated users."
            )
            if site.rest_status == 401
            else feeds.RestError(
                site.rest_status, "rest_forbidden", "عذراً، غير مسموح لك بالقيام بذلك."
            )
        )
        return Page(error.status, JSON, feeds.rest_json(error.body()), headers=headers)
    route_ = "/" + route_.strip("/")
    try:
        value, extra = _rest_value(site, route_, query)
    except feeds.RestError as error:
        return Page(error.status, JSON, feeds.rest_json(error.body()), headers=headers)
    return Page(200, JSON, feeds.rest_json(value), headers={**headers, **extra})


def _rest_value(
    site: ReplicaSite, route_: str, query: dict[str, str]
) -> tuple[object, dict[str, str]]:
    if route_ == "/":
        return {
            "name": SITE_NAME,
            "url": site.base_url,
            "home": site.base_url,
            "gmt_offset": 2,
            "timezone_string": "Europe/Berlin",
            "namespaces": ["oembed/1.0", "wp/v2"],
            "routes": {"/wp/v2/posts": {"methods": ["GET"]}},
        }, {}
    if route_ == "/wp/v2/posts":
        return feeds.rest_posts(site, query, route_)
    if match := re.fullmatch(r"/wp/v2/posts/(\d+)", route_):
        post = site.posts.get(int(match.group(1)))
        if post is None or not post.published:
            raise feeds.RestError(404, "rest_post_invalid_id", "Invalid post ID.")
        return feeds.post_json(site, post), {}
    if route_ in ("/wp/v2/categories", "/wp/v2/tags"):
        taxonomy = "category" if route_.endswith("categories") else "post_tag"
        terms = [feeds.term_json(site, t.id) for t in site.terms.values() if t.taxonomy == taxonomy]
        return terms, {"X-WP-Total": str(len(terms)), "X-WP-TotalPages": "1"}
    raise feeds.RestError(
        404, "rest_no_route", "No route was found matching the URL and request method."
    )


# ---- HTTP ------------------------------------------------------------------------------------


def respond(
    site: ReplicaSite, page: Page, request_headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body for a page: validators, 304, and gzip as nginx would add it."""
    body = page.body.encode("utf-8") if isinstance(page.body, str) else page.body
    headers = {"Content-Type": page.content_type, **page.headers}
    if site.validators and page.validators and page.status == 200:
        # The body and its modified time: a no-op save (touch) is a new representation too.
        stamp = page.last_modified.isoformat().encode() if page.last_modified else b""
        etag = '"' + hashlib.sha1(stamp + body).hexdigest()[:20] + '"'
        compress = site.gzip and "gzip" in request_headers.get("accept-encoding", "")
        headers["ETag"] = f"W/{etag}" if compress else etag  # nginx weakens ETags it gzips
        if page.last_modified is not None:
            headers["Last-Modified"] = format_datetime(
                page.last_modified.astimezone(UTC), usegmt=True
            )
        if _not_modified(request_headers, etag, page.last_modified):
            headers.pop("Content-Type")
            return 304, headers, b""
    if site.gzip and len(body) > 256 and "gzip" in request_headers.get("accept-encoding", ""):
        body = gzip.compress(body, mtime=0)
        headers["Content-Encoding"] = "gzip"
        headers["Vary"] = "Accept-Encoding"
    headers["Content-Length"] = str(len(body))
    return page.status, headers, body


def _not_modified(request: dict[str, str], etag: str, last_modified: datetime | None) -> bool:
    if "if-none-match" in request:
        # Weak comparison (RFC 9110 §13.1.2): W/"x" matches "x".
        tags = {t.strip().removeprefix("W/") for t in request["if-none-match"].split(",")}
        return "*" in tags or etag in tags
    if "if-modified-since" in request and last_modified is not None:
        try:
            since = parsedate_to_datetime(request["if-modified-since"])
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False
        return last_modified.replace(microsecond=0) <= since
    return False
