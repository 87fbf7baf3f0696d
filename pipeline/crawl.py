"""The network side of a run: poll feeds, fetch and extract article pages. Errors are values."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from itertools import repeat
from multiprocessing import get_context

from w3lib.encoding import http_content_type_encoding

from pipeline.articles import ExtractionError, extract_article
from pipeline.feeds import FeedError, parse_feed
from pipeline.fetch import Fetcher
from pipeline.netguard import REFUSED
from pipeline.records import Article, Failure, FeedEntry, FeedResult, Response
from pipeline.settings import Source

PERMANENT_STATUS = frozenset({404, 410})
Validators = Mapping[str, tuple[str | None, str | None, str | None]]


def poll_feeds(
    fetcher: Fetcher, sources: Sequence[tuple[Source, str]], validators: Validators
) -> list[FeedResult]:
    """Fetch every feed (conditional GET where we have validators) and parse what changed."""
    requests = [(url, *validators.get(url, (None, None, None))[:2]) for _, url in sources]
    responses = fetcher.get_many(requests)
    return [
        _feed_result(source.name, response, validators.get(url, (None, None, None))[2])
        for (source, url), response in zip(sources, responses, strict=True)
    ]


def _feed_result(name: str, response: Response, previous_hash: str | None) -> FeedResult:
    common = {
        "feed_url": response.url,
        "name": name,
        "http_status": response.status,
        "bytes": len(response.body),
        "elapsed_ms": response.elapsed_ms,
    }
    if response.not_modified:
        return FeedResult(status="not_modified", **common)
    if not response.ok:
        return FeedResult(status="error", error=response.error or "no response", **common)
    digest = hashlib.sha256(response.body).hexdigest()
    validators = {
        "etag": response.etag,
        "last_modified": response.last_modified,
        "content_hash": digest,
    }
    if digest == previous_hash:
        return FeedResult(status="not_modified", **validators, **common)
    try:
        entries, skipped = parse_feed(response.body, response.url, response.content_type)
    except FeedError as exc:
        return FeedResult(status="error", error=str(exc), **common)
    return FeedResult(status="ok", entries=tuple(entries), skipped_entries=skipped, **validators, **common)


def fetch_articles(
    fetcher: Fetcher, entries: Sequence[FeedEntry], languages: list[str], pool: Executor | None = None
) -> tuple[list[Article], list[Failure]]:
    """Fetch and extract each entry's page; a failed page becomes a Failure, the rest go on.
    With a `pool`, pages are extracted in its processes (trafilatura is CPU-bound)."""
    responses = fetcher.get_many((entry.url, None, None) for entry in entries)
    markers = fetcher.settings.teaser_markers
    each = (entries, responses, repeat(languages), repeat(markers))
    results = pool.map(_article, *each, chunksize=4) if pool else map(_article, *each)
    articles: list[Article] = []
    failures: list[Failure] = []
    for result in results:
        (articles if isinstance(result, Article) else failures).append(result)
    return articles, failures


@contextmanager
def extraction_pool(processes: int) -> Iterator[Executor | None]:
    """Processes to extract pages in for the length of a run, or None for one process.

    Processes, not threads: lxml in a thread beside spaCy parsing in the same process has
    crashed with heap corruption. forkserver, not fork: the run's process holds threads (the
    HTTP client's, Prefect's) that a forked child would inherit mid-lock.
    """
    if processes <= 1:
        yield None
        return
    with ProcessPoolExecutor(processes, mp_context=get_context("forkserver")) as pool:
        yield pool


def _permanent(response: Response) -> bool:
    """404/410 and a refused address will not change by asking again: stop asking."""
    return response.status in PERMANENT_STATUS or (response.error or "").startswith(REFUSED)


def _article(
    entry: FeedEntry, response: Response, languages: list[str], teaser_markers: Sequence[str]
) -> Article | Failure:
    if not response.ok:
        return Failure(
            entry.url,
            entry.article_id,
            "page",
            response.error or "no response",
            response.status,
            len(response.body),
            response.elapsed_ms,
            permanent=_permanent(response),
        )
    content_type = (response.content_type or "text/html").split(";")[0].strip().lower()
    if content_type not in ("text/html", "application/xhtml+xml", "text/plain"):
        return Failure(
            entry.url,
            entry.article_id,
            "page",
            f"not a web page ({content_type})",
            response.status,
            len(response.body),
            response.elapsed_ms,
            permanent=True,
        )
    try:
        charset = http_content_type_encoding(response.content_type)
        article = extract_article(response.body, entry, datetime.now(UTC), languages, teaser_markers, charset)
        return replace(
            article,
            http_status=response.status,
            bytes=len(response.body),
            elapsed_ms=response.elapsed_ms,
        )
    except ExtractionError as exc:
        return Failure(
            entry.url,
            entry.article_id,
            "extract",
            str(exc),
            response.status,
            len(response.body),
            response.elapsed_ms,
        )
