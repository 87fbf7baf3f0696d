from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.fetch import Fetcher
from pipeline.settings import Settings
from tests.conftest import SAMPLE
from tests.server import FaultServer, Route

CAP = 4096


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    settings = Settings(timeout_seconds=0.5, retries=1, max_bytes=CAP, sources=[], allow_hosts=["127.0.0.1"])
    with Fetcher(settings, backoff_seconds=0.01) as running:
        yield running


def test_ok_body_and_etag(server: FaultServer, fetcher: Fetcher) -> None:
    server.routes["/news.txt"] = Route(b"tide tables", headers={"ETag": '"v1"'})
    reply = fetcher.get(server.url + "/news.txt")
    assert reply.ok and reply.status == 200
    assert reply.body == b"tide tables"
    assert reply.etag == '"v1"'


def test_sample_file_is_served(server: FaultServer, fetcher: Fetcher) -> None:
    reply = fetcher.get(server.url + "/feeds/defence-wire.xml")
    assert reply.ok
    assert reply.body == (SAMPLE / "feeds" / "defence-wire.xml").read_bytes()


def test_conditional_get_not_modified(server: FaultServer, fetcher: Fetcher) -> None:
    server.routes["/feed.xml"] = Route(b"<rss/>", headers={"ETag": '"abc"'})
    reply = fetcher.get(server.url + "/feed.xml", etag='"abc"')
    assert reply.not_modified and reply.error is None
    assert reply.body == b""
    assert server.requests[-1][1].get("If-None-Match") == '"abc"'
    assert fetcher.get(server.url + "/feed.xml", etag='"old"').status == 200


def test_server_error_is_retried_then_reported(server: FaultServer, fetcher: Fetcher) -> None:
    server.routes["/broken"] = Route(b"oops", status=500)
    reply = fetcher.get(server.url + "/broken")
    assert server.hits["/broken"] == 2  # one try plus retries=1
    assert not reply.ok
    assert reply.status == 500
    assert reply.error is not None and "500" in reply.error


def test_backoff_doubles_between_tries(server: FaultServer) -> None:
    settings = Settings(timeout_seconds=0.5, retries=2, sources=[], allow_hosts=["127.0.0.1"])
    server.routes["/down"] = Route(b"", status=503)
    with Fetcher(settings, backoff_seconds=0.1) as fetcher:
        reply = fetcher.get(server.url + "/down")
    assert reply.status == 503 and server.hits["/down"] == 3
    first, second, third = server.times["/down"]
    assert second - first >= 0.1
    assert third - second >= 0.2


def test_not_found_is_not_retried(server: FaultServer, fetcher: Fetcher) -> None:
    reply = fetcher.get(server.url + "/missing.html")
    assert reply.status == 404 and not reply.ok
    assert reply.error is not None and "404" in reply.error
    assert server.hits["/missing.html"] == 1


def test_slow_route_times_out(server: FaultServer, fetcher: Fetcher) -> None:
    server.routes["/slow"] = Route(b"late", delay=1.5)
    reply = fetcher.get(server.url + "/slow")
    assert reply.status is None and not reply.ok
    assert reply.error is not None and "timed out" in reply.error
    assert server.hits["/slow"] == 2  # a timeout is retried too


def test_body_over_cap(server: FaultServer, fetcher: Fetcher) -> None:
    server.routes["/big"] = Route(b"x" * (CAP * 4))
    reply = fetcher.get(server.url + "/big")
    assert not reply.ok and reply.body == b""
    assert reply.error is not None and str(CAP) in reply.error


def test_local_file(tmp_path: Path, fetcher: Fetcher) -> None:
    page = tmp_path / "a page.html"
    page.write_bytes(b"<p>local</p>")
    reply = fetcher.get(page.as_uri())
    assert reply.ok and reply.body == b"<p>local</p>"


def test_missing_local_file(tmp_path: Path, fetcher: Fetcher) -> None:
    reply = fetcher.get((tmp_path / "nope.html").as_uri())
    assert not reply.ok and reply.status is None
    assert reply.error is not None and "cannot read file" in reply.error
    assert "No such file" in reply.error
