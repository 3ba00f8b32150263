"""HTML pages of the replica: templates in `templates/` filled with escaped data.

Every value that comes from data goes through `esc` before it reaches a template; fragments
built here from escaped pieces are passed on as HTML. Templates are `string.Template`, so a
missing value is a KeyError, not a silently empty spot.
"""

from __future__ import annotations

import hashlib
import html
import json
import random
from datetime import datetime
from functools import cache
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

from schedules.replica.data import (
    CATEGORIES,
    SITE_DESCRIPTION,
    SITE_NAME,
    SITE_TZ,
    Post,
    Term,
)

if TYPE_CHECKING:
    from schedules.replica.site import ReplicaSite

TEMPLATES = Path(__file__).parent / "templates"
# The month names of WordPress' Arabic locale (ar), as ECCI prints dates: "يوليو 22, 2024".
MONTHS_AR = (
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "مايو",
    "يونيو",
    "يوليو",
    "أغسطس",
    "سبتمبر",
    "أكتوبر",
    "نوفمبر",
    "ديسمبر",
)


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


@cache
def template(name: str) -> Template:
    return Template((TEMPLATES / name).read_text(encoding="utf-8"))


def fill(name: str, **values: object) -> str:
    return template(name).substitute(values)


def date_ar(moment: datetime) -> str:
    local = moment.astimezone(SITE_TZ)
    return f"{MONTHS_AR[local.month - 1]} {local.day}, {local.year}"


def site_time(moment: datetime) -> str:
    """A time as the site prints it (ISO 8601 with an offset, as Yoast writes
    article:published_time), not as marsad stores it (`store.timestamps.iso`)."""
    return moment.replace(microsecond=0).isoformat()


def excerpt(post: Post, words: int = 55) -> str:
    """WordPress' automatic excerpt: the first 55 words of the text, then [&hellip;]."""
    text = " ".join(b.text for b in post.blocks if b.kind == "p").split()
    return " ".join(text[:words]) + (" […]" if len(text) > words else "")


def block_html(site: ReplicaSite, post: Post, index: int) -> str:
    """One block, with the author's inline links placed around their phrases."""
    block = post.blocks[index]
    body = esc(block.text)
    for link in post.links:
        phrase = esc(link.phrase)
        if link.block != index or not phrase or phrase not in body:
            continue
        if isinstance(link.target, int):
            target = site.posts.get(link.target)
            href = (
                site.permalink(target)
                if target is not None
                else f"{site.base_url}/?p={link.target}"
            )
            anchor = f'<a href="{esc(href)}">{phrase}</a>'
        else:
            anchor = f'<a href="{esc(link.target)}" target="_blank" rel="noopener">{phrase}</a>'
        body = body.replace(phrase, anchor, 1)
    return f"<{block.kind}>{body}</{block.kind}>"


def content_html(site: ReplicaSite, post: Post) -> str:
    return "\n".join(block_html(site, post, i) for i in range(len(post.blocks)))


def term_links(site: ReplicaSite, ids: list[int], rel: str) -> str:
    terms = [site.terms[i] for i in ids if i in site.terms]
    return "، ".join(
        f'<a href="{esc(site.term_url(t))}" rel="{rel}">{esc(t.name)}</a>' for t in terms
    )


def json_ld(site: ReplicaSite, post: Post) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": post.title,
        "description": excerpt(post, 30),
        "datePublished": site_time(post.date),
        "dateModified": site_time(post.modified),
        "author": {
            "@type": "Person",
            "name": post.author.name,
            "url": site.author_url(post.author),
        },
        "publisher": {"@type": "Organization", "name": SITE_NAME, "url": f"{site.base_url}/"},
        "mainEntityOfPage": {"@type": "WebPage", "@id": site.permalink(post)},
        "articleSection": [site.terms[i].name for i in post.categories if i in site.terms],
        "keywords": [site.terms[i].name for i in post.tags if i in site.terms],
        "inLanguage": "ar",
    }
    # Markup characters as \u escapes (PHP's JSON_HEX_TAG|JSON_HEX_AMP): data cannot end the
    # script element early, and JSON parsers read the same string.
    text = (
        json.dumps(data, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
    return f'<script type="application/ld+json" class="yoast-schema-graph">{text}</script>'


def sidebar(site: ReplicaSite) -> str:
    """Chrome that changes without the article changing: counters, nonce, "most read"."""
    published = site.published()
    noise = site.noise
    rng = random.Random(noise)
    popular = rng.sample(published, min(5, len(published)))
    categories = "\n".join(
        f'<li class="cat-item cat-item-{t.id}"><a href="{esc(site.term_url(t))}">{esc(t.name)}</a>'
        f" ({len(site.in_term(t.id))})</li>"
        for t in site.terms.values()
        if t.taxonomy == "category"
    )
    return fill(
        "sidebar.html",
        base=esc(site.base_url),
        nonce=hashlib.sha1(f"nonce-{noise}".encode()).hexdigest()[:10],
        votes=412 + 3 * noise,
        visits=f"{1_284_377 + 17 * noise:,}",
        recent="\n".join(_list_item(site, p) for p in published[:5]),
        popular="\n".join(_list_item(site, p) for p in popular),
        categories=categories,
    )


def _list_item(site: ReplicaSite, post: Post) -> str:
    return f'<li><a href="{esc(site.permalink(post))}">{esc(post.title)}</a></li>'


def layout(
    site: ReplicaSite,
    *,
    title: str,
    canonical: str | None,
    main: str,
    body_class: str,
    head_extra: str = "",
    breadcrumbs: str = "",
) -> str:
    menu = "\n".join(
        f'<li class="menu-item menu-item-type-taxonomy menu-item-object-category">'
        f'<a href="{esc(site.term_url(t))}">{esc(t.name)}</a></li>'
        for t in CATEGORIES
    )
    return fill(
        "layout.html",
        title=esc(title),
        head_extra=head_extra,
        canonical_link=f'<link rel="canonical" href="{esc(canonical)}">' if canonical else "",
        base=esc(site.base_url),
        site_name=esc(SITE_NAME),
        site_description=esc(SITE_DESCRIPTION),
        body_class=body_class,
        today=esc(date_ar(site.now())),
        menu=menu,
        breadcrumbs=breadcrumbs,
        main=main,
        sidebar=sidebar(site),
        noise=site.noise,
    )


def breadcrumbs(site: ReplicaSite, *trail: tuple[str, str | None]) -> str:
    parts = [f'<a href="{esc(site.base_url)}/">الرئيسية</a>']
    for label, url in trail:
        parts.append(
            f'<a href="{esc(url)}">{esc(label)}</a>'
            if url
            else f'<span class="breadcrumb_last" aria-current="page">{esc(label)}</span>'
        )
    return f'<nav class="breadcrumbs" aria-label="مسار التنقل">{" &raquo; ".join(parts)}</nav>'


def post_page(site: ReplicaSite, post: Post) -> str:
    permalink, shortlink = site.permalink(post), site.shortlink(post)
    local = post.date.astimezone(SITE_TZ)
    primary = site.terms.get(post.categories[0]) if post.categories else None
    common = {
        "id": post.id,
        "title": esc(post.title),
        "base": esc(site.base_url),
        "year": f"{local:%Y}",
        "month": f"{local:%m}",
        "shortlink": esc(shortlink),
        "published_iso": site_time(post.date),
        "modified_iso": site_time(post.modified),
    }
    head = fill(
        "post_head.html",
        **common,
        excerpt=esc(excerpt(post, 30)),
        permalink=esc(permalink),
        site_name=esc(SITE_NAME),
        section=esc(primary.name if primary else ""),
        author_name=esc(post.author.name),
        jsonld=json_ld(site, post) if post.jsonld else "",
    )
    term_classes = " ".join(
        f"{'category' if site.terms[i].taxonomy == 'category' else 'tag'}-{esc(site.terms[i].slug)}"
        for i in post.categories + post.tags
        if i in site.terms
    )
    article = fill(
        "article.html",
        **common,
        term_classes=term_classes,
        author_url=esc(site.author_url(post.author)),
        author_name=esc(post.author.name),
        author_id=post.author.id,
        author_bio=esc(post.author.bio),
        published_ar=esc(date_ar(post.date)),
        modified_ar=esc(date_ar(post.modified)),
        category_links=term_links(site, post.categories, "category tag"),
        views=f"{(post.id * 7) % 5000 + 11 * site.noise:,}",
        body=content_html(site, post),
        share=fill("share.html", permalink=esc(permalink)),
        related=related(site, post),
        tag_links=term_links(site, post.tags, "tag"),
        navigation=navigation(site, post),
        comments=comments(site, post),
    )
    trail = [(primary.name, site.term_url(primary))] if primary else []
    return layout(
        site,
        title=f"{post.title} – {SITE_NAME}",
        canonical=permalink,
        main=article,
        body_class=f"post-template-default single single-post postid-{post.id} rtl",
        head_extra=head,
        breadcrumbs=breadcrumbs(site, *trail, (post.title, None)),
    )


def related(site: ReplicaSite, post: Post, count: int = 3) -> str:
    """Three posts of the same first category, nearest in date (what the related-posts plugins
    show most of the time); nothing at all when the category has no other post."""
    if not post.categories:
        return ""
    category = post.categories[0]
    pool = site.in_term(category)
    at = next((i for i, p in enumerate(pool) if p.id == post.id), 0)
    near = [p for p in pool[max(0, at - count) : at + count + 1] if p.id != post.id]
    near.sort(key=lambda p: (abs((p.date - post.date).total_seconds()), p.id))
    if not near:
        return ""
    name = site.terms[category].name if category in site.terms else ""
    items = "\n".join(
        fill(
            "related_item.html",
            url=esc(site.permalink(p)),
            title=esc(p.title),
            date_ar=esc(date_ar(p.date)),
            category=esc(name),
        )
        for p in near[:count]
    )
    return fill("related.html", items=items)


def navigation(site: ReplicaSite, post: Post) -> str:
    """the_post_navigation(): the previous and next published posts by date."""
    newest_first = site.published()
    index = site.position(post)
    if index is None:
        return ""
    links = []
    if index + 1 < len(newest_first):
        prev = newest_first[index + 1]
        links.append(
            f'<div class="nav-previous"><a href="{esc(site.permalink(prev))}" rel="prev">'
            f"{esc(prev.title)}</a></div>"
        )
    if index > 0:
        nxt = newest_first[index - 1]
        links.append(
            f'<div class="nav-next"><a href="{esc(site.permalink(nxt))}" rel="next">'
            f"{esc(nxt.title)}</a></div>"
        )
    return fill("navigation.html", links="".join(links)) if links else ""


def comments(site: ReplicaSite, post: Post) -> str:
    permalink = esc(site.permalink(post))
    items = "\n".join(
        fill(
            "comment.html",
            id=c.id,
            author=esc(c.author),
            text=esc(c.text),
            iso=site_time(c.date),
            date_ar=esc(date_ar(c.date)),
            permalink=permalink,
        )
        for c in post.comments
    )
    comment_list = (
        fill("comment_list.html", count=len(post.comments), title=esc(post.title), items=items)
        if post.comments
        else ""
    )
    return fill("comments.html", comment_list=comment_list, base=esc(site.base_url), id=post.id)


def archive_page(
    site: ReplicaSite,
    *,
    heading: str,
    url: str,
    posts: list[Post],
    page: int,
    pages: int,
    feed_url: str | None,
    body_class: str,
    label: str = "",
) -> str:
    """A listing of posts (home, category, tag, author), ten to a page as WordPress' default."""
    items = "\n".join(
        fill(
            "archive_item.html",
            id=p.id,
            url=esc(site.permalink(p)),
            title=esc(p.title),
            iso=site_time(p.date),
            date_ar=esc(date_ar(p.date)),
            excerpt=esc(excerpt(p)),
        )
        for p in posts
    )
    links = []
    if page > 1:
        prev_url = url if page == 2 else f"{url}page/{page - 1}/"
        links.append(f'<a class="prev page-numbers" href="{esc(prev_url)}">&laquo; السابق</a>')
    if page < pages:
        links.append(
            f'<a class="next page-numbers" href="{esc(url)}page/{page + 1}/">التالي &raquo;</a>'
        )
    pagination = (
        f'<nav class="navigation pagination" aria-label="ترقيم الصفحات"><div class="nav-links">'
        f"{''.join(links)}</div></nav>"
        if links
        else ""
    )
    description = f'<div class="archive-description"><p>{esc(label)}</p></div>' if label else ""
    main = fill(
        "archive.html",
        heading=esc(heading),
        description=description,
        items=items,
        pagination=pagination,
    )
    head = (
        f'<link rel="alternate" type="application/rss+xml" title="{esc(SITE_NAME)} &raquo; '
        f'{esc(heading)}" href="{esc(feed_url)}">'
        if feed_url
        else ""
    )
    canonical = url if page == 1 else f"{url}page/{page}/"
    return layout(
        site,
        title=f"{heading} – {SITE_NAME}",
        canonical=canonical,
        main=main,
        body_class=body_class,
        head_extra=head,
        breadcrumbs=breadcrumbs(site, (heading, None)) if heading != SITE_NAME else "",
    )


def not_found_page(site: ReplicaSite) -> str:
    return layout(
        site,
        title=f"لم يتم العثور على الصفحة – {SITE_NAME}",
        canonical=None,
        main=fill("not_found.html", base=esc(site.base_url)),
        body_class="error404 rtl",
    )


def term_heading(term: Term) -> str:
    return f"{'التصنيف' if term.taxonomy == 'category' else 'الوسم'}: {term.name}"
