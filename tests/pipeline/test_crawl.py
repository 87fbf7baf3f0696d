from __future__ import annotations

from collections.abc import Iterator

import pytest

from pipeline.crawl import fetch_articles
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
