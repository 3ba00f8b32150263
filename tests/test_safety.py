"""URL forms and addresses, the pure half of `crawler.safety`."""

from __future__ import annotations

import ipaddress

import pytest

from crawler.safety import (
    OutOfScope,
    RefusedAddress,
    RefusedURL,
    Scope,
    address_problem,
    admit,
    check_url,
    resolve_checked,
)


@pytest.mark.parametrize(
    "url",
    [
        "file:/etc/passwd",
        "file:///etc/passwd",
        "FILE://localhost/etc/passwd",
        "fIlE:etc",
        "data:text/html,<b>x</b>",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "ftp://x/",
        "http://user:pw@news.example/",
        "http://user@news.example/",
        "http:\\\\news.example\\",
        "http://news.example\\@evil/",
        "http:/news.example/",
        "http:news.example",
        "//news.example/",
        " http://news.example/",
        "http://news.example/a b",
        "http://news.example/\t",
        "http://news.example:99999/",
        "http://news.example:-1/",
        "http://1.2.3.256/",
        "http://[::1/",
        "http://[fe80::1%25eth0]/",
        "http://news..example/",
        "http://news%2eexample/",
        "",
        "http://",
        "http:///path",
    ],
)
def test_refused_url_forms(url):
    with pytest.raises(RefusedURL):
        check_url(url)


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("HTTPS://WWW.EuropArabCT.com/?p=95655#top", "https://www.europarabct.com/?p=95655"),
        ("http://news.example:80", "http://news.example/"),
        ("http://news.example:8080/a?b=c", "http://news.example:8080/a?b=c"),
        ("http://127.1/", "http://127.0.0.1/"),
        ("http://2130706433/", "http://127.0.0.1/"),
        ("http://0x7f.1/", "http://127.0.0.1/"),
        ("http://0177.0.0.1/", "http://127.0.0.1/"),
        ("http://[::FFFF:127.0.0.1]/", "http://[::ffff:7f00:1]/"),
        ("https://مرصد.example/مقال", "https://xn--ugbdm6d.example/مقال"),
    ],
)
def test_accepted_urls_are_normalised(url, normalised):
    assert check_url(url).url == normalised


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("192.168.1.1", "private"),
        ("172.16.0.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("100.64.0.1", "CGNAT"),
        ("100.127.255.254", "CGNAT"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
        ("::ffff:169.254.169.254", "IPv4-mapped link-local"),
        ("64:ff9b::a9fe:a9fe", "link-local"),
        ("fc00::1", "private"),
        ("240.0.0.1", "reserved"),
    ],
)
def test_non_public_addresses_are_named(address, problem):
    assert problem in address_problem(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"]
)
def test_public_addresses_pass(address):
    assert address_problem(ipaddress.ip_address(address)) is None


def test_scope_allows_private_only_for_targets_given_by_address():
    scope = Scope.of_targets(
        ["http://127.0.0.1:8080/?p=1", "https://www.europarabct.com/?p=95655"],
        aliases=["europarabct.com"],
        private_hosts=["intranet.local"],
    )
    assert scope.hosts == {"127.0.0.1", "www.europarabct.com", "europarabct.com", "intranet.local"}
    assert scope.private_ok == {"127.0.0.1", "intranet.local"}
    admit(check_url("http://127.0.0.1:8080/x"), scope)
    admit(check_url("https://europarabct.com/x"), scope)
    with pytest.raises(OutOfScope):
        admit(check_url("https://evil.example/"), scope)
    with pytest.raises(RefusedAddress, match="link-local"):
        admit(check_url("http://169.254.169.254/"), scope)


def test_resolution_refuses_private_answers_and_keeps_order():
    checked = check_url("https://www.europarabct.com/")
    assert resolve_checked(checked, lambda h, p: ["93.184.216.34", "2606:4700::1"], False) == (
        "93.184.216.34",
        "2606:4700::1",
    )
    with pytest.raises(RefusedAddress, match="resolves to a loopback"):
        resolve_checked(checked, lambda h, p: ["93.184.216.34", "127.0.0.1"], False)
    assert resolve_checked(checked, lambda h, p: ["10.0.0.1"], True) == ("10.0.0.1",)
