"""Backfill inputs: URL lists, sitemaps and folders of saved pages become what a feed would give.

Saved HTML pages go through the same fetch-and-extract path as live ones (as file:// URLs);
plain-text files already are article text, so they become Articles directly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import defusedxml.ElementTree as SafeET
from defusedxml import DTDForbidden

from pipeline.articles import ExtractionError, decode_page, detect_language
from pipeline.records import Article, FeedEntry
from pipeline.urls import article_id, canonical_url, content_hash

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
TEXT_SUFFIXES = frozenset({".txt"})
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


class SitemapError(ValueError):
    """The body is not a sitemap we can read."""


def url_entries(urls: Iterable[str], origin: str) -> list[FeedEntry]:
    """Entries for URLs (duplicates by canonical URL dropped), as if a feed named `origin` listed them."""
    entries: dict[str, FeedEntry] = {}
    for url in map(canonical_url, urls):  # as feeds do: tracking parameters dropped before fetching
        entries.setdefault(url, FeedEntry(article_id(url), url, origin, None, None, None, None))
    return list(entries.values())


def read_url_list(path: Path) -> list[str]:
    """One URL per line; blank lines and lines starting with # are skipped."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def sitemap_locations(body: bytes) -> tuple[list[str], list[str]]:
    """(page URLs, nested sitemap URLs) of a sitemap or sitemap index (sitemaps.org 0.9)."""
    try:
        # Sitemaps need no DTD; the parser refusing one (in any encoding) rules out entity expansion.
        root = SafeET.fromstring(body, forbid_dtd=True)
    except DTDForbidden as exc:
        raise SitemapError("not a sitemap: a DOCTYPE is not allowed") from exc
    except SafeET.ParseError as exc:
        raise SitemapError(f"not a sitemap: {exc}") from exc
    kind = root.tag.rsplit("}", 1)[-1]
    if kind not in ("urlset", "sitemapindex"):
        raise SitemapError(f"not a sitemap: root element <{kind}>")
    locations = [(el.text or "").strip() for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "loc"]
    # A malformed web URL is kept: its fetch is refused, and the refusal recorded with the reason.
    locations = [loc for loc in locations if loc.startswith(("http://", "https://"))]
    return (locations, []) if kind == "urlset" else ([], locations)


def folder_items(folder: Path) -> tuple[list[FeedEntry], list[Path]]:
    """Saved HTML pages as entries to fetch from disk, and plain-text files to read as they are."""
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder")
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    pages = [p.resolve().as_uri() for p in files if p.suffix.lower() in HTML_SUFFIXES]
    texts = [p for p in files if p.suffix.lower() in TEXT_SUFFIXES]
    return url_entries(pages, folder.resolve().as_uri()), texts


def text_article(path: Path, languages: list[str], fetched_at: datetime | None = None) -> Article:
    """An Article from a plain-text file; a date in its name (YYYY-MM-DD) is its publication date.

    The file may be in any encoding (decoded as a page without a declared charset is); a binary
    file raises ExtractionError.
    """
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        raise ExtractionError(f"{path.name} is a binary file, not text")
    text = decode_page(data).strip()
    stem = path.stem
    found = _DATE_IN_NAME.search(stem)
    published = datetime.fromisoformat(found.group(1)).replace(tzinfo=UTC) if found else None
    title = re.sub(r"[-_]+", " ", _DATE_IN_NAME.sub("", stem)).strip()
    language = detect_language(text)
    url = path.resolve().as_uri()
    return Article(
        article_id=article_id(url),
        url=url,
        title=title[:1].upper() + title[1:] if title else None,
        author=None,
        published_at=published,
        published_method="filename" if found else None,
        site=None,
        language=language,
        text=text,
        content_hash=content_hash(text),
        extraction="plain text",
        status="ok" if language in languages else "non_english",
        fetched_at=fetched_at or datetime.now(UTC),
    )
