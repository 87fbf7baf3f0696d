from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipeline.feeds import FeedError, parse_feed
from pipeline.urls import article_id
from tests.conftest import FIXTURES

FEEDS = FIXTURES / "feeds"
WEB_FEED = "https://harbour-watch.test/feeds/main.xml"


def read(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def test_rss_entries_dedup_and_skips() -> None:
    entries, skipped = parse_feed(read("rss2.xml"), WEB_FEED)
    # four items: one relative link, one link plus its utm_ duplicate, one with no link
    assert skipped == 1
    assert [e.url for e in entries] == [
        "https://harbour-watch.test/reports/second-dry-dock.html",
        "https://harbour-watch.test/reports/patrol-boats.html?page=2",
    ]
    first, second = entries
    assert second.title == "Coastguard buys four patrol boats"  # the first of the duplicates
    assert first.title == "Dockyard opens a second dry dock"  # whitespace collapsed
    assert first.author == "Ivo Marchetti"
    assert first.feed_url == WEB_FEED
    assert first.article_id == article_id(first.url)


def test_rss_dates_are_aware_utc() -> None:
    entries, _ = parse_feed(read("rss2.xml"), WEB_FEED)
    # 09:30 at +0200 is 07:30 UTC
    assert entries[0].published_at == datetime(2024, 6, 4, 7, 30, tzinfo=UTC)
    for entry in entries:
        assert entry.published_at is not None
        assert entry.published_at.utcoffset() == timedelta(0)


def test_atom_entries() -> None:
    entries, skipped = parse_feed(read("atom.xml"), "https://runway-notes.test/atom.xml")
    assert skipped == 0
    assert [e.url for e in entries] == [
        "https://runway-notes.test/2024/05/air-wing-rotates",
        "https://runway-notes.test/2024/05/tanker-order-slips",
    ]
    assert entries[0].author == "Dana Okafor"
    # published (12:00 at -04:00) wins over updated; the second entry has only updated
    assert entries[0].published_at == datetime(2024, 5, 1, 16, 0, tzinfo=UTC)
    assert entries[1].published_at == datetime(2024, 5, 2, 7, 45, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (read("truncated.xml"), "malformed"),
        (read("empty.xml"), "empty"),
        (b"  \n\t\n", "empty"),
    ],
)
def test_feed_errors(body: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_feed(body, WEB_FEED)


def test_sitemap_is_not_a_feed() -> None:
    sitemap = (
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://harbour-watch.test/reports/</loc></url></urlset>"
    )
    with pytest.raises(FeedError, match="not a feed"):
        parse_feed(sitemap, WEB_FEED, "application/xml")


def test_html_page_is_refused() -> None:
    with pytest.raises(FeedError, match="not a feed"):
        parse_feed(read("page.html"), WEB_FEED, "text/html; charset=utf-8")


def test_web_feed_refuses_file_links() -> None:
    entries, skipped = parse_feed(read("local-links.xml"), WEB_FEED)
    assert skipped == 1
    assert [e.url for e in entries] == ["https://harbour-watch.test/articles/relative-story.html"]


def test_local_feed_resolves_relative_links_to_files() -> None:
    feed_url = (FEEDS / "local-links.xml").resolve().as_uri()
    entries, skipped = parse_feed(read("local-links.xml"), feed_url)
    assert skipped == 0
    expected = (FIXTURES / "articles" / "relative-story.html").resolve().as_uri()
    assert entries[0].url == expected
    assert all(e.url.startswith("file:") for e in entries)


def test_local_feed_keeps_absolute_file_links_whole() -> None:
    feed_url = (FEEDS / "local-links.xml").resolve().as_uri()
    entries, _ = parse_feed(read("local-links.xml"), feed_url)
    assert "file:///srv/newsint/articles/local-story.html" in [e.url for e in entries]
