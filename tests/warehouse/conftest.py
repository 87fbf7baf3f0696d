from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from pipeline.crawl import fetch_articles, poll_feeds
from pipeline.entities import Extractor
from pipeline.fetch import Fetcher
from pipeline.mention_table import mention_table
from pipeline.nlp.version import pipeline_version
from pipeline.settings import Settings, load_settings
from tests.conftest import SAMPLE
from warehouse import db, feeds, load, runs


def sample_config(folder: Path) -> Path:
    """A config naming the three bundled sample feeds, read from disk (file:// URLs)."""
    sources = "\n".join(
        f'[[sources]]\nname = "{feed.stem}"\nurl = "{feed.resolve().as_uri()}"\n'
        for feed in sorted((SAMPLE / "feeds").glob("*.xml"))
    )
    path = folder / "newsint.toml"
    path.write_text(f"batch_size = 4\n{sources}", encoding="utf-8")
    return path


def ingest_sample(settings: Settings) -> None:
    """One ingest run over the sample through the same pipeline and loader calls as the flow."""
    run_id = uuid.uuid4().hex[:12]
    version = pipeline_version(settings.spacy_model, settings.models_path)
    sources = [(s, settings.source_location(s)) for s in settings.sources]
    extractor = Extractor(settings.spacy_model, settings.models_path, settings.batch_size)
    loaded = 0
    with db.open_warehouse(settings.db_path) as con:
        runs.start_run(con, run_id, "ingest", settings.spacy_model, version)
        validators = feeds.feed_validators(con)
    with Fetcher(settings) as fetcher:
        results = poll_feeds(fetcher, sources, validators)
        with db.open_warehouse(settings.db_path) as con:
            feeds.record_polls(con, run_id, sources, results)
            entries = feeds.pending_entries(con, settings.max_attempts)
        for start in range(0, len(entries), settings.batch_size):
            articles, failures = fetch_articles(
                fetcher, entries[start : start + settings.batch_size], settings.languages
            )
            english = [(a.article_id, a.text) for a in articles if a.status == "ok"]
            mentions = mention_table(
                (m for _, found in extractor.extract(english) for m in found), dict(english)
            )
            with db.open_warehouse(settings.db_path) as con:
                loaded += load.load_batch(
                    con, run_id, version, articles, mentions, failures, settings.models_path
                ).new
    with db.open_warehouse(settings.db_path) as con:
        runs.finish_run(con, run_id, "completed", {"articles_new": loaded})


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The warehouse built from the bundled sample, once per test session; tests only read it.

    Its config is beside it (`newsint.toml`), for commands that must not read the repository's."""
    folder = tmp_path_factory.mktemp("sample-warehouse")
    settings = load_settings(sample_config(folder), db_path=folder / "newsint.duckdb")
    ingest_sample(settings)
    return settings.db_path
