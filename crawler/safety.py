"""Which URLs we may ask for and which addresses we may connect to.

Three doors, each checked for every seed, link, redirect hop and robots.txt request:

1. the URL's *form*: http(s) only, no credentials, no backslashes, no whitespace or control
   characters, an authority after `scheme://`. These are the places where two URL parsers (ours,
   httpx's, a browser's WHATWG parser) read one string differently, so we refuse them outright.
2. the *scope*: the origins (host and port) of the configured targets plus the aliases the
   user declares.
3. the *address*: names are resolved here, every address is classified, and the connection is
   pinned to an address we checked (see `crawler.transport`), so DNS cannot answer "public" to the
   check and "127.0.0.1" to the connect (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import idna

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]
"""`(host, port) -> addresses`: how names become IP strings. Tests inject a dict lookup."""
Dial = Callable[[str, int], tuple[str, int]]
"""`(checked ip, port) -> (ip, port) actually connected`. Identity in production; tests map a
fake public address onto their 127.0.0.1 server."""


class Refused(Exception):
    """A URL or address we will not request. `error_class` names the rule for the fetches table."""

    error_class = "RefusedURL"


class RefusedURL(Refused):
    error_class = "RefusedURL"


class OutOfScope(Refused):
    error_class = "OutOfScope"


class RefusedAddress(Refused):
    error_class = "RefusedAddress"


class DNSError(Exception):
    """The name did not resolve (no network, NXDOMAIN, resolver timeout)."""


@dataclass(frozen=True)
class CheckedURL:
    """A URL that passed the form check, with its host normalised (lowercase, IDNA, IPs in
    canonical form) and its fragment dropped: `url` is what we request and record."""

    url: str
    scheme: str
    host: str
    port: int
    ip: IPAddress | None

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.url.split('/', 3)[2]}"


_BAD_CHARS = re.compile(r"[\x00-\x20\x7f\\]")
_HOST_CHARS = re.compile(r"^[a-z0-9_.-]+$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def check_url(url: str) -> CheckedURL:
    """Refuse every URL form that is not plain `http(s)://host[:port]/path?query`."""
    if not isinstance(url, str) or not url:
        raise RefusedURL("refused empty URL")
    shown = url[:200]
    if _BAD_CHARS.search(url):
        raise RefusedURL(f"refused URL with whitespace, control character or backslash: {shown!r}")
    scheme, colon, rest = url.partition(":")
    scheme = scheme.lower()
    if not colon or scheme not in _DEFAULT_PORTS:
        raise RefusedURL(f"refused non-HTTP URL {shown} (only http and https are fetched)")
    if not rest.startswith("//"):
        raise RefusedURL(f"refused URL without '//' after the scheme: {shown}")
    after = rest[2:]
    cut = min(
        [i for i in (after.find("/"), after.find("?"), after.find("#")) if i >= 0] or [len(after)]
    )
    authority, tail = after[:cut], after[cut:]
    if "@" in authority:
        raise RefusedURL(f"refused URL with credentials: {redact_credentials(shown)}")
    host, port = _split_authority(authority, shown)
    host_text, ip = _normalise_host(host, shown)
    tail = tail.split("#", 1)[0]
    if not tail.startswith("/"):
        tail = "/" + tail
    netloc = f"[{host_text}]" if ":" in host_text else host_text
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    return CheckedURL(
        url=f"{scheme}://{netloc}{tail}",
        scheme=scheme,
        host=host_text,
        port=port or _DEFAULT_PORTS[scheme],
        ip=ip,
    )


def redact_credentials(url: str) -> str:
    """`url` with any user name and password replaced by `***`, for messages and logs: a
    credential typed into a URL must never reach a log line, a traceback or the database."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    cut = min(
        [i for i in (rest.find("/"), rest.find("?"), rest.find("#")) if i >= 0] or [len(rest)]
    )
    authority = rest[:cut]
    if "@" not in authority:
        return url
    return f"{scheme}://***@{authority.rsplit('@', 1)[1]}{rest[cut:]}"


def _split_authority(authority: str, shown: str) -> tuple[str, int | None]:
    match = re.fullmatch(r"(\[[^\]]*\]|[^:\[\]]*)(?::(\d*))?", authority)
    if match is None:
        raise RefusedURL(f"refused URL with a malformed host or port: {shown}")
    host, port_text = match.group(1), match.group(2)
    if not port_text:
        return host, None
    if not 0 < int(port_text) < 65536:
        raise RefusedURL(f"refused URL with a bad port: {shown}")
    return host, int(port_text)


def _normalise_host(host: str, shown: str) -> tuple[str, IPAddress | None]:
    if not host:
        raise RefusedURL(f"refused URL without a host: {shown}")
    if host.startswith("["):
        inner = host[1:-1]
        if "%" in inner:
            raise RefusedURL(f"refused IPv6 address with a zone id: {shown}")
        try:
            ip6 = ipaddress.IPv6Address(inner)
        except ValueError:
            raise RefusedURL(f"refused URL with a malformed IPv6 address: {shown}") from None
        return ip6.compressed, ip6
    host = host.lower().rstrip(".")
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError:
            raise RefusedURL(
                f"refused URL with an invalid international host name: {shown}"
            ) from None
    if not _HOST_CHARS.match(host) or ".." in host or host.startswith("."):
        raise RefusedURL(f"refused URL with an unusual host name: {shown}")
    ip4 = _whatwg_ipv4(host, shown)
    if ip4 is not None:
        return str(ip4), ip4
    return host, None


def _whatwg_ipv4(host: str, shown: str) -> ipaddress.IPv4Address | None:
    """Read the host as browsers and inet_aton do: `127.1`, `2130706433`, `0x7f.1` and `0177.0.0.1`
    are all 127.0.0.1. A host whose last label looks numeric but does not parse is refused
    (WHATWG URL Standard, "ends in a number" / IPv4 parser)."""
    labels = host.split(".")
    last = labels[-1]
    if not (last.isdigit() or re.fullmatch(r"0x[0-9a-f]*", last)):
        return None
    numbers: list[int] = []
    for label in labels:
        try:
            if re.fullmatch(r"0x[0-9a-f]*", label):
                numbers.append(int(label[2:] or "0", 16))
            elif len(label) > 1 and label.startswith("0"):
                numbers.append(int(label, 8))
            else:
                numbers.append(int(label, 10))
        except ValueError:
            raise RefusedURL(f"refused URL with a malformed numeric host: {shown}") from None
    if len(numbers) > 4 or any(n > 255 for n in numbers[:-1]):
        raise RefusedURL(f"refused URL with a malformed numeric host: {shown}")
    if numbers[-1] >= 256 ** (5 - len(numbers)):
        raise RefusedURL(f"refused URL with a malformed numeric host: {shown}")
    value = numbers[-1]
    for i, n in enumerate(numbers[:-1]):
        value += n * 256 ** (3 - i)
    return ipaddress.IPv4Address(value)


_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def address_problem(ip: IPAddress) -> str | None:
    """Why `ip` is not a public address we may connect to, or None when it is."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or (
            ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None
        )
        if embedded is not None:
            inner = address_problem(embedded)
            return f"IPv4-mapped {inner}" if inner else None
    for name, test in (
        ("loopback", ip.is_loopback),
        ("unspecified", ip.is_unspecified),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("CGNAT", isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT),
        ("reserved", ip.is_reserved),
        ("private", ip.is_private),
        ("non-public", not ip.is_global),
    ):
        if test:
            return f"{name} address {ip}"
    return None


@dataclass(frozen=True)
class Scope:
    """The origins we may fetch: the configured targets' and the declared aliases'.

    An origin is a host *and a port*: another port of the same host is another server (an admin
    panel, a metrics endpoint), so `http://127.0.0.1:9101/` does not admit `:9102`. A host named
    without a port, or with its scheme's default port, admits both 80 and 443, because a real
    site's http → https upgrade (and its http robots.txt answering from https) is one site. The
    scheme is otherwise free: what a connection reaches is decided by host and port.

    Only the hosts in `private_ok` may be non-public addresses: targets configured *by address*
    (`http://127.0.0.1:8080/`) and hosts the user lists as private. A target configured by name
    must resolve to public addresses, or a DNS change could point it at 127.0.0.1 (rebinding);
    list it in `private_hosts` for an intranet site. So a test target on 127.0.0.1 works while a
    redirect from a public site to 127.0.0.1 does not."""

    hosts: frozenset[str]
    private_ok: frozenset[str] = frozenset()
    origins: frozenset[tuple[str, int]] | None = None  # None: every port of `hosts`

    @classmethod
    def of_targets(
        cls, urls: Iterable[str], aliases: Iterable[str] = (), private_hosts: Iterable[str] = ()
    ) -> Scope:
        checked = [check_url(url) for url in urls]
        by_address = {c.host for c in checked if c.ip is not None}
        extra = [_checked_of(host) for host in private_hosts]
        every = [*checked, *(_checked_of(alias) for alias in aliases), *extra]
        origins = {origin for c in every for origin in _origins(c)}
        return cls(
            frozenset(c.host for c in every),
            frozenset(by_address | {c.host for c in extra}),
            frozenset(origins),
        )

    def contains(self, host: str, port: int | None = None) -> bool:
        if host not in self.hosts:
            return False
        return self.origins is None or port is None or (host, port) in self.origins

    def admits(self, checked: CheckedURL) -> bool:
        return self.contains(checked.host, checked.port)

    def allows_private(self, host: str) -> bool:
        return host in self.private_ok

    def __or__(self, other: Scope) -> Scope:
        origins = None
        if self.origins is not None and other.origins is not None:
            origins = self.origins | other.origins
        return Scope(self.hosts | other.hosts, self.private_ok | other.private_ok, origins)


def _checked_of(text: str) -> CheckedURL:
    return check_url(text if "://" in text else f"http://{text}/")


def _origins(checked: CheckedURL) -> set[tuple[str, int]]:
    """The (host, port) pairs one configured URL or alias stands for (see `Scope`)."""
    if checked.port == _DEFAULT_PORTS[checked.scheme]:
        return {(checked.host, port) for port in _DEFAULT_PORTS.values()}
    return {(checked.host, checked.port)}


def admit(checked: CheckedURL, scope: Scope) -> None:
    """Refuse a URL out of scope or spelling a refused address; raises `Refused`."""
    if checked.ip is not None and not scope.allows_private(checked.host):
        problem = address_problem(checked.ip)
        if problem:
            raise RefusedAddress(f"refused {checked.url}: {problem}")
    if not scope.contains(checked.host):
        raise OutOfScope(f"refused {checked.url}: host {checked.host} is not a configured target")
    if not scope.admits(checked):
        raise OutOfScope(
            f"refused {checked.url}: port {checked.port} of {checked.host} is not a configured "
            "target's port (another port is another server; declare it in the target's aliases)"
        )


def resolve_checked(checked: CheckedURL, resolver: Resolver, private_ok: bool) -> tuple[str, ...]:
    """The addresses we will connect to for `checked`. Every address the name resolves to must be
    public (unless `private_ok`): one private answer among public ones is a rebinding attempt."""
    if checked.ip is not None:
        addresses: Sequence[str] = [str(checked.ip)]
    else:
        try:
            addresses = resolver(checked.host, checked.port)
        except DNSError:
            raise
        except (OSError, UnicodeError) as error:
            raise DNSError(f"could not resolve {checked.host}: {error}") from None
        if not addresses:
            raise DNSError(f"could not resolve {checked.host}: no addresses")
    result: list[str] = []
    for text in addresses:
        try:
            ip = ipaddress.ip_address(text)
        except ValueError:
            raise RefusedAddress(f"refused {checked.host}: resolver gave {text!r}") from None
        problem = None if private_ok else address_problem(ip)
        if problem:
            raise RefusedAddress(f"refused {checked.url}: {checked.host} resolves to a {problem}")
        result.append(str(ip))
    return tuple(dict.fromkeys(result))
