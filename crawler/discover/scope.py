"""What discovery may follow for one target, and what kind of page a URL is.

Archive, feed and sitemap pages are read to find posts but never stored as articles; the frontier
asks `page_kind` which is which, and `DiscoveryScope.allows` whether a URL may be followed at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser

from crawler.patterns import PatternError, UserPattern, compile_pattern
from crawler.urls import canonicalize, same_site, site_host

PageKind = Literal["article", "archive", "feed", "sitemap", "other"]
NAVIGATION_KINDS: frozenset[PageKind] = frozenset({"archive", "feed", "sitemap"})

# WordPress' own machinery: never a page a reader reads.
_MACHINERY = frozenset(
    [
        "wp-admin",
        "wp-includes",
        "wp-content",
        "wp-json",
        "wp-login.php",
        "xmlrpc.php",
        "wp-cron.php",
        "wp-trackback.php",
        "wp-comments-post.php",
        "cdn-cgi",
    ]
)
# Files linked from articles (uploads, documents, media): not pages to watch.
FILE_EXTENSIONS = frozenset(
    [
        "pdf",
        "jpg",
        "jpeg",
        "png",
        "gif",
        "webp",
        "svg",
        "bmp",
        "ico",
        "tif",
        "tiff",
        "avif",
        "mp3",
        "mp4",
        "m4a",
        "ogg",
        "wav",
        "webm",
        "avi",
        "mov",
        "wmv",
        "flv",
        "zip",
        "rar",
        "7z",
        "gz",
        "tar",
        "exe",
        "apk",
        "dmg",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "odt",
        "rtf",
        "csv",
        "txt",
        "css",
        "js",
        "json",
        "woff",
        "woff2",
        "ttf",
        "eot",
        "epub",
    ]
)
_ARCHIVE_BASES = frozenset({"category", "tag", "author", "search"})
_FEED_NAMES = frozenset({"feed", "rss", "rss2", "atom", "rdf"})
_ARCHIVE_QUERY = frozenset(
    {"cat", "tag", "author", "author_name", "s", "m", "paged", "year", "monthnum", "category_name"}
)
_ARTICLE_QUERY = frozenset({"p", "page_id", "name", "pagename"})
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,5})$")

# WordPress' body_class(): `single single-post postid-95655` on a post, `page page-id-2` on a
# static page, `archive category category-security` on a category archive, and so on.
_ARCHIVE_BODY = frozenset(
    {"archive", "category", "tag", "author", "date", "search", "blog", "search-results"}
)
_ARTICLE_BODY = frozenset({"single", "single-post", "page"})


def page_kind(url: str, html: str | None = None) -> PageKind:
    """Whether `url` is an article (stored and watched), a navigation page (archive, feed,
    sitemap: read for discovery only) or something else (files, wp-admin, the REST API).

    With `html`, WordPress' body classes decide, since custom permalink and taxonomy bases make
    URL shapes ambiguous; the URL shape is the fallback.
    """
    if html:
        kind = _kind_from_html(html)
        if kind is not None:
            return kind
    return _kind_from_url(url)


def child_depth(parent_depth: int, parent_kind: PageKind) -> int:
    """The depth of a page found on a page of `parent_kind` at `parent_depth`.

    Navigation pages do not count as a hop: a post listed in the seed's category archive is at
    depth 1, like a post the seed links to, which is what "depth 1" promises a user.
    """
    return parent_depth if parent_kind in NAVIGATION_KINDS else parent_depth + 1


@dataclass(frozen=True)
class DiscoveryScope:
    """One target's discovery limits, from its `[discovery]` table in seeds/watch.toml.

    `hosts` are the site's hosts (and declared aliases); `include`/`exclude` are regular
    expressions searched in the canonical URL and in its percent-decoded form, so an Arabic
    pattern matches an encoded slug. Include patterns choose which articles are watched; archive,
    feed and sitemap pages of the site stay readable so discovery can work. Exclude patterns
    apply to every URL.
    """

    hosts: tuple[str, ...]
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_depth: int = 1
    max_pages: int = 200
    enabled: bool = True
    _include: tuple[UserPattern, ...] = field(init=False, repr=False, compare=False)
    _exclude: tuple[UserPattern, ...] = field(init=False, repr=False, compare=False)
    _given_up: set[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("hosts", "include", "exclude"):
            value = getattr(self, name)
            object.__setattr__(self, name, (value,) if isinstance(value, str) else tuple(value))
        if self.enabled and not self.hosts:
            raise ValueError(
                "discovery scope: `hosts` is empty; give the site's host, e.g. "
                "'www.europarabct.com'"
            )
        if self.max_depth < 0 or self.max_pages < 0:
            raise ValueError(
                f"discovery scope: max_depth ({self.max_depth}) and max_pages "
                f"({self.max_pages}) must be 0 or more"
            )
        object.__setattr__(self, "_include", _compile("include", self.include))
        object.__setattr__(self, "_exclude", _compile("exclude", self.exclude))
        object.__setattr__(self, "_given_up", set())  # patterns that ran out of time

    @classmethod
    def for_seed(
        cls, seed_url: str, *, aliases: Iterable[str] = (), **limits: object
    ) -> DiscoveryScope:
        """The default scope of a target: its seed's site (plus `aliases`) and default limits."""
        return cls(hosts=(site_host(seed_url), *aliases), **limits)  # type: ignore[arg-type]

    def on_site(self, url: str) -> tuple[bool, str]:
        """Whether `url` is on the target's site (its host and port, or a declared alias): the
        only rule for robots.txt and the REST API, whose addresses a page announces."""
        try:
            canonical = canonicalize(url)
        except ValueError:
            return False, "not an http(s) URL"
        if not same_site(canonical, self.hosts[0], aliases=self.hosts):
            return False, f"off-site: {site_host(canonical)} is not one of {', '.join(self.hosts)}"
        return True, "on site"

    def allows(self, url: str, *, depth: int | None = None) -> tuple[bool, str]:
        """Whether discovery may follow `url` (at `depth`, when given), and the reason why not,
        in words a user reads in the frontier."""
        if not self.enabled:
            return False, "discovery is off for this target"
        on_site, why = self.on_site(url)
        if not on_site:
            return False, why
        canonical = canonicalize(url)
        kind = _kind_from_url(canonical)
        if kind == "other":
            return False, "not a page: a file, wp-admin or API address"
        forms = (canonical, unquote(canonical))
        for pattern in self._exclude:
            # a pattern that ran out of time excludes: better a page missed than one unwanted
            found = self._search(pattern, forms, "exclude pattern")
            if found is None:
                return False, f"exclude pattern {pattern.pattern!r} ran out of time"
            if found:
                return False, f"excluded by pattern {pattern.pattern!r}"
        included = any(self._search(pattern, forms, "include pattern") for pattern in self._include)
        if self._include and kind == "article" and not included:
            return False, "matches none of the include patterns"
        if depth is not None and depth > self.max_depth:
            return False, f"depth {depth} is beyond max_depth {self.max_depth}"
        return True, "in scope"

    def _search(self, pattern: UserPattern, forms: tuple[str, ...], what: str) -> bool | None:
        """Whether `pattern` occurs in one of `forms`; None once it ran out of time with this
        scope (one discovery pass), after which it is not tried again."""
        if pattern.pattern in self._given_up:
            return None
        for form in forms:
            found = pattern.search(form, what=what)
            if found is None:
                self._given_up.add(pattern.pattern)
                return None
            if found:
                return True
        return False

    def has_room(self, known_pages: int) -> bool:
        """Whether the frontier, holding `known_pages` pages of this target, may add one more."""
        return known_pages < self.max_pages


def _compile(name: str, patterns: tuple[str, ...]) -> tuple[UserPattern, ...]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(compile_pattern(pattern))
        except PatternError as error:
            raise ValueError(
                f"discovery {name} pattern {error}; escape literal characters such as ? . +"
                " with a backslash"
            ) from None
    return tuple(compiled)


def _kind_from_url(url: str) -> PageKind:
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. "http://[broken": not a page at all
        return "other"
    segments = [unquote(s).lower() for s in parts.path.split("/") if s]
    query = {key.lower() for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    if segments == ["index.php"]:  # WordPress' front controller is the site root
        segments = []
    last = segments[-1] if segments else ""
    if _MACHINERY.intersection(segments) or "rest_route" in query or "attachment_id" in query:
        return "other"
    if "attachment" in segments[:-1]:  # WordPress attachment pages: /post-slug/attachment/img/
        return "other"
    if "sitemap" in last and last.endswith((".xml", ".xml.gz")):
        return "sitemap"
    if "sitemap" in query:  # Yoast and others with plain permalinks: ?sitemap=posts
        return "sitemap"
    extension = _EXTENSION.search(last)
    if extension and extension.group(1).lower() in FILE_EXTENSIONS:
        return "other"
    if "feed" in query or ("feed" in segments[-2:] and last in _FEED_NAMES):
        return "feed"
    if query & _ARTICLE_QUERY:
        return "article"
    if not segments or query & _ARCHIVE_QUERY:
        return "archive"
    if segments[0] in _ARCHIVE_BASES:
        return "archive"
    if len(segments) >= 2 and segments[-2] == "page" and last.isdigit():  # /page/2/
        return "archive"
    widths = [len(s) if s.isdigit() else 0 for s in segments]
    if widths in ([4], [4, 2], [4, 2, 2]):  # date archives /2024/, /2024/07/, /2024/07/15/
        return "archive"
    return "article"


def _kind_from_html(html: str) -> PageKind | None:
    head = html.lstrip()[:512].lower()
    if head.startswith(("<?xml", "<rss", "<feed")):
        if "<urlset" in head or "<sitemapindex" in head:
            return "sitemap"
        if "<rss" in head or "<feed" in head or "<rdf" in head:
            return "feed"
    body = LexborHTMLParser(html).css_first("body")
    classes = set((body.attributes.get("class") or "").split()) if body is not None else set()
    if not classes:
        return None
    if "error404" in classes or "attachment" in classes:
        return "other"
    if classes & _ARCHIVE_BODY:
        return "archive"
    if classes & _ARTICLE_BODY or any(c.startswith(("postid-", "page-id-")) for c in classes):
        return "article"
    if "home" in classes:  # the front page listing the latest posts
        return "archive"
    return None
