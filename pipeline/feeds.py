"""Feed parsing: bytes in, our FeedEntry records out (feedparser stays inside this module)."""

from __future__ import annotations

import calendar
import time
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any

import feedparser

from pipeline.records import FeedEntry
from pipeline.urls import BadURL, article_id, canonical_url, joined_url

WEB_SCHEMES = ("http://", "https://")


class FeedError(ValueError):
    """The bytes are not a feed we can read."""


def parse_feed(body: bytes, feed_url: str, content_type: str | None = None) -> tuple[list[FeedEntry], int]:
    """Parse a feed's bytes; returns its entries and how many were skipped (no usable link).

    Raises FeedError when nothing usable came out (malformed XML, HTML served as a feed, empty body).
    A malformed feed that still yields linked entries is read for what it gives.
    """
    if not body.strip():
        raise FeedError("empty response")
    # Relative links resolve against the feed's own URL (a web feed may also use xml:base).
    headers = {"content-location": feed_url} if feed_url.startswith(WEB_SCHEMES) else {}
    if content_type:
        headers["content-type"] = content_type
    try:
        parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False)
    except (ValueError, LookupError) as exc:
        # feedparser's encoding sniffing raises on some byte soups (found by the fuzz test).
        raise FeedError(f"unreadable feed: {_describe(exc)}") from exc
    entries: dict[str, FeedEntry] = {}
    skipped = 0
    for raw in parsed.entries:
        entry = _entry(raw, feed_url)
        if entry is None:
            skipped += 1
        else:
            entries.setdefault(entry.article_id, entry)
    looks_html = b"<html" in body[:4096].lower()
    if not entries and not parsed.entries and (looks_html or not (parsed.version or parsed.bozo)):
        raise FeedError("not a feed (no RSS, Atom or RDF root element)")
    if not entries and parsed.bozo:
        raise FeedError(f"malformed feed: {_describe(parsed.get('bozo_exception'))}")
    return list(entries.values()), skipped


def _entry(raw: Any, feed_url: str) -> FeedEntry | None:
    link = (raw.get("link") or "").strip()
    if link.startswith("file://") and not link.startswith("file:///"):
        link = "file:///" + link[len("file://") :]  # feedparser folds file:/// to file://
    with suppress(BadURL):  # kept as given: its fetch is refused, and the refusal recorded
        link = joined_url(feed_url, link) if link else link
    if not _allowed_link(link, feed_url):
        return None
    url = canonical_url(link)
    return FeedEntry(
        article_id=article_id(url),
        url=url,
        feed_url=feed_url,
        title=_clean(raw.get("title")),
        published_at=_when(raw.get("published_parsed") or raw.get("updated_parsed")),
        author=_clean(raw.get("author")),
        summary=_clean(raw.get("summary")),
    )


def _allowed_link(link: str, feed_url: str) -> bool:
    """A web feed may only lead to web pages; a local feed may also lead to local files."""
    if link.startswith(WEB_SCHEMES):
        return True
    return link.startswith("file:") and feed_url.startswith("file:")


def _when(value: time.struct_time | None) -> datetime | None:
    if value is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)


def _clean(value: str | None) -> str | None:
    return " ".join(value.split()) or None if value else None


def _describe(error: object) -> str:
    text = str(error) if error else "unknown error"
    return text.splitlines()[0][:200]
