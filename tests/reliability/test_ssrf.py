"""SSRF: links from untrusted feeds must not reach internal addresses, directly or by redirect."""

from __future__ import annotations

import ipaddress

import pytest

from pipeline.crawl import fetch_articles
from pipeline.fetch import Fetcher
from pipeline.netguard import NetGuard, Refused, blocked_reason
from pipeline.records import FeedEntry
from pipeline.settings import Settings
from pipeline.urls import article_id
from tests.server import FaultServer, Route

SSRF = "Security: SSRF"


@pytest.fixture
def guarded() -> Fetcher:
    """The default settings: no allow-list."""
    return Fetcher(Settings(timeout_seconds=0.5, retries=0))


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("100.100.100.200", "cloud metadata"),
        ("fe80::1", "link-local"),
        ("169.254.10.10", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "non-public"),
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_blocked_reason(address: str, reason: str | None) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://2130706433/",  # 127.0.0.1 as one decimal number
        "http://0x7f.1/",  # and in hex shorthand
        "http://localhost/",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
@pytest.mark.case(SSRF, "Loopback, private, link-local and metadata addresses", "refused before connecting")
def test_internal_addresses_refused_by_default(url: str) -> None:
    with pytest.raises(Refused, match=r"^refused: .* resolves to .*, a .* address$"):
        NetGuard().check(url)


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "gopher://example.com/"])
@pytest.mark.case(SSRF, "Non-http(s) schemes", "refused")
def test_other_schemes_refused(url: str) -> None:
    with pytest.raises(Refused, match="is not http"):
        NetGuard().check(url)


@pytest.mark.case(SSRF, "Article link to the test server without the allow-list", "refused, no request made")
def test_loopback_server_not_contacted_by_default(server: FaultServer, guarded: Fetcher) -> None:
    server.routes["/secret"] = Route(b"internal")
    reply = guarded.get(server.url + "/secret")
    assert reply.error == "refused: 127.0.0.1 resolves to 127.0.0.1, a loopback address"
    assert reply.body == b"" and server.hits == {}


def test_allow_list_by_network_and_by_name(server: FaultServer) -> None:
    server.routes["/ok"] = Route(b"fine")
    for allowed in (["127.0.0.0/8"], ["127.0.0.1"]):
        with Fetcher(Settings(allow_hosts=allowed)) as fetcher:
            assert fetcher.get(server.url + "/ok").body == b"fine"
    with Fetcher(Settings(allow_hosts=["localhost"])) as fetcher:
        port = server.url.rsplit(":", 1)[1]
        assert fetcher.get(f"http://localhost:{port}/ok").body == b"fine"
        assert fetcher.get(server.url + "/ok").error is not None  # the name, not its address


@pytest.mark.parametrize(
    "target",
    ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/admin", "file:///etc/passwd"],
)
@pytest.mark.case(SSRF, "Redirect hop to an internal address or file:", "refused at that hop")
def test_redirect_hop_is_checked(server: FaultServer, fetcher: Fetcher, target: str) -> None:
    server.routes["/hop"] = Route(status=302, headers={"Location": "/hop2"})
    server.routes["/hop2"] = Route(status=307, headers={"Location": target})
    reply = fetcher.get(server.url + "/hop")
    assert not reply.ok and reply.body == b""
    assert reply.error is not None and reply.error.startswith("refused:")
    assert server.hits == {"/hop": 1, "/hop2": 1}


@pytest.mark.case(SSRF, "Feed item linking to a metadata address", "page failure recorded as permanent")
def test_refused_article_is_permanent(guarded: Fetcher) -> None:
    url = "http://169.254.169.254/latest/meta-data/iam"
    entry = FeedEntry(article_id(url), url, "https://feeds.example/f.xml", "t", None, None, None)
    articles, failures = fetch_articles(guarded, [entry], ["en"])
    assert articles == []
    (failure,) = failures
    assert failure.permanent and failure.reason.startswith("refused: 169.254.169.254")
