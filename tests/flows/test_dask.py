"""The NLP stage on a Dask cluster: the same rows as the in-process run, loaded once each."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask
import duckdb
import pytest
from distributed import Client, LocalCluster

from flows.ingest import ingest, run_batches
from flows.summary import RunSummary
from pipeline.nlp.build import load_pipeline
from pipeline.settings import ConfigError, Settings
from tests.conftest import SAMPLE
from tests.server import FaultServer

FEEDS = ("defence-wire.xml", "security-monitor.xml", "regional-briefs.xml")
BATCH_SIZE = 2
# Everything a mention row holds but its run id, keyed by article so the two files line up.
MENTIONS = """
    SELECT a.url, m.start_char, m.end_char, m.text, m.label, m.norm, m.entity_id, m.method, m.kind,
           m.confidence, m.sentence, m.sentence_start, m.attrs::TEXT, m.pipeline_version
    FROM mentions m JOIN articles a USING (article_id) ORDER BY ALL"""
ENTITIES = "SELECT entity_id, label, norm, name, category, origin, aliases FROM entities ORDER BY ALL"
ARTICLES = "SELECT article_id, url, status, language, content_hash FROM articles ORDER BY ALL"
DUPLICATES = """
    SELECT article_id, start_char, end_char, label, count(*) FROM mentions
    GROUP BY ALL HAVING count(*) > 1"""
QUERIES = {"mentions": MENTIONS, "entities": ENTITIES, "articles": ARTICLES, "duplicates": DUPLICATES}


@pytest.fixture(scope="module")
def feeds() -> Iterator[FaultServer]:
    """One server for every run here, so the same pages get the same article ids."""
    with FaultServer(SAMPLE) as running:
        yield running


def _run(root: Path, server: FaultServer, extra: str = "") -> tuple[RunSummary, dict[str, list[Any]]]:
    """One ingest run of the sample feeds into the warehouse under `root`; its summary and rows."""
    root.mkdir(exist_ok=True)
    sources = "".join(f'[[sources]]\nname = "{name}"\nurl = "{server.url}/feeds/{name}"\n' for name in FEEDS)
    config = root / "newsint.toml"
    config.write_text(
        f'batch_size = {BATCH_SIZE}\nallow_hosts = ["127.0.0.1"]\n{extra}\n{sources}', encoding="utf-8"
    )
    db = root / "newsint.duckdb"
    summary = ingest(config=str(config), db_path=str(db))
    with duckdb.connect(str(db), read_only=True) as con:
        rows = {name: con.execute(sql).fetchall() for name, sql in QUERIES.items()}
    return summary, rows


@pytest.fixture(scope="module")
def in_process(
    prefect_harness: None, feeds: FaultServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[RunSummary, dict[str, list[Any]]]:
    """The default run, parsed in the flow's own process: what a cluster run must reproduce."""
    summary, rows = _run(tmp_path_factory.mktemp("dask") / "in-process", feeds)
    assert {row[4] for row in rows["mentions"]} == {"PERSON", "COUNTRY", "WEAPON"}
    assert rows["duplicates"] == []
    return summary, rows


@pytest.mark.flow
@pytest.mark.model
def test_a_local_cluster_loads_the_same_rows_as_the_in_process_run(
    in_process: tuple[RunSummary, dict[str, list[Any]]], feeds: FaultServer, tmp_path: Path
) -> None:
    expected_summary, expected = in_process
    extra = 'nlp_cluster = "local"\nnlp_cluster_workers = 2'

    parsed_here = load_pipeline.cache_info()
    summary, rows = _run(tmp_path / "local", feeds, extra)

    # The in-process run used this process's pipeline; the cluster run did not touch it.
    assert load_pipeline.cache_info() == parsed_here and parsed_here.hits + parsed_here.misses > 0
    assert rows["duplicates"] == []
    assert rows["mentions"] == expected["mentions"]
    assert rows["entities"] == expected["entities"]
    assert rows["articles"] == expected["articles"]
    assert summary.counts() == expected_summary.counts()


@pytest.mark.flow
@pytest.mark.model
def test_a_running_scheduler_spreads_the_batches_and_each_worker_loads_spacy_once(
    in_process: tuple[RunSummary, dict[str, list[Any]]], feeds: FaultServer, tmp_path: Path
) -> None:
    _, expected = in_process
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        summary, rows = _run(tmp_path / "address", feeds, f'nlp_cluster = "{cluster.scheduler_address}"')
        calls = client.run(load_pipeline.cache_info)
        address = cluster.scheduler_address
    # The scheduler is gone: a run with nothing new must finish without asking for it.
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        again, _ = _run(tmp_path / "address", feeds, f'nlp_cluster = "{address}"')

    assert rows["duplicates"] == []
    assert rows["mentions"] == expected["mentions"]
    assert rows["entities"] == expected["entities"]
    # Every batch of the run is parsed on a worker, the French page's batch included. Both workers
    # took batches, and each loaded the pipeline exactly once.
    pages = summary.articles_new + summary.articles_failed
    parts = len(list(run_batches(range(pages), BATCH_SIZE)))
    assert parts > 2
    assert sum(info.hits + info.misses for info in calls.values()) == parts
    assert [info.misses for info in calls.values()] == [1, 1]
    assert again.articles_new == 0 and again.mentions == 0


@pytest.mark.flow
def test_a_worker_with_several_threads_is_refused(
    prefect_harness: None, feeds: FaultServer, tmp_path: Path
) -> None:
    with (
        LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, protocol="tcp", dashboard_address=None
        ) as cluster,
        pytest.raises(ConfigError, match="one thread each"),
    ):
        _run(tmp_path / "threads", feeds, f'nlp_cluster = "{cluster.scheduler_address}"')
    with duckdb.connect(str(tmp_path / "threads" / "newsint.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM mentions").fetchall() == [(0,)]
        assert con.execute("SELECT status FROM runs").fetchall() == [("failed",)]


def test_the_default_path_imports_no_dask() -> None:
    code = """
import sys
from flows.ingest import ingest
from flows.runners import nlp_runner
from pipeline.settings import Settings
assert nlp_runner(Settings()) is None
print(sorted({name.split(".")[0] for name in sys.modules} & {"dask", "distributed", "prefect_dask"}))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", None), ("local", "local"), ("tcp://10.0.0.5:8786", "tcp://10.0.0.5:8786")],
)
def test_nlp_cluster_values(value: str, expected: str | None) -> None:
    assert Settings(nlp_cluster=value).nlp_cluster == expected


@pytest.mark.parametrize("value", ["tcp://scheduler", "http://scheduler:8786", "cluster"])
def test_nlp_cluster_rejects_what_is_not_a_scheduler_address(value: str) -> None:
    with pytest.raises(ValueError, match="nlp_cluster"):
        Settings(nlp_cluster=value)
