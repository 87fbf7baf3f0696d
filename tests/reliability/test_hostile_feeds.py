"""Hostile and malformed feeds: parsed for what they give, or refused with a reason; never a crash."""

from __future__ import annotations

import time

import pytest

from pipeline.feeds import FeedError, parse_feed
from tests.server import FaultServer, Route

FEEDS = "Feeds"
FEED_URL = "https://wire.example/feed.xml"


def rss(items: str, prolog: str = '<?xml version="1.0" encoding="utf-8"?>') -> bytes:
    channel = "<title>Wire</title><link>https://wire.example/</link><description>d</description>"
    return f'{prolog}\n<rss version="2.0"><channel>{channel}{items}</channel></rss>'.encode()


def item(n: int, extra: str = "") -> str:
    return f"<item><title>Story {n}</title><link>https://wire.example/s/{n}</link>{extra}</item>"


def every_field(entries: list) -> str:
    return " ".join(str(value) for entry in entries for value in (entry.title, entry.summary, entry.url))


@pytest.mark.case(
    FEEDS, "Billion laughs (nested entities)", "item read in under a second, entity not expanded"
)
def test_billion_laughs() -> None:
    levels = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    doctype = f"<!DOCTYPE rss [{''.join(levels)}]>"
    body = rss(item(1, "<description>&lol9;</description>"), f'<?xml version="1.0"?>\n{doctype}')
    started = time.monotonic()
    entries, _ = parse_feed(body, FEED_URL)  # the item is read: refusing the feed would lose it
    assert time.monotonic() - started < 1
    assert [(e.title, e.url) for e in entries] == [("Story 1", "https://wire.example/s/1")]
    assert "lollol" not in every_field(entries)  # 10^9 "lol"s would be 3 GB


@pytest.mark.case(FEEDS, "External entity (file:///etc/passwd)", "not read: no file contents in any entry")
def test_external_file_entity() -> None:
    doctype = '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    body = rss(item(1, "<description>before &xxe; after</description>"), f'<?xml version="1.0"?>{doctype}')
    entries, _ = parse_feed(body, FEED_URL)
    assert [e.url for e in entries] == ["https://wire.example/s/1"]
    assert "root:" not in every_field(entries)


@pytest.mark.case(FEEDS, "External entity over HTTP, external DTD", "no request is made")
def test_external_network_entity(server: FaultServer) -> None:
    server.routes["/evil.dtd"] = Route(b'<!ENTITY leak "LEAKED">')
    server.routes["/entity"] = Route(b"LEAKED")
    doctype = f'<!DOCTYPE rss SYSTEM "{server.url}/evil.dtd" [<!ENTITY net SYSTEM "{server.url}/entity">]>'
    body = rss(item(1, "<description>&net; &leak;</description>"), f'<?xml version="1.0"?>{doctype}')
    entries, _ = parse_feed(body, FEED_URL)
    assert server.hits == {}
    assert "LEAKED" not in every_field(entries)


@pytest.mark.case(FEEDS, "Truncated XML", "entries before the cut are read")
def test_truncated() -> None:
    body = rss(item(1) + item(2))[:-40]
    entries, _ = parse_feed(body, FEED_URL)
    assert [e.title for e in entries][:1] == ["Story 1"]


@pytest.mark.case(FEEDS, "Undefined entities (&nbsp; in XML)", "entries read, entity left as text")
def test_undefined_entity() -> None:
    entries, _ = parse_feed(rss(item(1, "<description>a&nbsp;b &bogus; c</description>")), FEED_URL)
    assert [e.url for e in entries] == ["https://wire.example/s/1"]


@pytest.mark.case(
    FEEDS, "Wrong encoding declared (utf-8 header, windows-1252 bytes)", "entries read, text decoded"
)
def test_wrong_encoding_declared() -> None:
    body = rss(item(1)).replace(b"Story 1", "Défense – café".encode("cp1252"))
    entries, _ = parse_feed(body, FEED_URL, "application/rss+xml; charset=utf-8")
    assert [e.url for e in entries] == ["https://wire.example/s/1"]
    assert entries[0].title == "Défense – café"  # read as windows-1252, not mojibake


@pytest.mark.case(FEEDS, "HTML page served as a feed", "refused: 'not a feed'")
def test_html_as_feed() -> None:
    page = b"<!doctype html><html><head><title>Home</title></head><body><a href='/x'>x</a></body></html>"
    with pytest.raises(FeedError, match="not a feed"):
        parse_feed(page, FEED_URL, "text/html")


@pytest.mark.parametrize("body", [b"", b"   \n\t"], ids=["empty", "whitespace"])
@pytest.mark.case(FEEDS, "Empty 200", "refused: 'empty response'")
def test_empty_body(body: bytes) -> None:
    with pytest.raises(FeedError, match="empty response"):
        parse_feed(body, FEED_URL)


@pytest.mark.case(FEEDS, "Feed with 5,000 entries", "all read, in seconds")
def test_thousands_of_entries() -> None:
    body = rss("".join(item(n) for n in range(5000)))
    started = time.monotonic()
    entries, skipped = parse_feed(body, FEED_URL)
    assert len(entries) == 5000 and skipped == 0
    assert len({e.article_id for e in entries}) == 5000
    assert time.monotonic() - started < 15


@pytest.mark.case(FEEDS, "Entries without links or dates", "no link: skipped and counted; no date: NULL")
def test_missing_links_and_dates() -> None:
    body = rss("<item><title>No link</title></item><item><title>Blank</title><link> </link></item>" + item(3))
    entries, skipped = parse_feed(body, FEED_URL)
    assert skipped == 2
    assert [(e.title, e.published_at) for e in entries] == [("Story 3", None)]


@pytest.mark.case(FEEDS, "Duplicate entries (same link, tracking parameters)", "one entry")
def test_duplicates() -> None:
    twin = "<item><title>Again</title><link>https://wire.example/s/1?utm_source=rss</link></item>"
    entries, _ = parse_feed(rss(item(1) + item(1) + twin), FEED_URL)
    assert [e.title for e in entries] == ["Story 1"]


@pytest.mark.case(FEEDS, "Web feed linking to file: or javascript: URLs", "those items skipped")
def test_web_feed_cannot_link_to_files() -> None:
    body = rss(
        "<item><title>f</title><link>file:///etc/passwd</link></item>"
        "<item><title>j</title><link>javascript:alert(1)</link></item>" + item(1)
    )
    entries, skipped = parse_feed(body, FEED_URL)
    assert skipped == 2 and [e.title for e in entries] == ["Story 1"]
