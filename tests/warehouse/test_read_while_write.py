"""An analyst's reads in one process while a loader writes in another: no lock errors, no lost rows."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from pipeline.mention_table import mention_table
from pipeline.records import Article, Mention
from pipeline.settings import DEFAULT_MODELS
from tests.conftest import REPO
from warehouse.db import open_warehouse
from warehouse.load import load_batch
from warehouse.queries import open_reader

BATCHES = 20
PER_BATCH = 5
MENTIONS_PER_ARTICLE = 3
AT = datetime(2024, 5, 1, 12, tzinfo=UTC)


def write(db: str, done: str, ready: str) -> None:
    """The loader: one transaction per batch, each held a while as a slow load would."""
    deadline = time.monotonic() + 60
    while not Path(ready).exists() and time.monotonic() < deadline:
        time.sleep(0.02)  # start once the reader is up, however slowly a busy machine starts it
    for batch in range(BATCHES):
        articles, mentions = [], []
        for n in range(PER_BATCH):
            aid = f"b{batch:02d}-{n}"
            text = "Japan and the United States discussed drones."
            articles.append(
                Article(
                    aid,
                    f"https://x.example/{aid}",
                    "T",
                    None,
                    AT,
                    "feed",
                    "X",
                    "en",
                    text,
                    aid,
                    "t",
                    "ok",
                    AT,
                )
            )
            spans = [
                (0, "Japan", "COUNTRY", "JPN"),
                (14, "United States", "COUNTRY", "USA"),
                (38, "drones", "WEAPON", "drone"),
            ]
            mentions += [
                Mention(aid, s, s + len(t), t, label, norm, "gazetteer", "name", 0.9, text, 0)
                for s, t, label, norm in spans
            ]
        with open_warehouse(db) as con:
            time.sleep(0.1)
            load_batch(
                con,
                "run",
                "v",
                articles,
                mention_table(mentions, {a.article_id: a.text for a in articles}),
                [],
                DEFAULT_MODELS,
            )
        time.sleep(0.2)  # a run fetches and parses between loads, with the file free
    Path(done).touch()


def read(db: str, done: str, ready: str) -> None:
    """The analyst: query through the views until the loader is done; print what was seen."""
    seen = []
    Path(ready).touch()
    while not Path(done).exists():
        with open_reader(db, wait_seconds=30) as con:
            ((articles, mentions, drone),) = con.execute(
                "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM mentions),"
                " (SELECT coalesce(sum(mentions), 0) FROM daily_mentions WHERE norm = 'drone')"
            ).fetchall()
        seen.append([articles, mentions, int(drone)])
        time.sleep(0.05)  # an eager analyst; a reader with no pause at all starves the loader
    print(json.dumps(seen))


def _spawn(function: str, *paths: Path) -> subprocess.Popen[str]:
    module = "tests.warehouse.test_read_while_write"
    code = f"from {module} import {function}; {function}(*{[str(p) for p in paths]!r})"
    return subprocess.Popen(
        [sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_reads_while_a_load_runs(tmp_path: Path) -> None:
    db, done = tmp_path / "w.duckdb", tmp_path / "done"
    config = tmp_path / "newsint.toml"
    config.write_text("batch_size = 4\n", encoding="utf-8")
    with open_warehouse(db):
        pass
    ready = tmp_path / "ready"
    writer = _spawn("write", db, done, ready)
    reader = _spawn("read", db, done, ready)
    deadline = time.monotonic() + 60
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    # The command an analyst types, in a third process, while the load is under way.
    cli = subprocess.run(
        [
            str(Path(sys.executable).parent / "newsint"),
            "sql",
            "SELECT count(*) AS n FROM articles",
            "--db",
            str(db),
            "--config",
            str(config),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    _, writer_err = writer.communicate(timeout=90)
    reader_out, reader_err = reader.communicate(timeout=90)

    assert writer.returncode == 0, writer_err
    assert reader.returncode == 0, reader_err
    assert cli.returncode == 0, cli.stderr
    assert "lock" not in (writer_err + reader_err + cli.stderr).lower()
    assert json.loads(cli.stdout)[0]["n"] % PER_BATCH == 0

    seen = json.loads(reader_out)
    counts = [articles for articles, _, _ in seen]
    assert len(seen) >= 3
    assert any(0 < n < BATCHES * PER_BATCH for n in counts), "the reads never overlapped the load"
    assert counts == sorted(counts)
    # Each batch shows whole or not at all: articles in batch steps, their mentions with them.
    for articles, mentions, drones in seen:
        assert articles % PER_BATCH == 0
        assert mentions == articles * MENTIONS_PER_ARTICLE
        assert drones == articles
    with open_reader(db) as con:
        final = con.execute("SELECT count(*), count(DISTINCT article_id) FROM mentions").fetchall()
    assert final == [(BATCHES * PER_BATCH * MENTIONS_PER_ARTICLE, BATCHES * PER_BATCH)]
