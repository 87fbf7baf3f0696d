"""Awkward pages: non-HTML, charsets, empty extraction, paywall teasers, other languages."""

from __future__ import annotations

import pytest

from pipeline.crawl import fetch_articles
from pipeline.fetch import Fetcher
from pipeline.records import Article, Failure, FeedEntry
from pipeline.urls import article_id
from tests.server import FaultServer, Route

PAGES = "Pages"
JAPANESE = "防衛省は新型ミサイルの試験を発表した。関係者によると試験は成功した。"
CHINESE = "国防部宣布测试新型导弹，官员表示这是一次成功的试验。"
FRENCH = "Le ministère de la Défense a annoncé l’essai d’un missile « hypersonique ». "
STORY = (
    "The navy commissioned two new frigates at the northern base on Monday, officials said. "
    "The ships carry long-range air defence missiles and will patrol the strait from next month. "
)


def page(body: str, head: str = "") -> str:
    article = f"<article><h1>News</h1>{body}</article>"
    return f"<html><head>{head}<title>News</title></head><body>{article}</body></html>"


def one(server: FaultServer, fetcher: Fetcher, route: Route) -> Article | Failure:
    server.routes["/page"] = route
    url = server.url + "/page"
    entry = FeedEntry(article_id(url), url, server.url + "/feed.xml", "News", None, None, None)
    articles, failures = fetch_articles(fetcher, [entry], ["en"])
    (result,) = articles + failures
    return result


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("application/pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), ("image/png", b"\x89PNG\r\n\x1a\n\0\0")],
    ids=["pdf", "png"],
)
@pytest.mark.case(PAGES, "Non-HTML content (PDF, image)", "recorded as 'not a web page', not retried")
def test_not_a_web_page(server: FaultServer, fetcher: Fetcher, content_type: str, body: bytes) -> None:
    result = one(server, fetcher, Route(body, headers={"Content-Type": content_type}))
    assert isinstance(result, Failure) and result.permanent
    assert result.reason == f"not a web page ({content_type})"


@pytest.mark.parametrize(
    ("encoding", "text", "language", "header"),
    [
        ("shift_jis", JAPANESE * 12, "ja", None),
        ("gb18030", CHINESE * 15, "zh", None),
        ("cp1252", FRENCH * 8, "fr", None),
        ("cp1252", STORY.replace("navy", "navy’s fleet") * 3, "en", "text/html; charset=utf-8"),
    ],
    ids=["shift_jis-no-charset", "gb18030-no-charset", "cp1252-no-charset", "cp1252-declared-utf8"],
)
@pytest.mark.case(
    PAGES, "Missing or wrong charset (Shift_JIS, GB18030, windows-1252)", "decoded right; language stored"
)
def test_charsets(
    server: FaultServer, fetcher: Fetcher, encoding: str, text: str, language: str, header: str | None
) -> None:
    headers = {"Content-Type": header} if header else {}
    result = one(server, fetcher, Route(page(f"<p>{text}</p>").encode(encoding), headers=headers))
    assert isinstance(result, Article)
    assert text[:30] in result.text
    assert result.language == language
    assert result.status == ("ok" if language == "en" else "non_english")


@pytest.mark.case(PAGES, "Page with no article text", "recorded as an extraction failure")
def test_empty_extraction(server: FaultServer, fetcher: Fetcher) -> None:
    result = one(server, fetcher, Route(page("<nav><a href='/'>Home</a></nav>").encode()))
    assert isinstance(result, Failure) and result.stage == "extract"
    assert result.reason.startswith("no article text")


@pytest.mark.case(PAGES, "Paywall teaser (subscription prompt)", "stored as status 'teaser'")
def test_teaser_by_prompt(server: FaultServer, fetcher: Fetcher) -> None:
    body = f"<p>{STORY}</p><p>Subscribe to continue reading this article.</p>"
    result = one(server, fetcher, Route(page(body).encode()))
    assert isinstance(result, Article) and result.status == "teaser"


@pytest.mark.case(PAGES, "Paywall teaser (schema.org isAccessibleForFree)", "stored as status 'teaser'")
def test_teaser_by_markup(server: FaultServer, fetcher: Fetcher) -> None:
    data = '{"@type": "NewsArticle", "isAccessibleForFree": false}'
    markup = f'<script type="application/ld+json">{data}</script>'
    result = one(server, fetcher, Route(page(f"<p>{STORY * 2}</p>", markup).encode()))
    assert isinstance(result, Article) and result.status == "teaser"


def test_full_article_is_not_a_teaser(server: FaultServer, fetcher: Fetcher) -> None:
    # A long article that closes with a subscription plug is still a full article.
    body = f"<p>{STORY * 20}</p><p>Already a subscriber? Thanks for reading.</p>"
    result = one(server, fetcher, Route(page(body).encode()))
    assert isinstance(result, Article) and result.status == "ok"


@pytest.mark.parametrize("status", [404, 410])
@pytest.mark.case(PAGES, "Article page 404 or 410", "recorded as permanent: not fetched again")
def test_missing_page_is_permanent(server: FaultServer, fetcher: Fetcher, status: int) -> None:
    result = one(server, fetcher, Route(b"", status=status))
    assert isinstance(result, Failure) and result.permanent and result.http_status == status
