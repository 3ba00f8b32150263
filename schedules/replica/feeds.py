"""The machine-readable faces of the replica: RSS and Atom feeds, core sitemaps, the REST API.

Shapes follow WordPress 6.5 core output (wp-includes/feed-rss2.php, feed-atom.php,
class-wp-sitemaps-*.php, class-wp-rest-posts-controller.php) closely enough that a client
written against the real site works here, quirks included (escaped slashes in JSON, lowercase
encoded slugs in the REST `slug` field, GMT and local dates side by side).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING

from schedules.replica.data import SITE_DESCRIPTION, SITE_NAME, SITE_TZ, Post, encode_slug
from schedules.replica.pages import content_html, esc, excerpt, fill, site_time

if TYPE_CHECKING:
    from schedules.replica.site import ReplicaSite

FEED_SIZE = 10  # WordPress' posts_per_rss default
SITEMAP_SIZE = 2000  # wp_sitemaps_get_max_urls() default
REST_MAX_PER_PAGE = 100


def cdata(text: str) -> str:
    """A CDATA section that survives a "]]>" inside the data."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _feed_content(site: ReplicaSite, post: Post) -> str:
    # Yoast appends this line to every feed item; real feeds carry it, so clients must cope.
    return (
        content_html(site, post) + f'\n<p>ظهرت المقالة <a href="{esc(site.permalink(post))}">'
        f'{esc(post.title)}</a> أولاً على <a href="{esc(site.base_url)}">{esc(SITE_NAME)}</a>.</p>'
    )


def _term_names(site: ReplicaSite, post: Post) -> list[str]:
    return [site.terms[i].name for i in post.categories + post.tags if i in site.terms]


def rss(site: ReplicaSite, *, title: str, link: str, self_url: str, posts: list[Post]) -> str:
    posts = posts[:FEED_SIZE]
    items = "\n".join(
        fill(
            "rss_item.xml",
            title=esc(p.title),
            link=esc(site.permalink(p)),
            author=cdata(p.author.name),
            pub_date=format_datetime(p.date),
            categories="\n".join(
                f"\t\t<category>{cdata(n)}</category>" for n in _term_names(site, p)
            ),
            guid=esc(site.shortlink(p)),
            description=cdata(excerpt(p)),
            content=cdata(_feed_content(site, p)),
            comments=len(p.comments),
        )
        for p in posts
    )
    built = max((p.modified for p in posts), default=site.last_change)
    return fill(
        "rss.xml",
        title=esc(title),
        link=esc(link),
        self=esc(self_url),
        description=esc(SITE_DESCRIPTION),
        last_build=format_datetime(built),
        items=items,
    )


def atom(site: ReplicaSite, *, title: str, link: str, self_url: str, posts: list[Post]) -> str:
    posts = posts[:FEED_SIZE]
    entries = "\n".join(
        fill(
            "atom_entry.xml",
            author=esc(p.author.name),
            author_url=esc(site.author_url(p.author)),
            title=cdata(p.title),
            link=esc(site.permalink(p)),
            guid=esc(site.shortlink(p)),
            updated=site_time(p.modified),
            published=site_time(p.date),
            categories="\n".join(
                f'\t\t<category scheme="{esc(site.base_url)}" term="{esc(n)}" />'
                for n in _term_names(site, p)
            ),
            summary=cdata(excerpt(p)),
            content=cdata(_feed_content(site, p)),
            comments=len(p.comments),
        )
        for p in posts
    )
    updated = max((p.modified for p in posts), default=site.last_change)
    return fill(
        "atom.xml",
        title=esc(title),
        description=esc(SITE_DESCRIPTION),
        link=esc(link),
        self=esc(self_url),
        updated=site_time(updated),
        entries=entries,
    )


def sitemap_index(site: ReplicaSite) -> str:
    base = site.base_url
    pages = max(1, math.ceil(len(site.published()) / SITEMAP_SIZE))
    locs = [f"{base}/wp-sitemap-posts-post-{n}.xml" for n in range(1, pages + 1)]
    locs += [
        f"{base}/wp-sitemap-taxonomies-category-1.xml",
        f"{base}/wp-sitemap-taxonomies-post_tag-1.xml",
        f"{base}/wp-sitemap-users-1.xml",
    ]
    entries = "".join(f"<sitemap><loc>{esc(loc)}</loc></sitemap>" for loc in locs)
    return fill("sitemap_index.xml", base=esc(base), entries=entries)


def sitemap_posts(site: ReplicaSite, page: int) -> str | None:
    """Core orders posts by ID and, since WordPress 6.5, gives each its lastmod."""
    posts = sorted(site.published(), key=lambda p: p.id)
    chunk = posts[(page - 1) * SITEMAP_SIZE : page * SITEMAP_SIZE]
    if not chunk:
        return None
    entries = "".join(
        f"<url><loc>{esc(site.permalink(p))}</loc><lastmod>{site_time(p.modified)}</lastmod></url>"
        for p in chunk
    )
    return fill("sitemap_urlset.xml", base=esc(site.base_url), entries=entries)


def sitemap_locs(site: ReplicaSite, urls: list[str]) -> str:
    entries = "".join(f"<url><loc>{esc(url)}</loc></url>" for url in urls)
    return fill("sitemap_urlset.xml", base=esc(site.base_url), entries=entries)


# ---- REST API -------------------------------------------------------------------------------


class RestError(Exception):
    def __init__(self, status: int, code: str, message: str, **data: object) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.data = status, code, message, data

    def body(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "data": {"status": self.status, **self.data},
        }


def rest_json(value: object) -> bytes:
    """wp_json_encode() without JSON_UNESCAPED_*: \\u escapes and escaped slashes, like the real site."""
    return json.dumps(value).replace("/", "\\/").encode("ascii")


def _local_naive(moment: datetime) -> str:
    return moment.astimezone(SITE_TZ).replace(tzinfo=None, microsecond=0).isoformat()


def _gmt_naive(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat()


def post_json(site: ReplicaSite, post: Post) -> dict[str, object]:
    return {
        "id": post.id,
        "date": _local_naive(post.date),
        "date_gmt": _gmt_naive(post.date),
        "guid": {"rendered": site.shortlink(post)},
        "modified": _local_naive(post.modified),
        "modified_gmt": _gmt_naive(post.modified),
        "slug": encode_slug(post.slug, "lower"),
        "status": "publish",
        "type": "post",
        "link": site.permalink(post),
        "title": {"rendered": esc(post.title)},
        "content": {"rendered": content_html(site, post) + "\n", "protected": False},
        "excerpt": {"rendered": f"<p>{esc(excerpt(post))}</p>\n", "protected": False},
        "author": post.author.id,
        "featured_media": 0,
        "comment_status": "open",
        "ping_status": "open",
        "sticky": False,
        "template": "",
        "format": "standard",
        "meta": [],
        "categories": list(post.categories),
        "tags": list(post.tags),
    }


def term_json(site: ReplicaSite, term_id: int) -> dict[str, object]:
    term = site.terms[term_id]
    count = len(site.in_term(term_id))
    return {
        "id": term.id,
        "count": count,
        "description": "",
        "link": site.term_url(term),
        "name": term.name,
        "slug": encode_slug(term.slug, "lower"),
        "taxonomy": term.taxonomy,
    }


def _ids(params: dict[str, str], name: str) -> list[int] | None:
    if name not in params:
        return None
    try:
        return [int(v) for v in params[name].split(",") if v.strip()]
    except ValueError:
        raise RestError(
            400,
            "rest_invalid_param",
            f"Invalid parameter(s): {name}",
            params={name: f"{name}[0] is not of type integer."},
        ) from None


def _moment(params: dict[str, str], name: str) -> datetime | None:
    """ISO 8601 as the REST API reads it: without an offset the site's timezone is meant."""
    if name not in params:
        return None
    try:
        moment = datetime.fromisoformat(params[name])
    except ValueError:
        raise RestError(
            400,
            "rest_invalid_param",
            f"Invalid parameter(s): {name}",
            params={name: "Invalid date."},
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=SITE_TZ)


def _int(params: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    try:
        value = int(params.get(name, default))
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise RestError(
            400,
            "rest_invalid_param",
            f"Invalid parameter(s): {name}",
            params={name: f"{name} must be between {low} ({low}) and {high} ({high})"},
        )
    return value


def rest_posts(
    site: ReplicaSite, params: dict[str, str], route: str
) -> tuple[list[dict[str, object]], dict[str, str]]:
    """GET /wp/v2/posts with the filters discovery uses; returns items and paging headers."""
    posts = site.published()
    include, exclude = _ids(params, "include"), _ids(params, "exclude")
    categories, tags = _ids(params, "categories"), _ids(params, "tags")
    bounds = {
        name: _moment(params, name)
        for name in ("after", "before", "modified_after", "modified_before")
    }
    per_page = _int(params, "per_page", 10, 1, REST_MAX_PER_PAGE)
    page = _int(params, "page", 1, 1, 10**9)
    if include is not None:
        posts = [p for p in posts if p.id in include]
    if exclude:
        posts = [p for p in posts if p.id not in exclude]
    if categories is not None:
        posts = [p for p in posts if set(categories) & set(p.categories)]
    if tags is not None:
        posts = [p for p in posts if set(tags) & set(p.tags)]
    if "slug" in params:
        slugs = {s for s in params["slug"].split(",") if s}
        posts = [p for p in posts if p.slug in slugs or encode_slug(p.slug, "lower") in slugs]
    if "search" in params:
        needle = params["search"]
        posts = [p for p in posts if needle in p.title or any(needle in t for t in p.texts())]
    for name, moment in bounds.items():
        if moment is not None:
            field = "modified" if name.startswith("modified") else "date"
            after = name.endswith("after")
            posts = [
                p
                for p in posts
                if (getattr(p, field) > moment) == after and getattr(p, field) != moment
            ]
    orderby = params.get("orderby", "date")
    keys = {
        "date": lambda p: (p.date, p.id),
        "modified": lambda p: (p.modified, p.id),
        "id": lambda p: p.id,
        "title": lambda p: p.title,
        "include": lambda p: -(include or []).index(p.id) if include and p.id in include else 0,
    }
    if orderby not in keys:
        raise RestError(
            400,
            "rest_invalid_param",
            "Invalid parameter(s): orderby",
            params={"orderby": f"orderby is not one of {', '.join(keys)}."},
        )
    posts = sorted(posts, key=keys[orderby], reverse=params.get("order", "desc") != "asc")
    total = len(posts)
    pages = math.ceil(total / per_page)
    if page > max(pages, 1):
        raise RestError(
            400,
            "rest_post_invalid_page_number",
            "The page number requested is larger than the number of pages available.",
        )
    items: list[dict[str, object]] = [
        post_json(site, p) for p in posts[(page - 1) * per_page : page * per_page]
    ]
    if "_fields" in params:
        wanted = {f.split(".")[0] for f in params["_fields"].split(",")}
        items = [{k: v for k, v in item.items() if k in wanted} for item in items]
    headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
    if page < pages:
        headers["Link"] = f'<{site.rest_url(route, {**params, "page": str(page + 1)})}>; rel="next"'
    return items, headers
