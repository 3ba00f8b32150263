"""One URL canonicalization for the whole of marsad, and the key that says two URLs are one page.

The short link, the permalink with its Arabic slug raw or percent-encoded in either case, with or
without a trailing slash, with tracking parameters, `?share=…`, `/amp/` or a `#fragment`: all of
them must land on one page row. Percent-encoding, IDNA, dot segments and query sorting are done
by w3lib's `canonicalize_url` (Scrapy's, kept and tested against the RFCs); what w3lib leaves
alone (default ports, tracking parameters, AMP variants, the trailing-slash convention) is here.

`?p=95655` is deliberately kept distinct from the permalink: WordPress maps the short link to the
permalink with a redirect, and the fetcher records that redirect; guessing it here would be wrong
for any site that is not WordPress.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import unquote, unquote_plus, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url as _w3lib_canonicalize

# Query parameters that identify a campaign, a click or a share button, never a page. `utm_*` is
# matched as a prefix. `share` is Jetpack's sharing button (?share=twitter), `amp` the AMP
# plugin's query form, `replytocom` WordPress' comment-reply link, `relatedposts_*` Jetpack
# Related Posts' click tracking on every related link; WordPress' own page-selecting
# parameters (p, page_id, cat, tag, s, paged, feed, attachment_id) are never in this set.
TRACKING_PARAMS = frozenset(
    [
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "share",
        "amp",
        "noamp",
        "replytocom",
        "fb_action_ids",
        "fb_action_types",
        "fb_source",
        "fb_ref",
        "ref_src",
        "ref_url",
        "__twitter_impression",
        "s_cid",
        "at_medium",
        "at_campaign",
        "oly_enc_id",
        "oly_anon_id",
        "vero_id",
        "wickedid",
        "spm",
        "relatedposts_hit",
        "relatedposts_origin",
        "relatedposts_position",
    ]
)
_TRACKING_PREFIXES = ("utm_",)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# A last path segment with a short alphanumeric extension names a file (feed.xml, a.pdf), which
# never takes the trailing slash that WordPress adds to posts and archives.
_FILE_SEGMENT = re.compile(r"\.[A-Za-z0-9]{1,8}$")


# Pure and called for every link, alias and spelling of every check: a bounded cache spares
# re-parsing the same URLs (w3lib's canonicalization is most of a check's URL work).
@lru_cache(maxsize=16384)
def canonicalize(url: str, *, trailing_slash: bool | None = None) -> str:
    """The one spelling of `url` that marsad stores, fetches and compares.

    `trailing_slash` is the site's convention: True adds a slash to paths that do not name a
    file, False removes it, None keeps what the URL has. Raises ValueError for anything that is
    not an absolute http(s) URL, since such a string cannot be a page we watch.
    """
    text = url.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"cannot canonicalize {url!r}: not an absolute http(s) URL")
    rebuilt = urlunsplit(
        (
            scheme,
            _netloc(parts, scheme, url),
            _fold_amp(parts.path) or "/",
            _drop_tracking(parts.query),
            "",
        )
    )
    canonical = _w3lib_canonicalize(rebuilt, keep_fragments=False)
    if trailing_slash is None:
        return canonical
    parts = urlsplit(canonical)
    return urlunsplit(parts._replace(path=_apply_trailing_slash(parts.path, trailing_slash)))


def resolve(base: str, href: str | None) -> str | None:
    """`href` as found in a page, feed or header, made absolute against `base`; None when it is
    not an http(s) URL or cannot be parsed (scraped markup holds `http://[broken` too)."""
    if not href or not href.strip():
        return None
    try:
        url = urljoin(base, href.strip())
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return url


_UNPLAIN = frozenset("[];\t\r\n")


def join_url(base: str, href: str) -> str:
    """`urljoin(base, href)`, without its parse and reassembly when `href` is an absolute
    http(s) URL that the reassembly would give back unchanged, or a path from the root with no
    dot segments, which urljoin puts after the base's scheme and host; `base` must be such that
    urljoin could not raise. A page's canonical, image and shortlink, and most article links,
    are one or the other."""
    if _plain(base):
        if _plain(href):
            return href
        if href.startswith("/") and not href.startswith("//") and _plain_path(href):
            return _origin(base) + href
    return urljoin(base, href)


def _plain_path(path: str) -> bool:
    return (
        "/." not in path  # "." and ".." segments are resolved
        and path.isascii()
        and _UNPLAIN.isdisjoint(path)
        and not path.endswith(("?", "#"))
        and "?#" not in path
    )


def _origin(url: str) -> str:
    """Scheme and host of a plain URL: up to the first "/", "?" or "#" after "//"."""
    host = url.index("//") + 2
    end = len(url)
    for char in "/?#":
        found = url.find(char, host, end)
        if found != -1:
            end = found
    return url[:end]


def _plain(url: str) -> bool:
    # What urlsplit/urlunsplit would change or reject: an upper-case scheme, an empty host, an
    # empty "?" or "#" (dropped), ";" params, "[" "]" (IPv6 hosts, validated), tabs and line
    # breaks (removed), non-ASCII (host checked under NFKC).
    if url.startswith("https://"):
        host = 8
    elif url.startswith("http://"):
        host = 7
    else:
        return False
    return (
        len(url) > host
        and url[host] not in "/?#"
        and url.isascii()
        and _UNPLAIN.isdisjoint(url)
        and not url.endswith(("?", "#"))
        and "?#" not in url
    )


@lru_cache(maxsize=16384)
def url_key(url: str) -> str:
    """The dedup key: two URLs with one key are the same page.

    Beyond `canonicalize`, it folds what a site answers identically through a redirect: the scheme
    (http → https), a leading `www.` and the trailing slash. It is scheme-less on purpose
    (`europarabct.com/…`), so nobody mistakes it for a URL to fetch.
    """
    parts = urlsplit(canonicalize(url, trailing_slash=False))
    key = site_host(parts.netloc) + parts.path
    return f"{key}?{parts.query}" if parts.query else key


def site_host(url_or_host: str) -> str:
    """The host that names a site: lowercase, IDNA, no `www.`, no default port.

    Accepts a URL or a bare host (`www.europarabct.com`, `europarabct.com:8080`).
    """
    text = url_or_host.strip()
    if "//" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    host = _host(parts, url_or_host)
    host = host.removeprefix("www.")
    port = _port(parts, url_or_host)
    scheme = parts.scheme.lower()
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        return f"{host}:{port}"
    return host


def same_site(a: str, b: str, aliases: Iterable[str] = ()) -> bool:
    """Whether URLs `a` and `b` belong to one site: same host up to `www.`, or both among the
    declared `aliases` (hosts or URLs a target says are one site, e.g. an old domain).

    An unparseable URL is on no site.
    """
    try:
        host_a, host_b = site_host(a), site_host(b)
    except ValueError:
        return False
    if host_a == host_b:
        return True
    alias_hosts = {site_host(alias) for alias in aliases}
    return host_a in alias_hosts and host_b in alias_hosts


def _host(parts: object, original: str) -> str:
    hostname = getattr(parts, "hostname", None)
    if not hostname:
        raise ValueError(f"cannot read a host in {original!r}")
    # A fully qualified name's trailing dot (example.com.) names the same host.
    host = hostname.rstrip(".").lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise ValueError(f"cannot encode the host of {original!r} as IDNA: {error}") from None
    return f"[{host}]" if ":" in host else host


def _port(parts: object, original: str) -> int | None:
    try:
        return getattr(parts, "port", None)
    except ValueError:
        raise ValueError(f"cannot read the port in {original!r}") from None


def _netloc(parts: object, scheme: str, original: str) -> str:
    # User info is dropped: a scraped link's credentials are never ours to send, and
    # `user@host/x` is the same page as `host/x`.
    host = _host(parts, original)
    port = _port(parts, original)
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return host
    return f"{host}:{port}"


def _drop_tracking(query: str) -> str:
    kept = []
    for piece in query.split("&"):
        if not piece:
            continue
        name = unquote_plus(piece.split("=", 1)[0]).strip().lower()
        if name in TRACKING_PARAMS or name.startswith(_TRACKING_PREFIXES):
            continue
        kept.append(piece)
    return "&".join(kept)


def _fold_amp(path: str) -> str:
    """`/slug/amp/` is the AMP plugin's rendering of `/slug/`: the same article."""
    segments = path.split("/")
    trailing = segments[-1] == ""
    body = segments[:-1] if trailing else segments
    if len(body) >= 2 and body[-1].lower() == "amp":
        return "/".join(body[:-1]) + "/"
    return path


def _apply_trailing_slash(path: str, trailing_slash: bool) -> str:
    if trailing_slash:
        last = unquote(path.rsplit("/", 1)[-1])
        if path.endswith("/") or _FILE_SEGMENT.search(last):
            return path
        return path + "/"
    stripped = path.rstrip("/")
    return stripped or "/"


# Percent-escapes of UTF-8 sequences for non-ASCII characters: what `display_url` decodes.
# ASCII escapes (%2F, %3F, %20, %25, ...) stay encoded: decoded, they would change what the URL
# means or how it splits into path and query (RFC 3987 section 3.2).
_NON_ASCII_ESCAPES = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")
# Characters an IRI shown to a person must keep encoded (RFC 3987 sections 3.2 and 4.1): the
# bidirectional formatting marks (they would reorder the URL as it is read), other format and
# control characters, separators (an invisible space), and unassigned or private code points.
_KEEP_ENCODED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})


def display_url(url: str) -> str:
    """The URL as a person reads it (an IRI): an Arabic slug shown as Arabic letters, not as
    `%D8%AD%D9%84…`, and an IDNA host in its own script.

    For showing only: links, exports and comparisons keep the stored, encoded URL. Escapes that
    are not whole UTF-8 characters, ASCII escapes, and characters that could disguise the URL
    (bidi marks, invisible spaces) are left encoded, so the shown form names the same resource.
    """
    if "%" not in url and "xn--" not in url.lower():
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    netloc = parts.netloc
    if "xn--" in netloc.lower():
        netloc = _display_host(netloc)
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            _decode_escapes(parts.path),
            _decode_escapes(parts.query),
            _decode_escapes(parts.fragment),
        )
    )


def _display_host(netloc: str) -> str:
    userinfo, at, hostport = netloc.rpartition("@")
    host, colon, port = hostport.partition(":")
    labels = []
    for label in host.split("."):
        if label.lower().startswith("xn--"):
            try:
                label = label.encode("ascii").decode("idna")
            except UnicodeError:
                pass  # not valid IDNA: shown as written
        labels.append(label)
    return f"{userinfo}{at}{'.'.join(labels)}{colon}{port}"


def _decode_escapes(component: str) -> str:
    return _NON_ASCII_ESCAPES.sub(_decode_run, component)


def _decode_run(found: re.Match[str]) -> str:
    run = found.group()
    raw = bytes.fromhex(run.replace("%", ""))
    text = raw.decode("utf-8", errors="surrogateescape")
    out, index = [], 0
    for char in text:
        size = len(char.encode("utf-8", errors="surrogateescape"))
        escaped = run[index * 3 : (index + size) * 3]
        index += size
        if unicodedata.category(char) in _KEEP_ENCODED_CATEGORIES:
            out.append(escaped)  # not a whole character, or one that must stay visible as code
        else:
            out.append(char)
    return "".join(out)
