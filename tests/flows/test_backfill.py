"""Backfill from a sitemap index, a URL list and saved text files, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import duckdb
import pytest

from flows.backfill import backfill
from tests.conftest import shared_file
from tests.server import FaultServer, Route

pytestmark = [pytest.mark.flow, pytest.mark.model]

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def _xml(root: str, tag: str, locations: list[str]) -> bytes:
    items = "".join(f"<{tag}><loc>{loc}</loc></{tag}>" for loc in locations)
    return f'<?xml version="1.0"?><{root} {NS}>{items}</{root}>'.encode()


def test_backfill_follows_sitemap_index_and_url_list(
    prefect_harness: None, server: FaultServer, tmp_path: Path
) -> None:
    k2 = f"{server.url}/articles/poland-takes-delivery-of-more-k2-tanks-and-k9-howitzers.html"
    shells = f"{server.url}/articles/europe-breaks-ground-on-new-shell-factories.html"
    server.routes["/sitemap-index.xml"] = Route(
        _xml("sitemapindex", "sitemap", [f"{server.url}/sitemap-1.xml", f"{server.url}/sitemap-2.xml"])
    )
    server.routes["/sitemap-1.xml"] = Route(_xml("urlset", "url", [k2, f"{server.url}/articles/gone.html"]))
    server.routes["/sitemap-2.xml"] = Route(b"<html>not a sitemap</html>")
    url_file = tmp_path / "urls.txt"
    url_file.write_text(f"# saved for later\n{shells}\n\n{k2}?utm_source=rss\n", encoding="utf-8")
    db, config = tmp_path / "newsint.duckdb", tmp_path / "newsint.toml"
    config.write_text(
        'allow_hosts = ["127.0.0.1"]  # the test server; refused by default\n', encoding="utf-8"
    )

    done = backfill(
        sitemaps=[f"{server.url}/sitemap-index.xml"],
        url_file=str(url_file),
        config=str(config),
        db_path=str(db),
    )

    assert done.articles_new == 2 and done.articles_failed == 1  # k2 listed twice, loaded once
    assert [url for url, _ in done.failed_feeds] == [f"{server.url}/sitemap-2.xml"]
    with duckdb.connect(str(db), read_only=True) as con:
        urls = {r[0] for r in con.execute("SELECT url FROM articles").fetchall()}
        errors = con.execute("SELECT url, error FROM fetch_events WHERE status = 'gone'").fetchall()
    assert urls == {k2, shells}
    assert errors[0][0].endswith("/articles/gone.html") and "404" in errors[0][1]

    # Backfilling the same pages again changes nothing.
    again = backfill(urls=[k2, shells], config=str(config), db_path=str(db))
    assert (again.articles_new, again.articles_changed, again.articles_unchanged) == (0, 0, 2)


def test_backfill_reads_saved_text_files(prefect_harness: None, tmp_path: Path) -> None:
    seed = shared_file("seed/japan-us-hypersonic-interceptor-2023-08-15.txt")
    folder = tmp_path / "seed"
    folder.mkdir()
    shutil.copy(seed, folder / seed.name)
    db = tmp_path / "newsint.duckdb"

    done = backfill(folder=str(folder), db_path=str(db))

    assert done.articles_new == 1
    with duckdb.connect(str(db), read_only=True) as con:
        ((title, published, method, text),) = con.execute(
            "SELECT title, published_at::DATE::VARCHAR, published_method, text FROM articles"
        ).fetchall()
        names = {r[0] for r in con.execute("SELECT DISTINCT norm FROM mentions").fetchall()}
    assert (title, published, method) == ("Japan us hypersonic interceptor", "2023-08-15", "filename")
    assert text == seed.read_text(encoding="utf-8").strip()
    # The seed names both leaders with their titles and the two countries.
    assert {"Joe Biden", "Fumio Kishida", "JPN", "USA"} <= names


def test_a_page_with_no_text_is_recorded_without_the_extractors_warning(
    prefect_harness: None, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """trafilatura warns of every page it discards; the run records the page itself and logs
    only the extractor's errors, however the flow is started (here without the command)."""
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "empty.html").write_text("<html><body></body></html>", encoding="utf-8")

    with caplog.at_level(logging.WARNING):
        done = backfill(folder=str(folder), db_path=str(tmp_path / "newsint.duckdb"))

    assert (done.articles_new, done.articles_failed) == (0, 1)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("trafilatura")] == []
    assert logging.getLogger("trafilatura").level == logging.ERROR


def test_one_unreadable_file_does_not_stop_a_backfill(prefect_harness: None, tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    story = "President Joe Biden met Japanese Prime Minister Fumio Kishida in Washington on {}."
    (folder / "plain.txt").write_text(story.format("Monday") * 3, encoding="utf-8")
    (folder / "latin.txt").write_bytes((story.format("Tuesday") + " Café défense.").encode("cp1252") * 3)
    (folder / "binary.txt").write_bytes(b"\x00\x01\xff" * 400)
    db = tmp_path / "newsint.duckdb"

    done = backfill(folder=str(folder), db_path=str(db))

    assert (done.articles_new, done.articles_failed) == (2, 1)
    with duckdb.connect(str(db), read_only=True) as con:
        texts = [r[0] for r in con.execute("SELECT text FROM articles ORDER BY url").fetchall()]
        failed = con.execute("SELECT url, status, error FROM fetch_events WHERE status <> 'ok'").fetchall()
        runs = con.execute("SELECT status, finished_at IS NOT NULL FROM runs").fetchall()
    assert len(texts) == 2 and "Café défense" in texts[0]
    assert failed == [
        ((folder / "binary.txt").resolve().as_uri(), "gone", "binary.txt is a binary file, not text")
    ]
    assert runs == [("completed", True)]


def test_poison_locations_in_a_sitemap_are_refused_and_recorded(
    prefect_harness: None, server: FaultServer, tmp_path: Path
) -> None:
    good = f"{server.url}/articles/europe-breaks-ground-on-new-shell-factories.html"
    redirect = f"{server.url}/moved"
    server.routes["/moved"] = Route(status=301, headers={"Location": "http://[zz/moved"})
    poison = ["http://127.0.0.1:99999/story", "http://[zz/story", redirect]
    server.routes["/sitemap.xml"] = Route(_xml("urlset", "url", [poison[0], good, poison[1], redirect]))
    db, config = tmp_path / "newsint.duckdb", tmp_path / "newsint.toml"
    config.write_text('allow_hosts = ["127.0.0.1"]\n', encoding="utf-8")

    done = backfill(sitemaps=[f"{server.url}/sitemap.xml"], config=str(config), db_path=str(db))

    assert (done.articles_new, done.articles_failed) == (1, 3)
    with duckdb.connect(str(db), read_only=True) as con:
        urls = [r[0] for r in con.execute("SELECT url FROM articles").fetchall()]
        refused = dict(con.execute("SELECT url, error FROM fetch_events WHERE status = 'gone'").fetchall())
        runs = con.execute("SELECT status FROM runs").fetchall()
    assert urls == [good]
    assert set(refused) == set(poison)
    assert all(error.startswith("refused: ") and "malformed URL" in error for error in refused.values())
    assert runs == [("completed",)]


def test_a_backfill_that_fails_closes_its_run_as_failed_with_the_reason(
    prefect_harness: None, tmp_path: Path
) -> None:
    db, missing = tmp_path / "newsint.duckdb", tmp_path / "urls.txt"

    with pytest.raises(FileNotFoundError):
        backfill(url_file=str(missing), db_path=str(db))

    with duckdb.connect(str(db), read_only=True) as con:
        ((flow, status, ended, error),) = con.execute(
            "SELECT flow, status, finished_at IS NOT NULL, error FROM runs"
        ).fetchall()
    assert (flow, status, ended) == ("backfill", "failed", True)
    assert "urls.txt" in error and "\n" not in error
