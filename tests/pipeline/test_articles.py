from __future__ import annotations

import logging
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from pipeline.articles import ExtractionError, decode_page, extract_article
from pipeline.records import FeedEntry
from pipeline.urls import article_id

PAGES = Path(__file__).parent / "pages"
URL = "https://harbour-watch.test/reports/patrol-boats.html"
FETCHED = datetime(2024, 6, 5, 12, 0, tzinfo=UTC)


def entry(published_at: datetime | None = None) -> FeedEntry:
    return FeedEntry(
        article_id(URL), URL, "https://harbour-watch.test/feed.xml", "Feed title", published_at, None, None
    )


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def test_main_text_without_boilerplate() -> None:
    article = extract_article(page("article.html"), entry(), FETCHED, ["en"])
    assert "four inshore patrol boats" in article.text
    assert "closer to the outer harbour" in article.text
    for boilerplate in (
        "Tides and weather desk",
        "biscuits",
        "Lighthouse keepers",
        "Related stories",
        "pigeon",
        "Subscribe",
    ):
        assert boilerplate not in article.text
    assert article.status == "ok" and article.language == "en"
    assert article.article_id == article_id(URL) and article.fetched_at == FETCHED


def test_metadata() -> None:
    article = extract_article(page("article.html"), entry(), FETCHED, ["en"])
    assert article.title == "Coastguard orders four new patrol boats"
    assert article.author == "Ivo Marchetti"
    assert article.site == "Harbour Watch"


def test_feed_date_wins_over_page_date() -> None:
    from_feed = datetime(2024, 6, 4, 7, 30, tzinfo=UTC)
    article = extract_article(page("article.html"), entry(from_feed), FETCHED, ["en"])
    assert article.published_at == from_feed
    assert article.published_method == "feed"


def test_page_date_when_feed_has_none() -> None:
    article = extract_article(page("article.html"), entry(None), FETCHED, ["en"])
    assert article.published_method == "page"
    assert article.published_at is not None
    assert article.published_at.tzinfo is not None
    assert article.published_at.date() == date(2024, 6, 3)


def test_french_page_is_not_english() -> None:
    article = extract_article(page("french.html"), entry(), FETCHED, ["en"])
    assert article.language == "fr"
    assert article.status == "non_english"
    assert "vedettes de patrouille" in article.text


def test_page_without_text_is_refused() -> None:
    with pytest.raises(ExtractionError, match="no article text"):
        extract_article(page("stub.html"), entry(), FETCHED, ["en"])


# Windows-1252 curly quotes, as pages that declare iso-8859-1 are in practice written.
QUOTED = b"<p>\x93Quoted\x94 text</p>"


@pytest.mark.parametrize("label", ["iso-8859-1", "ISO_8859-1", "latin-1", "us-ascii"])
def test_declared_latin1_reads_as_windows_1252(label: str) -> None:
    in_meta = f"<html><head><meta charset='{label}'></head><body>".encode() + QUOTED + b"</body></html>"
    in_header = b"<html><body>" + QUOTED + b"</body></html>"
    for text in (decode_page(in_meta), decode_page(in_header, label)):
        assert "“Quoted” text" in text
        assert "\x93" not in text


def test_declared_charset_that_does_not_fit_falls_back() -> None:
    # The header says UTF-8 but the bytes are windows-1252: trusting it would leave U+FFFD.
    text = decode_page(b"<html><body>" + QUOTED * 20 + b"</body></html>", "utf-8")
    assert "“Quoted” text" in text
    assert "\ufffd" not in text


def test_importing_the_module_leaves_the_trafilatura_logger_alone() -> None:
    """Logging is the application's to configure (flows.lifecycle), not an import's side effect."""
    probe = (
        "import logging, pipeline.articles, trafilatura\n"
        "print(logging.getLogger('trafilatura').level, logging.getLogger('trafilatura.core').level)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == [str(logging.NOTSET)] * 2
