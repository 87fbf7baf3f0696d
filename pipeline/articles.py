"""Main-text and metadata extraction from article pages (trafilatura stays inside this module)."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib.metadata import version

import charset_normalizer
from w3lib.encoding import html_body_declared_encoding, resolve_encoding

from pipeline.records import Article, FeedEntry
from pipeline.urls import content_hash

EXTRACTOR = f"trafilatura {version('trafilatura')}"
MIN_CHARS = 200
LATIN_GUESSES = frozenset(
    {"cp1250", "cp1252", "cp1257", "latin_1", "iso8859_2", "iso8859_15", "mac_latin2", "cp775", "cp852"}
)
# A teaser is short; a full article that merely ends with "subscribe" is not one.
TEASER_CHARS = 2000
TEASER_TAIL = 400
PAYWALLED = re.compile(rb"isAccessibleForFree[\"']?\s*[:=]\s*[\"']?false", re.IGNORECASE)
LANGUAGE_CHARS = 2000  # splits the 181 benchmark pages as 5,000 did, in a quarter of the time
# py3langid loads its model on its first call: one load, however many threads call first.
_LANGUAGE_MODEL = threading.Lock()


class ExtractionError(ValueError):
    """The page gave no article text worth keeping."""


def extract_article(
    html: bytes | str,
    entry: FeedEntry,
    fetched_at: datetime,
    languages: list[str],
    teaser_markers: Sequence[str] = (),
    charset: str | None = None,
) -> Article:
    """Turn a fetched page into an Article; raises ExtractionError for empty or non-article pages.

    A paywall teaser is kept with status `teaser`: stored, but no entities are read from it.
    """
    import trafilatura  # here, not at the top: a run with no new page never pays for its import

    doc = trafilatura.bare_extraction(
        decode_page(html, charset) if isinstance(html, bytes) else html,
        url=entry.url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
    )
    text = (doc.text or "").strip() if doc is not None else ""
    if len(text) < MIN_CHARS:
        raise ExtractionError(f"no article text ({len(text)} characters extracted)")
    language = detect_language(text)
    status = "ok" if language in languages else "non_english"
    if is_teaser(html, text, teaser_markers):
        status = "teaser"
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
        status=status,
        fetched_at=fetched_at,
    )


def decode_page(page: bytes, charset: str | None = None) -> str:
    """Page bytes as text: the HTTP charset, else the page's own meta charset, else UTF-8, each only
    if the bytes decode cleanly under it; else a detected encoding.

    Declared labels mean what they mean to a browser (WHATWG Encoding Standard): iso-8859-1, latin-1
    and us-ascii are windows-1252, so the curly quotes such pages carry as 0x93/0x94 stay quotes.
    """
    declared = resolve_encoding(charset) if charset else None
    for candidate in (declared, html_body_declared_encoding(page), "utf-8"):
        if candidate:
            try:
                return page.decode(candidate)
            except (LookupError, UnicodeDecodeError):
                continue
    best = charset_normalizer.from_bytes(page[:200_000]).best()
    encoding = best.encoding if best is not None else "cp1252"
    # Single-byte Latin guesses are unreliable between code pages (cp1250 vs cp1252 differ in a
    # few letters); the WHATWG default for undeclared Western pages is windows-1252.
    if encoding in LATIN_GUESSES:
        encoding = "cp1252"
    return page.decode(encoding, errors="replace")


def is_teaser(page: bytes | str, text: str, markers: Sequence[str]) -> bool:
    """The page says it is paywalled (schema.org isAccessibleForFree: false, the markup publishers
    give search engines), or a short text ends on a subscription prompt."""
    raw = page.encode("utf-8", "replace") if isinstance(page, str) else page
    # A case-blind regex over a whole page is slow; the plain word test first spares most pages.
    if b"isaccessibleforfree" in raw.lower() and PAYWALLED.search(raw):
        return True
    tail = text[-TEASER_TAIL:].casefold()
    return len(text) < TEASER_CHARS and any(marker.casefold() in tail for marker in markers)


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language, from its first characters."""
    import py3langid  # here, like trafilatura: it loads numpy, which a run with no new page skips

    with _LANGUAGE_MODEL:
        code, _score = py3langid.classify(text[:LANGUAGE_CHARS])
    return str(code)


def warm_up() -> None:
    """Import trafilatura and load the language model before the first page needs them: called
    in a thread, mostly in parallel, as the model's ~0.6 s are spent decompressing it."""
    import trafilatura  # noqa: F401

    detect_language("")


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
