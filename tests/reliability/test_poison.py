"""Poison input: one run through the real command line over a feed that mixes 100 good pages with
every hostile case, then a second run. Good pages load at once, each bad item is recorded with its
reason, nothing is retried that cannot help, and no process outlives the command."""

from __future__ import annotations

import gzip
import os
import random
import re
import socket
import subprocess
import sys
import zlib
from pathlib import Path

import duckdb
import pytest

from tests.flows.processes import left_after, processes_with
from tests.reliability.conftest import Ledger
from tests.reliability.test_runs import TEASER, duplicates
from tests.server import FaultServer, Route

pytestmark = [pytest.mark.flow, pytest.mark.model]

POISON = "Poison input"
NEWSINT = str(Path(sys.executable).parent / "newsint")
# What a run may print on standard error: its own one-line reports, and Prefect's warnings.
CONSOLE = re.compile(r"newsint: |\d\d:\d\d:\d\d\.\d+ \| (WARNING|ERROR) ")
GOOD = 100
CAP = 3_000_000
HTML = {"Content-Type": "text/html; charset=utf-8"}
PEOPLE = ["Joe Biden", "Fumio Kishida", "Lloyd Austin", "Yoon Suk Yeol", "Anthony Albanese"]
PLACES = ["Japan", "South Korea", "Australia", "the Philippines", "Germany"]


def good_page(n: int) -> bytes:
    person, place = PEOPLE[n % len(PEOPLE)], PLACES[n % len(PLACES)]
    paragraphs = [
        f"Report number {n}. {person} met defence officials from {place} on day {n} of the talks.",
        f"They discussed the SM-3 Block IIA interceptor and hypersonic missiles for item {n}.",
        f"Officials said North Korea had tested {n % 7 + 2} ballistic missiles since the spring, and "
        "that China and Russia were watching the exercises closely.",
        f"A further meeting is planned for week {n + 3}, when ministers will review the programme.",
    ]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html lang='en'><head><title>Talks {n}</title></head>"
        f"<body><article><h1>Talks {n}</h1>{body}</article></body></html>"
    ).encode()


def huge_text_page() -> bytes:
    """Over 1,000,000 characters of article text, more than spaCy takes in one parse: English at
    the start (the language test reads it), then long paragraphs of long words, cheap to parse."""
    opening = "".join(
        f"<p>The ministers of Japan and Australia met in Canberra for round {i} of the talks on "
        "missile defence, and they agreed to meet again before the end of the year.</p>"
        for i in range(12)
    )
    paragraphs = "".join(
        f"<p>Joe Biden spoke in part {i}. " + " ".join(f"Word{i}x{j}{'y' * 40}" for j in range(200)) + ".</p>"
        for i in range(110)
    )
    body = f"<body><article>{opening}{paragraphs}</article></body>"
    return f"<html lang='en'><head><title>Huge</title></head>{body}</html>".encode()


MALFORMED = r"^refused: .*malformed URL"


def redirect(location: str) -> Route:
    return Route(status=302, headers={"Location": location})


# A hostile page: its reply, and what its recorded reason must say.
HOSTILE_PAGES: dict[str, tuple[Route, str]] = {
    "/bad/500": (Route(b"oops", status=500), r"HTTP 500"),
    "/bad/404": (Route(b"", status=404), r"HTTP 404"),
    "/bad/slow": (Route(good_page(900), delay=2.5, headers=HTML), r"^timed out after 1 s"),
    "/bad/drip-headers": (
        Route(good_page(901), drip_headers=0.05),
        r"^timed out: no complete response within 3 s",
    ),
    "/bad/reset": (Route(good_page(902) * 20, reset_after=200, headers=HTML), r"^connection broken"),
    "/bad/empty": (Route(b"", headers=HTML), r"^no article text"),
    "/bad/no-text": (Route(b"<html><body><div></div></body></html>", headers=HTML), r"^no article text"),
    "/bad/too-big": (Route(b"x" * (CAP + 1), headers=HTML), r"Content-Length"),
    "/bad/bomb": (
        Route(gzip.compress(b"\0" * 20_000_000), headers={**HTML, "Content-Encoding": "gzip"}),
        r"decompressed",
    ),
    "/bad/image": (
        Route(b"\x89PNG\r\n\x1a\n" + bytes(2000), headers={"Content-Type": "image/png"}),
        r"^not a web page",
    ),
    "/bad/binary": (Route(random.Random(7).randbytes(20_000), headers=HTML), r"^no article text"),
    "/bad/loop": (redirect("/bad/loop"), r"redirect"),
    "/bad/to-metadata": (redirect("http://169.254.169.254/latest/meta-data/"), r"^refused: .*metadata"),
    "/bad/to-file": (redirect("file:///etc/passwd"), r"^refused: "),
    "/bad/to-bad-port": (redirect("http://127.0.0.1:99999/y"), MALFORMED),
    "/bad/to-bad-host": (redirect("http://[zz/y"), MALFORMED),
    "/bad/410": (Route(b"", status=410), r"HTTP 410"),
    "/bad/429": (Route(b"", status=429, headers={"Retry-After": "3600"}), r"429"),
    "/bad/chunked-over-cap": (Route(b"y" * (CAP + 10), chunked=True, headers=HTML), r"^response larger than"),
    "/bad/deflate-bomb": (
        Route(zlib.compress(b"\0" * 20_000_000), headers={**HTML, "Content-Encoding": "deflate"}),
        r"decompressed",
    ),
    "/bad/trickle": (Route(good_page(904), trickle=0.5, piece=50, headers=HTML), r"^timed out"),
    "/bad/pdf": (
        Route(b"%PDF-1.4\n" + bytes(2000), headers={"Content-Type": "application/pdf"}),
        r"^not a web",
    ),
    "/bad/hop/0": (redirect("/bad/hop/1"), r"redirects"),
}
# A chain of redirects longer than max_redirects (5), starting at /bad/hop/0.
HOPS = {f"/bad/hop/{n}": redirect(f"/bad/hop/{n + 1}") for n in range(1, 8)}
JAPANESE = (
    "<html><head><meta charset='shift_jis'><title>防衛</title></head><body><article>"
    + "".join(
        f"<p>第{n}項。日本と米国は極超音速ミサイルを迎撃する新しいミサイルを共同で開発することで"
        "合意した。防衛省によると、開発には約十年かかる見通しだという。</p>"
        for n in range(1, 6)
    )
    + "</article></body></html>"
)
# Odd but good pages: stored, with the status they call for.
ODD_PAGES: dict[str, tuple[Route, str]] = {
    "/odd/teaser": (Route(TEASER.encode(), headers=HTML), "teaser"),
    "/odd/shift-jis": (
        Route(JAPANESE.encode("shift_jis"), headers={"Content-Type": "text/html"}),
        "non_english",
    ),
    "/odd/windows-1252": (
        Route(good_page(905).replace(b"Report number", "\u201cReport\u201d number".encode("cp1252"))),
        "ok",
    ),
}
# Item links that are hostile themselves: refused before any request, or left out of the feed.
PORT_OUT_OF_RANGE = "http://127.0.0.1:99999/x"
METADATA = "http://169.254.169.254/latest/meta-data/"
NO_SUCH_HOST = "http://newsint-soak.invalid/story"
SKIPPED_LINKS = ["http://[zz/x", "file:///etc/passwd", "javascript:alert(1)"]
# Whole feeds that are hostile, beside the one with the items.
HOSTILE_FEEDS: dict[str, tuple[Route, str]] = {
    "/feeds/to-bad-port.xml": (redirect("http://127.0.0.1:99999/feed.xml"), MALFORMED),
    "/feeds/to-bad-host.xml": (redirect("http://[zz/feed.xml"), MALFORMED),
    "/feeds/broken.xml": (Route(b"down", status=500), r"HTTP 500"),
    "/feeds/not-a-feed.xml": (Route(good_page(903), headers=HTML), r"not a feed"),
    "/feeds/empty.xml": (Route(b"", headers={"Content-Type": "application/rss+xml"}), r"empty"),
    "/feeds/gone.xml": (Route(b"", status=410), r"HTTP 410"),
}
# Hostile feeds that still give their items (links to good pages already listed: no duplicates).
LAUGHS = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
READABLE_FEEDS = {
    "/feeds/laughs.xml": f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol0 "lol">{LAUGHS}]>'
    "<rss version='2.0'><channel><title>L</title><item><title>&lol9;</title><link>/good/1</link></item>"
    "</channel></rss>",
    "/feeds/xxe.xml": '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    "<rss version='2.0'><channel><title>X</title><item><title>a &xxe; b</title><link>/good/2</link></item>"
    "</channel></rss>",
    "/feeds/truncated.xml": "<rss version='2.0'><channel><title>T</title><item><title>t</title>"
    "<link>/good/3?utm_source=feed</link></item><item><title>cut</title><link>/goo",
}


def soak_feed(server: FaultServer, refused: str) -> bytes:
    links = [f"{server.url}/good/{n}" for n in range(GOOD)] + [f"{server.url}/huge-text"]
    links += [server.url + path for path in {**HOSTILE_PAGES, **ODD_PAGES}]
    links += [PORT_OUT_OF_RANGE, METADATA, NO_SUCH_HOST, refused, *SKIPPED_LINKS]
    links += [f"{server.url}/good/0?utm_source=rss&fbclid=x"]  # the first page again, tracked
    items = "".join(
        f"<item><title>Item {n}</title><link>{link}</link></item>" for n, link in enumerate(links)
    )
    channel = f"<title>Soak</title><link>{server.url}/</link><description>d</description>{items}"
    prolog = '<?xml version="1.0" encoding="utf-8"?>'
    return f'{prolog}<rss version="2.0"><channel>{channel}</channel></rss>'.encode()


def closed_port_url() -> str:
    """A URL on a port nothing listens on (bound, then closed): the connection is refused."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/story"


def query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def newsint_run(config: Path, db: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """`newsint run` as on a fresh machine: no Prefect settings, so it starts its own server."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")} | {"PREFECT_HOME": str(home)}
    return subprocess.run(
        [NEWSINT, "run", "--config", str(config), "--db", str(db)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.case(
    POISON,
    "Hostile feeds in the same run (billion laughs, XXE, truncated, empty, 410, redirects)",
    "read for their items or recorded with the reason; nothing expanded or read from disk",
)
@pytest.mark.case(
    POISON,
    "Odd pages in the same run (teaser, Shift_JIS, windows-1252 without charset, tracked duplicate link)",
    "stored as teaser, non_english and ok; the duplicate adds nothing",
)
@pytest.mark.case(POISON, "Processes after each run", "none left (the run's Prefect server stopped)")
@pytest.mark.case(
    POISON, "A second run over the same feeds", "finishes cleanly: nothing new, nothing doubled"
)
@pytest.mark.case(
    POISON, "Article text over 1,000,000 characters", "parsed in pieces; offsets match the text"
)
@pytest.mark.case(
    POISON, "Page or feed redirect to a port out of range or a broken host", "refused at that hop, recorded"
)
@pytest.mark.case(
    POISON, "Item link with a port out of range", "refused as a malformed URL, recorded once, not retried"
)
@pytest.mark.case(
    POISON, "100 good pages beside every hostile page, link and feed", "good pages all load in the first run"
)
def test_poison_soak(server: FaultServer, tmp_path: Path, ledger: Ledger) -> None:
    for path, (route, _) in {**HOSTILE_PAGES, **HOSTILE_FEEDS, **ODD_PAGES}.items():
        server.routes[path] = route
    server.routes |= HOPS
    for path, body in READABLE_FEEDS.items():
        server.routes[path] = Route(body.encode(), headers={"Content-Type": "application/rss+xml"})
    for n in range(GOOD):
        server.routes[f"/good/{n}"] = Route(good_page(n), headers=HTML)
    server.routes["/huge-text"] = Route(huge_text_page(), headers=HTML)
    refused = closed_port_url()
    server.routes["/feeds/soak.xml"] = Route(
        soak_feed(server, refused), headers={"Content-Type": "application/rss+xml", "ETag": '"1"'}
    )
    feeds = ["/feeds/soak.xml", *HOSTILE_FEEDS, *READABLE_FEEDS]
    sources = "".join(f'[[sources]]\nname = "{f}"\nurl = "{server.url}{f}"\n' for f in feeds)
    config = tmp_path / "newsint.toml"
    config.write_text(
        f'timeout_seconds = 1\nretries = 0\nmax_bytes = {CAP}\nallow_hosts = ["127.0.0.1"]\n'
        f"feed_backoff_seconds = 0\n{sources}",
        encoding="utf-8",
    )
    db, home = tmp_path / "newsint.duckdb", tmp_path / "prefect"

    first = newsint_run(config, db, home)
    ledger.runs_completed += 1
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stdout + first.stderr
    assert all(CONSOLE.match(line) for line in first.stderr.splitlines()), first.stderr
    ledger.processes_leaked += len(leaked := left_after(lambda: processes_with(str(tmp_path)), timeout=20))
    assert leaked == []

    good = {f"{server.url}/good/{n}" for n in range(GOOD)}
    loaded = dict(query(db, "SELECT url, status FROM articles"))
    ledger.rows_compared += len(good)
    ledger.rows_lost += len(good - set(loaded))
    assert good <= set(loaded)
    assert {loaded[url] for url in good} == {"ok"}
    ((with_mentions,),) = query(
        db,
        "SELECT count(DISTINCT article_id) FROM mentions JOIN articles USING (article_id)"
        f" WHERE url LIKE '{server.url}/good/%'",
    )
    assert with_mentions == GOOD
    for path, (_, status) in ODD_PAGES.items():
        assert loaded[server.url + path] == status, path
    assert len(loaded) == GOOD + 1 + len(ODD_PAGES)  # the tracked link and the feeds' items added none

    # The long text: stored whole, entities found all through it, each span where it says.
    ((length, found, last, misplaced),) = query(
        db,
        "SELECT length(a.text), count(m.start_char), max(m.start_char),"
        " count(*) FILTER (WHERE substring(a.text, m.start_char + 1, m.end_char - m.start_char) <> m.text)"
        " FROM articles a JOIN mentions m USING (article_id)"
        f" WHERE a.url = '{server.url}/huge-text' GROUP BY ALL",
    )
    assert length > 1_000_000 and found >= 100 and last > 1_000_000 and misplaced == 0

    # Each bad page and link: one event with its reason; none of them became an article.
    events = query(db, "SELECT url, status, error FROM fetch_events WHERE stage <> 'feed' AND status <> 'ok'")
    by_url: dict[str, list[tuple[str, str]]] = {}
    for url, status, error in events:
        by_url.setdefault(url, []).append((status, error))
    expected = {server.url + path: pattern for path, (_, pattern) in HOSTILE_PAGES.items()}
    expected[PORT_OUT_OF_RANGE] = MALFORMED
    expected[METADATA] = r"^refused: .*metadata"
    expected[NO_SUCH_HOST] = r"^DNS lookup failed"
    expected[refused] = r"(?i)connect"
    for url, pattern in expected.items():
        assert len(by_url.get(url, [])) == 1, (url, by_url.get(url))
        ((status, error),) = by_url[url]
        assert error and re.search(pattern, error), (url, error)
    assert set(by_url) == set(expected)  # good pages recorded no failure
    assert not set(expected) & set(loaded)
    feed_errors = dict(query(db, "SELECT url, error FROM fetch_events WHERE stage = 'feed'"))
    for path, (_, pattern) in HOSTILE_FEEDS.items():
        assert re.search(pattern, feed_errors[server.url + path] or ""), (path, feed_errors)
    assert (
        feed_errors[f"{server.url}/feeds/soak.xml"] == f"{len(SKIPPED_LINKS)} items skipped: no usable link"
    )
    for path in HOSTILE_FEEDS:  # the console names each failed feed
        assert f"feed {server.url}{path} failed: " in first.stderr
    for path in READABLE_FEEDS:  # read for their items; no entity expanded, no file read
        error = feed_errors[server.url + path]
        assert error is None or error.endswith("items skipped: no usable link"), (path, error)
    titles = " ".join(title or "" for (title,) in query(db, "SELECT title FROM entries"))
    assert "lollol" not in titles and "root:" not in titles
    gone = {url for url, rows in by_url.items() if rows[0][0] == "gone"}
    assert {server.url + "/bad/404", server.url + "/bad/to-metadata", PORT_OUT_OF_RANGE} <= gone

    hits = dict(server.hits)
    second = newsint_run(config, db, home)
    ledger.runs_completed += 1
    assert second.returncode == 0, second.stderr
    assert "Traceback" not in second.stdout + second.stderr
    assert all(CONSOLE.match(line) for line in second.stderr.splitlines()), second.stderr
    ledger.processes_leaked += len(leaked := left_after(lambda: processes_with(str(tmp_path)), timeout=20))
    assert leaked == []

    # Nothing that failed for good is asked for again; nothing is loaded twice; both runs ended.
    assert all(
        server.hits.get(url.removeprefix(server.url), 0) == hits.get(url.removeprefix(server.url), 0)
        for url in gone
    )
    assert query(db, "SELECT count(*) FROM articles") == [(len(loaded),)]
    ledger.duplicates += duplicates(db)
    assert duplicates(db) == 0
    runs = query(db, "SELECT status, finished_at IS NOT NULL FROM runs ORDER BY started_at")
    ledger.runs_left_running += sum(status == "running" for status, _ in runs)
    assert runs == [("completed", True), ("completed", True)]
    assert query(
        db, f"SELECT count(*) FROM fetch_events WHERE url IN ({', '.join(repr(u) for u in gone)}) "
    ) == [(len(gone),)]


@pytest.mark.case(
    POISON,
    "One article the parser cannot finish in time",
    "stored without entities; the rest of its batch loads",
)
def test_an_article_over_the_nlp_timeout_does_not_hold_back_its_batch(
    prefect_harness: None, server: FaultServer, tmp_path: Path
) -> None:
    from flows.ingest import ingest

    server.routes["/huge-text"] = Route(huge_text_page(), headers=HTML)
    # Batches of two: the next batch is already with the parsing processes when this one fails.
    links = [f"{server.url}/good/{n}" for n in range(5)]
    links.insert(2, f"{server.url}/huge-text")
    for n in range(5):
        server.routes[f"/good/{n}"] = Route(good_page(n), headers=HTML)
    items = "".join(f"<item><title>{n}</title><link>{link}</link></item>" for n, link in enumerate(links))
    server.routes["/feeds/mixed.xml"] = Route(
        f'<rss version="2.0"><channel><title>M</title>{items}</channel></rss>'.encode(),
        headers={"Content-Type": "application/rss+xml"},
    )
    config = tmp_path / "newsint.toml"
    config.write_text(
        f'nlp_timeout_seconds = 1\nbatch_size = 2\nmax_bytes = {CAP}\nallow_hosts = ["127.0.0.1"]\n'
        f'[[sources]]\nname = "mixed"\nurl = "{server.url}/feeds/mixed.xml"\n',
        encoding="utf-8",
    )
    db = tmp_path / "newsint.duckdb"

    first = ingest(config=str(config), db_path=str(db))
    second = ingest(config=str(config), db_path=str(db))

    articles = dict(
        query(
            db,
            "SELECT url, status || ':' || (SELECT count(*) FROM mentions m WHERE m.article_id = a.article_id)"
            " FROM articles a",
        )
    )
    assert articles.pop(f"{server.url}/huge-text") == "entities_failed:0"
    assert all(status.startswith("ok:") and status != "ok:0" for status in articles.values()), articles
    assert len(articles) == 5
    ((reason,),) = query(db, "SELECT error FROM fetch_events WHERE stage = 'entities'")
    assert reason.startswith("entities not found: ")
    assert (first.articles_failed, second.articles_new + second.articles_failed) == (1, 0)
