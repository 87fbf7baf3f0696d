"""Whole runs under faults: dead feeds, paywalls, a locked database, a killed process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from flows.ingest import ingest
from tests.conftest import REPO
from tests.reliability.conftest import Ledger
from tests.server import FaultServer, Route
from warehouse.db import DatabaseBusy, connect

pytestmark = [pytest.mark.flow, pytest.mark.model]

RUNS = "Runs, crashes and locks"
SAMPLE_FEEDS = ["defence-wire.xml", "security-monitor.xml", "regional-briefs.xml"]
TEASER = (
    "<html lang='en'><head><title>Paywalled</title>"
    '<script type="application/ld+json">{"isAccessibleForFree": false}</script></head>'
    "<body><article><h1>Paywalled</h1><p>"
    + "President Joe Biden met Japanese Prime Minister Fumio Kishida in Washington to discuss missiles. " * 4
    + "</p><p>Subscribe to continue reading.</p></article></body></html>"
)
HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("CREATE TABLE IF NOT EXISTS analyst_scratch (n INTEGER)")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def config(tmp_path: Path, server: FaultServer, feeds: list[str], extra: str = "") -> Path:
    sources = "".join(f'[[sources]]\nname = "{f}"\nurl = "{server.url}/feeds/{f}"\n' for f in feeds)
    path = tmp_path / "newsint.toml"
    head = f'timeout_seconds = 1\nretries = 0\nbatch_size = 2\nallow_hosts = ["127.0.0.1"]\n{extra}\n'
    path.write_text(head + sources, encoding="utf-8")
    return path


def query(db: Path, sql: str) -> list[tuple]:
    with connect(db, read_only=True) as con:
        return con.execute(sql).fetchall()


def run(ledger: Ledger, path: Path, db: Path) -> None:
    ingest(config=str(path), db_path=str(db))
    ledger.runs_completed += 1


@contextmanager
def hold(db: Path, seconds: float) -> Iterator[None]:
    """Another process (an analyst's session) holding the file's write lock for a while."""
    command = [sys.executable, "-c", HOLD, str(db), str(seconds)]
    with subprocess.Popen(command, stdout=subprocess.PIPE) as holder:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"locked"
        yield


def duplicates(db: Path) -> int:
    ((articles, mentions),) = query(
        db,
        "SELECT (SELECT count(*) - count(DISTINCT url) FROM articles),"
        " (SELECT count(*) FROM (SELECT article_id, start_char, end_char, label FROM mentions"
        "  GROUP BY ALL HAVING count(*) > 1))",
    )
    return int(articles + mentions)


@pytest.mark.case(RUNS, "Dead and gone feeds over three runs", "backed off, then paused and reported as held")
@pytest.mark.case(RUNS, "Paywall teaser in a run", "stored as 'teaser', no entities read from it")
def test_dead_feeds_are_paused(
    prefect_harness: None, server: FaultServer, tmp_path: Path, ledger: Ledger
) -> None:
    server.routes["/feeds/dead.xml"] = Route(b"down", status=500)
    server.routes["/feeds/gone.xml"] = Route(b"", status=410)
    server.routes["/feeds/paywall.xml"] = Route(
        b'<rss version="2.0"><channel><title>P</title>'
        b"<item><title>Locked</title><link>/paywalled.html</link></item></channel></rss>",
        headers={"Content-Type": "application/rss+xml"},
    )
    server.routes["/paywalled.html"] = Route(TEASER.encode(), headers={"Content-Type": "text/html"})
    extra = "feed_backoff_seconds = 0\nfeed_pause_after = 2\nfeed_pause_seconds = 3600"
    path = config(tmp_path, server, ["defence-wire.xml", "dead.xml", "gone.xml", "paywall.xml"], extra)
    db = tmp_path / "w.duckdb"
    for _ in range(3):
        run(ledger, path, db)

    assert server.hits["/feeds/gone.xml"] == 1  # 410: paused after the first answer
    assert server.hits["/feeds/dead.xml"] == 2  # backoff 0: asked again once, then paused
    feeds = dict(query(db, "SELECT feed_url, paused_reason FROM feeds WHERE paused_reason IS NOT NULL"))
    assert feeds == {
        f"{server.url}/feeds/gone.xml": "gone: HTTP 410 Gone",
        f"{server.url}/feeds/dead.xml": "2 failed polls in a row, last: HTTP 500 Internal Server Error",
    }
    held = query(db, "SELECT url, count(*) FROM fetch_events WHERE status = 'held' GROUP BY url ORDER BY url")
    assert held == [(f"{server.url}/feeds/dead.xml", 1), (f"{server.url}/feeds/gone.xml", 2)]
    teaser = query(
        db,
        "SELECT status, (SELECT count(*) FROM mentions m WHERE m.article_id = a.article_id)"
        " FROM articles a WHERE url LIKE '%paywalled%'",
    )
    assert teaser == [("teaser", 0)]
    assert query(db, "SELECT count(*) FROM mentions")[0][0] > 0  # the other articles were read
    ledger.duplicates += duplicates(db)
    assert duplicates(db) == 0


@pytest.mark.case(RUNS, "Another process holds the DuckDB file for 3 s", "the run waits, then completes")
def test_run_waits_for_a_held_database(
    prefect_harness: None, server: FaultServer, tmp_path: Path, ledger: Ledger
) -> None:
    path, db = config(tmp_path, server, ["defence-wire.xml"]), tmp_path / "w.duckdb"
    with hold(db, 3):
        started = time.monotonic()
        run(ledger, path, db)
        waited = time.monotonic() - started
    assert waited > 1  # it could not start while the file was held
    ((articles, runs),) = query(
        db, "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM runs WHERE status = 'completed')"
    )
    feed_items = query(db, "SELECT count(DISTINCT article_id) FROM entries")[0][0]
    assert runs == 1 and articles == feed_items > 0
    ledger.rows_compared += articles
    ledger.rows_lost += feed_items - articles


@pytest.mark.case(RUNS, "DuckDB file held longer than the wait", "DatabaseBusy naming the file")
def test_busy_database_fails_clearly(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with hold(db, 4), pytest.raises(DatabaseBusy) as caught, connect(db, wait_seconds=1):
        pass
    assert str(caught.value) == f"{db} stayed locked by another process for 1 s; nothing was written"
    assert query(db, "SELECT table_name FROM duckdb_tables()") == [("analyst_scratch",)]


@pytest.mark.case(RUNS, "SIGKILL while a batch is loading, then a re-run", "same rows as a clean run")
@pytest.mark.case(RUNS, "A run killed with SIGKILL", "closed as failed by the next run, with its reason")
def test_kill_mid_load_then_rerun(
    prefect_harness: None, server: FaultServer, tmp_path: Path, ledger: Ledger
) -> None:
    from prefect.settings import PREFECT_API_URL

    path = config(tmp_path, server, SAMPLE_FEEDS)
    killed, clean = tmp_path / "killed.duckdb", tmp_path / "clean.duckdb"
    wal = Path(f"{killed}.wal")
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value()), "PREFECT_LOGGING_LEVEL": "ERROR"}
    driver = "import sys; from flows.ingest import ingest; ingest(config=sys.argv[1], db_path=sys.argv[2])"
    with subprocess.Popen(
        [sys.executable, "-c", driver, str(path), str(killed)], cwd=REPO, env=env, stderr=subprocess.DEVNULL
    ) as child:
        # Pages are fetched only after the feeds are stored; from then on a write-ahead log on
        # disk is a batch being loaded. Let the first batch load, kill as the second one does.
        deadline = time.monotonic() + 120
        while not any(p.startswith("/articles/") for p in server.hits) and time.monotonic() < deadline:
            time.sleep(0.005)
        for present in (True, False, True):
            while wal.exists() != present and child.poll() is None and time.monotonic() < deadline:
                time.sleep(0.0005)
        child.send_signal(signal.SIGKILL)
    assert child.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    ledger.runs_killed += 1
    assert query(killed, "SELECT status FROM runs") == [("running",)]
    loaded_before = query(killed, "SELECT count(*) FROM articles")[0][0]

    run(ledger, path, killed)
    run(ledger, path, clean)

    # The next run closed the killed one: failed, with an end and a reason, not `running` forever.
    runs = query(killed, "SELECT status, finished_at IS NOT NULL, error FROM runs ORDER BY started_at")
    ledger.runs_left_running += sum(status == "running" for status, *_ in runs)
    assert [row[:2] for row in runs] == [("failed", True), ("completed", True)]
    assert runs[0][2].startswith(f"abandoned: process {child.pid} ended")

    per_article = (
        "SELECT a.url, a.content_hash, count(m.article_id) FROM articles a"
        " LEFT JOIN mentions m USING (article_id) GROUP BY ALL ORDER BY a.url"
    )
    expected, recovered = query(clean, per_article), query(killed, per_article)
    ledger.rows_compared += len(expected) + sum(n for *_, n in expected)
    ledger.rows_lost += len(set(expected) - set(recovered))
    ledger.duplicates += duplicates(killed)
    assert recovered == expected
    assert duplicates(killed) == 0
    assert 0 < loaded_before < len(expected)  # the kill landed after one batch, before the last
    mentions = "SELECT article_id, start_char, end_char, label, norm FROM mentions ORDER BY ALL"
    assert query(killed, mentions) == query(clean, mentions)
