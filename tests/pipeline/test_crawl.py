from __future__ import annotations

from collections.abc import Iterator

import pytest

from pipeline.crawl import extraction_pool, fetch_articles
from pipeline.fetch import Fetcher
from pipeline.records import Article, FeedEntry
from pipeline.settings import Settings
from pipeline.urls import article_id
from tests.server import FaultServer, Route

STORY = (
    b"The minister called the deal \x93a turning point\x94 for the shipyard on Tuesday. "
    b"Two frigates will be built at the northern yard, with the first due in four years. "
)


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    settings = Settings(timeout_seconds=0.5, retries=0, sources=[], allow_hosts=["127.0.0.1"])
    with Fetcher(settings) as running:
        yield running


def test_page_served_as_iso_8859_1_keeps_its_curly_quotes(server: FaultServer, fetcher: Fetcher) -> None:
    body = (
        b"<html><head><title>Yard</title></head><body><article><p>"
        + STORY * 3
        + b"</p></article></body></html>"
    )
    server.routes["/yard.html"] = Route(body, headers={"Content-Type": "text/html; charset=ISO-8859-1"})
    url = server.url + "/yard.html"
    entry = FeedEntry(article_id(url), url, server.url + "/feed.xml", "Yard", None, None, None)
    (article,), failures = fetch_articles(fetcher, [entry], ["en"])
    assert not failures and isinstance(article, Article)
    assert "called the deal “a turning point” for the shipyard" in article.text
    assert "\x93" not in article.text


def test_pages_extracted_in_a_pool_come_back_in_order_with_their_failures(
    server: FaultServer, fetcher: Fetcher
) -> None:
    page = b"<html><body><article><p>" + STORY * 3 + b"</p></article></body></html>"
    entries = []
    for n in range(6):
        path = f"/story-{n}.html"
        if n != 3:  # the fourth page is missing: a Failure, and the rest go on
            server.routes[path] = Route(page.replace(b"Two frigates", f"{n + 2} frigates".encode()))
        entries.append(
            FeedEntry(article_id(server.url + path), server.url + path, server.url, "", None, None, None)
        )
    alone = fetch_articles(fetcher, entries, ["en"])
    with extraction_pool(2) as pool:
        assert pool is not None
        pooled = fetch_articles(fetcher, entries, ["en"], pool)
    assert [a.url for a in pooled[0]] == [e.url for n, e in enumerate(entries) if n != 3]
    assert [f.url for f in pooled[1]] == [entries[3].url]
    assert [a.text for a in pooled[0]] == [a.text for a in alone[0]]
    with extraction_pool(1) as none:
        assert none is None
