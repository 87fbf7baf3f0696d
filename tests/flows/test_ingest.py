"""The ingest flow end to end: real HTTP on 127.0.0.1, real Prefect runs, a real DuckDB file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flows.ingest import batches, ingest
from pipeline.settings import load_settings
from tests.conftest import SAMPLE
from tests.server import FaultServer, Route

pytestmark = [pytest.mark.flow, pytest.mark.model]

SAMPLE_PAGES = len(list((SAMPLE / "articles").glob("*.html")))
FAULT_FEED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Faults</title><link>http://x.example/</link><description>d</description>
<item><title>Slow page</title><link>/articles/slow.html</link></item>
<item><title>Gone page</title><link>/articles/gone.html</link></item>
<item><title>Also in Defence Wire</title>
<link>/articles/poland-takes-delivery-of-more-k2-tanks-and-k9-howitzers.html?utm_source=rss</link></item>
</channel></rss>"""


def _config(tmp_path: Path, server: FaultServer, extract_processes: int = 1) -> Path:
    feeds = [
        "defence-wire.xml",
        "security-monitor.xml",
        "regional-briefs.xml",
        "broken.xml",
        "malformed.xml",
        "faults.xml",
    ]
    sources = "\n".join(
        f'[[sources]]\nname = "{name}"\nurl = "{server.url}/feeds/{name}"\n' for name in feeds
    )
    path = tmp_path / "newsint.toml"
    # The server is on 127.0.0.1, which the SSRF guard refuses unless allowed.
    settings = 'timeout_seconds = 0.5\nretries = 1\nbatch_size = 4\nallow_hosts = ["127.0.0.1"]\n'
    # Above 1, each next batch is fetched while one is parsed, its pages extracted in processes.
    settings += f"extract_processes = {extract_processes}\n"
    path.write_text(settings + sources, encoding="utf-8")
    return path


def _query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.mark.parametrize("extract_processes", [1, 2])
def test_ingest_loads_everything_that_works_and_records_the_rest(
    prefect_harness: None, server: FaultServer, tmp_path: Path, extract_processes: int
) -> None:
    server.routes["/feeds/broken.xml"] = Route(b"oops", status=500)
    server.routes["/feeds/malformed.xml"] = Route(
        b"<?xml version='1.0'?><rss><channel><item><title>cut",
        headers={"Content-Type": "application/rss+xml"},
    )
    server.routes["/feeds/faults.xml"] = Route(
        FAULT_FEED.encode(), headers={"Content-Type": "application/rss+xml"}
    )
    server.routes["/articles/slow.html"] = Route(b"<html><body><p>late</p></body></html>", delay=2.0)
    config, db = _config(tmp_path, server, extract_processes), tmp_path / "newsint.duckdb"

    first = ingest(config=str(config), db_path=str(db))

    assert first.feeds_polled == 6 and first.feeds_failed == 2
    assert first.articles_new == SAMPLE_PAGES
    assert _query(db, "SELECT count(*) FROM articles") == [(SAMPLE_PAGES,)]
    errors = dict(_query(db, "SELECT url, error FROM fetch_events WHERE status IN ('error', 'gone')"))
    assert "HTTP 500" in errors[f"{server.url}/feeds/broken.xml"]
    assert "malformed" in errors[f"{server.url}/feeds/malformed.xml"]
    assert "timed out" in errors[f"{server.url}/articles/slow.html"]
    assert "404" in errors[f"{server.url}/articles/gone.html"]
    labels = dict(_query(db, "SELECT label, count(*) FROM mentions GROUP BY label"))
    assert set(labels) == {"PERSON", "COUNTRY", "WEAPON"}
    north_korea = _query(
        db,
        """
        SELECT DISTINCT m.label, m.norm FROM mentions m JOIN articles a USING (article_id)
        WHERE a.url LIKE '%north-korea-fires%'""",
    )
    assert ("COUNTRY", "PRK") in north_korea and ("PERSON", "Kim Jong Un") in north_korea
    french = _query(
        db,
        "SELECT status, (SELECT count(*) FROM mentions m WHERE m.article_id = a.article_id)"
        " FROM articles a WHERE language = 'fr'",
    )
    assert french == [("non_english", 0)]

    # A second run with nothing changed adds nothing; feeds answer 304 to our ETags.
    before = _query(
        db,
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM mentions),"
        " (SELECT count(*) FROM entities), (SELECT count(*) FROM entries)",
    )
    second = ingest(config=str(config), db_path=str(db))
    after = _query(
        db,
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM mentions),"
        " (SELECT count(*) FROM entities), (SELECT count(*) FROM entries)",
    )
    assert after == before
    # The three sample feeds answer 304 to our ETags; the fault feed's body hashes the same.
    assert second.articles_new == 0 and second.feeds_not_modified == 4
    conditional = [path for path, headers in server.requests if headers.get("If-None-Match")]
    assert "/feeds/defence-wire.xml" in conditional

    # Once the slow site recovers, a re-run finishes the work: the page loads, nothing doubles.
    server.routes["/articles/slow.html"] = Route(
        (
            "<html lang='en'><body><article><h1>Late news</h1>"
            + "".join(
                f"<p>Japan and the United States held round {n} of their talks on hypersonic missiles"
                f" with South Korea, officials said on day {n}.</p>"
                for n in range(1, 9)
            )
            + "</article></body></html>"
        ).encode(),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    third = ingest(config=str(config), db_path=str(db))
    assert third.articles_new == 1
    assert _query(db, "SELECT count(*) FROM articles") == [(SAMPLE_PAGES + 1,)]
    assert _query(
        db,
        "SELECT count(*) FROM (SELECT article_id, start_char, label FROM mentions"
        " GROUP BY ALL HAVING count(*) > 1)",
    ) == [(0,)]
    assert _query(db, "SELECT count(*) FROM runs WHERE status = 'completed'") == [(3,)]


def test_a_crashed_run_is_marked_failed_and_leaves_its_work_pending(
    prefect_harness: None, tmp_path: Path
) -> None:
    sources = "\n".join(
        f'[[sources]]\nname = "{feed.stem}"\nurl = "{feed.resolve().as_uri()}"\n'
        for feed in sorted((SAMPLE / "feeds").glob("*.xml"))
    )
    config, db = tmp_path / "newsint.toml", tmp_path / "newsint.duckdb"
    config.write_text(f'spacy_model = "no_such_spacy_model"\n{sources}', encoding="utf-8")

    with pytest.raises(OSError, match="no_such_spacy_model"):
        ingest(config=str(config), db_path=str(db))

    assert _query(db, "SELECT status, finished_at IS NOT NULL FROM runs") == [("failed", True)]
    assert _query(db, "SELECT count(*) FROM articles") == [(0,)]
    assert _query(db, "SELECT count(DISTINCT article_id) FROM entries") == [(SAMPLE_PAGES,)]


def test_a_run_with_nothing_new_imports_no_parsing_or_loading_library(
    prefect_harness: None, tmp_path: Path
) -> None:
    # Both runs read the bundled sample's feeds from disk; the second finds them unchanged.
    from prefect.settings import PREFECT_API_URL

    from tests.warehouse.conftest import ingest_sample, sample_config

    config = sample_config(tmp_path)
    db_path = tmp_path / "newsint.duckdb"
    ingest_sample(load_settings(config, db_path=db_path))
    code = f"""
import sys
from flows.ingest import batches, ingest
summary = ingest(config={str(config)!r}, db_path={str(db_path)!r})
heavy = {{"spacy", "trafilatura", "pyarrow", "numpy", "pandas", "py3langid", "courlan"}}
print(summary.articles_new, summary.feeds_not_modified, sorted(heavy & set(sys.modules)))
"""
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip().splitlines()[-1] == "0 3 []"


def test_batches_start_with_a_smaller_one_when_asked() -> None:
    items = list(range(10))
    assert [list(b) for b in batches(items, 4)] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert [list(b) for b in batches(items, 4, first=1)] == [[0], [1, 2, 3, 4], [5, 6, 7, 8], [9]]
    assert list(batches([], 4, first=1)) == []
