"""Broken sites: every fault comes back as a Response with a clear error, within bounds."""

from __future__ import annotations

import gzip
import socket
import time
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from pipeline.fetch import Fetcher
from tests.reliability.conftest import CAP
from tests.server import FaultServer, Route

HTTP = "HTTP faults"


@pytest.mark.case(HTTP, "Response over the size cap (Content-Length)", "refused before reading")
def test_declared_length_over_cap(server: FaultServer, fetcher: Fetcher) -> None:
    server.routes["/big"] = Route(b"x" * (CAP * 3))
    reply = fetcher.get(server.url + "/big")
    assert not reply.ok and reply.body == b""
    assert reply.error is not None and "Content-Length" in reply.error and str(CAP) in reply.error


@pytest.mark.case(HTTP, "Chunked response with no Content-Length over the cap", "cut off at the cap")
def test_chunked_over_cap(server: FaultServer, fetcher: Fetcher) -> None:
    server.routes["/stream"] = Route(b"y" * (CAP * 3), chunked=True)
    reply = fetcher.get(server.url + "/stream")
    assert not reply.ok and reply.body == b""
    assert reply.error == f"response larger than {CAP} bytes"


def test_chunked_under_cap_is_read_whole(server: FaultServer, fetcher: Fetcher) -> None:
    server.routes["/small"] = Route(b"z" * 1000, chunked=True, trickle=0.0)
    reply = fetcher.get(server.url + "/small")
    assert reply.ok and reply.body == b"z" * 1000


@pytest.mark.case(HTTP, "gzip bomb (small on the wire, huge decoded)", "decoding stops at the cap")
def test_gzip_bomb(server: FaultServer, fetcher: Fetcher) -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)
    assert len(bomb) < CAP  # the raw cap alone would let it through
    server.routes["/bomb"] = Route(bomb, headers={"Content-Encoding": "gzip"})
    started = time.monotonic()
    reply = fetcher.get(server.url + "/bomb")
    assert not reply.ok and reply.body == b""
    assert reply.error == f"response larger than {CAP} bytes once decompressed"
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("wrapped", [True, False], ids=["zlib", "raw"])
@pytest.mark.case(HTTP, "deflate bomb (zlib-wrapped and raw deflate)", "decoding stops at the cap")
def test_deflate_bomb(server: FaultServer, fetcher: Fetcher, wrapped: bool) -> None:
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
    bomb = packer.compress(b"\0" * 50_000_000) + packer.flush()
    server.routes["/bomb"] = Route(bomb, headers={"Content-Encoding": "deflate"})
    reply = fetcher.get(server.url + "/bomb")
    assert reply.error == f"response larger than {CAP} bytes once decompressed"


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_compressed_page_is_decoded(server: FaultServer, fetcher: Fetcher, encoding: str) -> None:
    text = b"<p>Frigate sails at dawn.</p>" * 100
    body = gzip.compress(text) if encoding == "gzip" else zlib.compress(text)
    server.routes["/page"] = Route(body, headers={"Content-Encoding": encoding})
    reply = fetcher.get(server.url + "/page")
    assert reply.ok and reply.body == text


def test_corrupt_gzip_is_an_error(server: FaultServer, fetcher: Fetcher) -> None:
    server.routes["/bad"] = Route(b"not gzip at all", headers={"Content-Encoding": "gzip"})
    reply = fetcher.get(server.url + "/bad")
    assert reply.error is not None and reply.error.startswith("corrupt gzip body")


@pytest.mark.case(HTTP, "Server trickles the body a byte at a time", "total deadline ends it")
def test_trickling_server_hits_total_deadline(server: FaultServer, fetcher: Fetcher) -> None:
    # Each byte comes well inside the 0.5 s socket timeout; only the total deadline (1.5 s) stops it.
    server.routes["/drip"] = Route(b"d" * 100, trickle=0.1)
    started = time.monotonic()
    reply = fetcher.get(server.url + "/drip")
    elapsed = time.monotonic() - started
    assert not reply.ok and reply.error is not None and "timed out" in reply.error
    assert server.hits["/drip"] == 2  # retried once, as a timeout is
    assert elapsed < 2 * (1.5 + 0.5)  # two tries, each bounded by the deadline plus one read


@pytest.mark.case(HTTP, "Redirect chain longer than max_redirects", "stopped, 'too many redirects'")
def test_redirect_chain_is_bounded(server: FaultServer, fetcher: Fetcher) -> None:
    for n in range(10):
        server.routes[f"/r{n}"] = Route(status=302, headers={"Location": f"/r{n + 1}"})
    server.routes["/r10"] = Route(b"end")
    reply = fetcher.get(server.url + "/r0")
    assert reply.error == "too many redirects (more than 5)"
    assert "/r6" not in server.hits  # never asked for the hop past the limit


def test_short_redirect_chain_is_followed(server: FaultServer, fetcher: Fetcher) -> None:
    server.routes["/old"] = Route(status=301, headers={"Location": "/mid"})
    server.routes["/mid"] = Route(status=308, headers={"Location": server.url + "/new"})
    server.routes["/new"] = Route(b"moved here")
    reply = fetcher.get(server.url + "/old")
    assert reply.ok and reply.body == b"moved here"
    assert reply.url == server.url + "/old" and reply.final_url == server.url + "/new"


@pytest.mark.case(HTTP, "Redirect loop", "stopped at the first repeat")
def test_redirect_loop(server: FaultServer, fetcher: Fetcher) -> None:
    server.routes["/a"] = Route(status=302, headers={"Location": "/b"})
    server.routes["/b"] = Route(status=301, headers={"Location": "/a"})
    reply = fetcher.get(server.url + "/a")
    assert reply.error == f"redirect loop at {server.url}/a"
    assert server.hits == {"/a": 1, "/b": 1}


@pytest.mark.parametrize("status", [404, 410])
@pytest.mark.case(HTTP, "404 and 410", "not retried (a page is then marked gone)")
def test_gone_is_not_retried(server: FaultServer, fetcher: Fetcher, status: int) -> None:
    server.routes["/gone"] = Route(b"", status=status)
    reply = fetcher.get(server.url + "/gone")
    assert reply.status == status and reply.error is not None and str(status) in reply.error
    assert server.hits["/gone"] == 1


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.case(HTTP, "429 and 503 with Retry-After in seconds", "waits that long, then succeeds")
def test_retry_after_seconds_is_honoured(server: FaultServer, fetcher: Fetcher, status: int) -> None:
    server.queues["/busy"] = [Route(b"later", status=status, headers={"Retry-After": "1"})]
    server.routes["/busy"] = Route(b"now")
    reply = fetcher.get(server.url + "/busy")
    assert reply.ok and reply.body == b"now"
    first, second = server.times["/busy"]
    assert second - first >= 0.95  # not the 0.01 s backoff: the server's 1 s


def test_retry_after_http_date_is_honoured(server: FaultServer, fetcher: Fetcher) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
    server.queues["/busy"] = [Route(b"later", status=503, headers={"Retry-After": when})]
    server.routes["/busy"] = Route(b"now")
    reply = fetcher.get(server.url + "/busy")
    assert reply.ok
    first, second = server.times["/busy"]
    assert second - first >= 0.9  # an HTTP date has one-second resolution


@pytest.mark.case(HTTP, "Retry-After longer than retry_after_max_seconds", "not waited for; recorded")
def test_retry_after_over_cap_gives_up(server: FaultServer, fetcher: Fetcher) -> None:
    server.routes["/busy"] = Route(b"", status=429, headers={"Retry-After": "3600"})
    started = time.monotonic()
    reply = fetcher.get(server.url + "/busy")
    assert time.monotonic() - started < 1
    assert reply.status == 429 and server.hits["/busy"] == 1
    assert reply.error == "HTTP 429 Too Many Requests; Retry-After 3600 s is over the cap, not retried"


@pytest.mark.case(HTTP, "Other 5xx", "retried with backoff, then recorded")
def test_other_5xx_retried(server: FaultServer, fetcher: Fetcher) -> None:
    server.queues["/flaky"] = [Route(b"", status=502)]
    server.routes["/flaky"] = Route(b"fine")
    reply = fetcher.get(server.url + "/flaky")
    assert reply.ok and server.hits["/flaky"] == 2


@pytest.mark.case(HTTP, "Connection reset mid-body", "recorded as broken, retried, no partial body")
def test_reset_mid_body(server: FaultServer, fetcher: Fetcher) -> None:
    server.routes["/cut"] = Route(b"r" * 10_000, reset_after=2_000)
    reply = fetcher.get(server.url + "/cut")
    assert not reply.ok and reply.body == b""
    assert reply.error is not None and reply.error.startswith("connection broken mid-response")
    assert server.hits["/cut"] == 2


@pytest.mark.case(HTTP, "Connection refused", "recorded as 'cannot connect'")
def test_connection_refused(fetcher: Fetcher) -> None:
    with socket.socket() as probe:  # a port nobody listens on: bind, read it, close
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    reply = fetcher.get(f"http://127.0.0.1:{port}/feed.xml")
    assert reply.status is None and reply.error is not None and reply.error.startswith("cannot connect")


@pytest.mark.case(HTTP, "DNS failure", "recorded as 'DNS lookup failed'")
def test_dns_failure(fetcher: Fetcher) -> None:
    # .invalid never resolves (RFC 2606), so no network is needed to see the failure.
    reply = fetcher.get("http://no-such-host.invalid/feed.xml")
    assert reply.status is None
    assert reply.error is not None and reply.error.startswith("DNS lookup failed for no-such-host.invalid")


@pytest.mark.case(HTTP, "Server drips its status line and headers a byte at a time", "total deadline ends it")
def test_dripping_headers_hit_total_deadline(server: FaultServer, fetcher: Fetcher) -> None:
    # ~450 header bytes at 0.1 s each would take 45 s; every byte comes inside the 0.5 s read timeout.
    server.routes["/slow-head"] = Route(b"late", drip_headers=0.1)
    started = time.monotonic()
    reply = fetcher.get(server.url + "/slow-head")
    elapsed = time.monotonic() - started
    assert not reply.ok and reply.error is not None and "no complete response within 1.5 s" in reply.error
    assert server.hits["/slow-head"] == 2  # retried once, as a timeout is
    assert elapsed < 2 * (1.5 + 0.5)
