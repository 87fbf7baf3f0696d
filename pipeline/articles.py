"""Main-text and metadata extraction from article pages (trafilatura stays inside this module)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from importlib.metadata import version

import py3langid
import trafilatura

from pipeline.records import Article, FeedEntry
from pipeline.urls import content_hash

EXTRACTOR = f"trafilatura {version('trafilatura')}"
MIN_CHARS = 200

# trafilatura logs every page it finds too short at WARNING; that is a recorded outcome here.
logging.getLogger("trafilatura").setLevel(logging.ERROR)


class ExtractionError(ValueError):
    """The page gave no article text worth keeping."""


def extract_article(
    html: bytes | str,
    entry: FeedEntry,
    fetched_at: datetime,
    languages: list[str],
) -> Article:
    """Turn a fetched page into an Article; raises ExtractionError for empty or non-article pages."""
    doc = trafilatura.bare_extraction(
        html, url=entry.url, with_metadata=True, include_comments=False, include_tables=False
    )
    text = (doc.text or "").strip() if doc is not None else ""
    if len(text) < MIN_CHARS:
        raise ExtractionError(f"no article text ({len(text)} characters extracted)")
    language = detect_language(text)
    published, method = _published(doc.date, entry)
    return Article(
        article_id=entry.article_id,
        url=entry.url,
        title=doc.title or entry.title,
        author=doc.author or entry.author,
        published_at=published,
        published_method=method,
        site=doc.sitename or doc.hostname,
        language=language,
        text=text,
        content_hash=content_hash(text),
        extraction=EXTRACTOR,
        status="ok" if language in languages else "non_english",
        fetched_at=fetched_at,
    )


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language, from its first few thousand characters."""
    code, _score = py3langid.classify(text[:5000])
    return str(code)


def _published(page_date: str | None, entry: FeedEntry) -> tuple[datetime | None, str | None]:
    """The feed's own date wins: it is explicit, where a page's date is inferred from markup."""
    if entry.published_at is not None:
        return entry.published_at, "feed"
    if page_date:
        try:
            return datetime.fromisoformat(page_date).replace(tzinfo=UTC), "page"
        except ValueError:
            return None, None
    return None, None
