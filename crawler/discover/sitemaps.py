"""Sitemaps: robots.txt `Sitemap:` lines, urlset and sitemapindex documents, gzip.

XML is parsed with defusedxml's iterparse: a scraped sitemap is untrusted input, and defusedxml
refuses entity declarations and external references outright (the "billion laughs" and XXE
attacks) instead of relying on the expat version's amplification limits; iterparse lets a
50,000-URL sitemap be read without holding its whole tree. gzip is recognized by its magic bytes
(servers often send `.xml.gz` without Content-Encoding) and decompressed with a size cap against
zip bombs.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from crawler.discover.candidate import Candidate, candidate, iso_utc
from crawler.urls import resolve

# sitemaps.org protocol: at most 50,000 URLs and 50 MB (52,428,800 bytes) uncompressed per file.
MAX_SITEMAP_BYTES = 52_428_800
MAX_SITEMAP_URLS = 50_000
GZIP_MAGIC = b"\x1f\x8b"
# Tried in order when robots.txt names no sitemap: WordPress core (5.5+), Yoast/Rank Math, generic.
DEFAULT_SITEMAP_PATHS = ("/wp-sitemap.xml", "/sitemap_index.xml", "/sitemap.xml")


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    lastmod: str | None  # ISO 8601 UTC, when the sitemap gave one


@dataclass(frozen=True)
class SitemapDoc:
    """A parsed sitemap: page `urls` (a urlset) or child sitemaps (`children`, a sitemapindex).

    `error` is set when the body was refused or unreadable; what was read before an error in a
    truncated file is kept, since a partial list of posts is still worth knowing.
    """

    urls: tuple[SitemapEntry, ...] = ()
    children: tuple[SitemapEntry, ...] = ()
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


# Child sitemaps that list archives or authors, never posts (WordPress core, Yoast, Rank Math).
_NOT_POSTS = re.compile(r"taxonom|users|author|categor|post_tag|tag-sitemap", re.IGNORECASE)
_XML_ENCODING = re.compile(r"^(\s*<\?xml[^>]*?)\s+encoding=[\"'][^\"']*[\"']")


def lists_posts(sitemap_url: str) -> bool:
    """Whether a child sitemap may list posts (by its name: not a taxonomy or author one)."""
    return not _NOT_POSTS.search(urlsplit(sitemap_url).path)


def xml_bytes(text: str) -> bytes:
    """A sitemap the fetcher handed as text, as bytes for `parse_sitemap`: the XML declaration's
    encoding no longer applies to it, so it is dropped."""
    return _XML_ENCODING.sub(r"\1", text, count=1).encode("utf-8")


def sitemaps_from_robots(text: str, robots_url: str | None = None) -> list[str]:
    """The `Sitemap:` lines of a robots.txt, in order, each once.

    The directive is case-insensitive and independent of user-agent groups (RFC 9309 §2.2.4 lets
    crawlers honour it anywhere). Relative values are resolved against `robots_url` when given.
    """
    found: list[str] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        name, sep, value = line.partition(":")
        if not sep or name.strip().lower() != "sitemap":
            continue
        url = resolve(robots_url or "", value)
        if url and url not in found:
            found.append(url)
    return found


def default_sitemap_urls(site_url: str) -> list[str]:
    """Where WordPress sites keep their sitemap when robots.txt does not say."""
    return [urljoin(site_url, path) for path in DEFAULT_SITEMAP_PATHS]


def parse_sitemap(data: bytes, *, max_bytes: int = MAX_SITEMAP_BYTES) -> SitemapDoc:
    """Read a sitemap body (plain or gzip). Never raises on bad input: see `SitemapDoc.error`."""
    if data[:2] == GZIP_MAGIC:
        try:
            data = _gunzip(data, max_bytes)
        except _TooLarge:
            return SitemapDoc(
                error=f"sitemap refused: more than {max_bytes} bytes once decompressed"
            )
        except (OSError, EOFError, zlib.error) as error:
            return SitemapDoc(error=f"sitemap is not valid gzip: {error}")
    elif len(data) > max_bytes:
        return SitemapDoc(error=f"sitemap refused: {len(data)} bytes is over the {max_bytes} limit")
    return _read_xml(data)


def sitemap_candidates(doc: SitemapDoc, source: str) -> list[Candidate]:
    """The sitemap's page URLs as Candidates (reason "sitemap", lastmod from the sitemap)."""
    found = (candidate(entry.loc, "sitemap", source, entry.lastmod) for entry in doc.urls)
    return [c for c in found if c is not None]


class _TooLarge(Exception):
    pass


def _gunzip(data: bytes, limit: int) -> bytes:
    with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
        out = stream.read(limit + 1)
    if len(out) > limit:
        raise _TooLarge
    return out


def _local(tag: str) -> str:
    """`{http://www.sitemaps.org/schemas/sitemap/0.9}loc` → `loc`: sitemaps come with the
    sitemaps.org namespace, Google's old one, or none at all."""
    return tag.rsplit("}", 1)[-1].lower()


def _read_xml(data: bytes) -> SitemapDoc:
    urls: list[SitemapEntry] = []
    children: list[SitemapEntry] = []
    root: str | None = None
    error: str | None = None
    try:
        for event, element in iterparse(
            io.BytesIO(data),
            events=("start", "end"),
            forbid_dtd=False,
            forbid_entities=True,
            forbid_external=True,
        ):
            if event == "start":
                if root is None:
                    root = _local(element.tag)
                    if root not in ("urlset", "sitemapindex"):
                        return SitemapDoc(error=f"not a sitemap: the root element is <{root}>")
                continue
            name = _local(element.tag)
            if name in ("url", "sitemap"):
                entry = _entry(element)
                if entry is not None:
                    (urls if name == "url" else children).append(entry)
                element.clear()  # keep memory flat on large sitemaps
                if len(urls) + len(children) >= MAX_SITEMAP_URLS:
                    error = f"sitemap truncated at the protocol's {MAX_SITEMAP_URLS} entries"
                    break
    except DefusedXmlException as refused:
        return SitemapDoc(
            error=f"sitemap refused: it declares XML entities or external "
            f"references ({type(refused).__name__})"
        )
    except ParseError as broken:
        error = f"sitemap is not well-formed XML: {broken}"
    if root is None and error is None:
        error = "sitemap is empty"
    return SitemapDoc(tuple(urls), tuple(children), error)


def _entry(element: Element) -> SitemapEntry | None:
    loc = lastmod = None
    for child in element:
        name = _local(child.tag)
        if name == "loc" and child.text:
            loc = child.text.strip()
        elif name == "lastmod" and child.text:
            lastmod = iso_utc(child.text)
    if not loc or not loc.startswith(("http://", "https://")):
        return None
    return SitemapEntry(loc, lastmod)
