"""The parsing host: a process holding the pipeline, parsing batches in workers forked from it."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pipeline import parse_host
from pipeline.entities import Extractor
from pipeline.findings import batch_findings
from pipeline.forks import PartFailed
from pipeline.settings import Settings, load_settings

pytestmark = pytest.mark.model

TEXTS = [
    "Germany delivered 18 Leopard 2 tanks to Ukraine in March 2023.",
    "Joe Biden met Fumio Kishida in Washington.",
    "Russia fired 40 missiles at Ukraine overnight, officials said.",
    "Japan will deploy Tomahawk missiles.",
] * 3


def _settings(tmp_path: Path, **changes: object) -> Settings:
    config = tmp_path / "newsint.toml"
    config.write_text("", encoding="utf-8")
    settings = load_settings(config, db_path=tmp_path / "w.duckdb")
    return settings.model_copy(update={"nlp_processes": 2, **changes})


def test_the_host_finds_what_one_process_finds_and_cuts_big_batches_into_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [(str(n), text) for n, text in enumerate(TEXTS)]
    settings = _settings(tmp_path)
    extractor = Extractor.from_settings(settings)
    alone = batch_findings(extractor, items, 1, 60)
    first_two = batch_findings(extractor, items[:2], 1, 60)
    # Parts of at most 100 characters: several for each process, handed out as workers free up.
    monkeypatch.setattr(parse_host, "PART_CHARS", 100)
    with parse_host.hosting(settings) as host:
        assert parse_host.host_for(settings) is host
        hosted = host.findings(items)
        again = host.findings(items[:2])
        empty = host.findings([])
    assert parse_host.host_for(settings) is None
    assert hosted.mentions.equals(alone.mentions)
    assert hosted.events.equals(alone.events)
    assert again.mentions.equals(first_two.mentions)
    assert empty.mentions.num_rows == 0


def test_two_callers_each_get_their_own_batch_s_findings(tmp_path: Path) -> None:
    items = [(str(n), text) for n, text in enumerate(TEXTS)]
    settings = _settings(tmp_path)
    extractor = Extractor.from_settings(settings)
    batches = [items[:7], items[7:], items[2:4]]
    alone = [batch_findings(extractor, batch, 1, 60) for batch in batches]
    with parse_host.hosting(settings) as host, ThreadPoolExecutor(3) as pool:
        futures = [pool.submit(host.findings, batch) for batch in batches]
        hosted = [future.result(timeout=120) for future in futures]
        assert host._answered == host._sent == 3
    for got, wanted in zip(hosted, alone, strict=True):
        assert got.mentions.equals(wanted.mentions)
        assert got.events.equals(wanted.events)


def test_a_batch_is_cut_into_as_many_parts_for_each_process_none_over_the_cap() -> None:
    cap = parse_host.PART_CHARS
    assert parse_host.part_count(0, 2) == 2
    assert parse_host.part_count(2 * cap, 2) == 2
    assert parse_host.part_count(2 * cap + 1, 2) == 4
    assert parse_host.part_count(7 * cap, 3) == 9
    assert parse_host.part_count(cap, 1) == 1


def test_a_model_that_is_not_installed_is_reported_where_the_batch_is_parsed(tmp_path: Path) -> None:
    settings = _settings(tmp_path, spacy_model="en_no_such_model")
    with parse_host.hosting(settings) as host, pytest.raises(Exception, match="en_no_such_model"):
        host.findings([("1", "Japan.")])


def test_a_host_that_dies_fails_its_batch_and_a_new_one_takes_the_next(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with parse_host.hosting(settings) as host:
        host.findings([("1", "Japan and China.")])
        os.kill(host._process.pid or 0, signal.SIGKILL)
        with pytest.raises(PartFailed, match="host"):
            host.findings([("1", "Japan and China.")])
        assert not host.usable
        replaced = parse_host.host_for(settings)
        assert replaced is not None and replaced is not host
        assert replaced.findings([("1", "Japan and China.")]).mentions.num_rows == 2


def test_stopping_the_host_stops_the_processes_parsing_for_it(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with parse_host.hosting(settings) as host:
        host.findings([("1", "Japan."), ("2", "China.")])
        workers = [int(pid) for pid in os.popen(f"pgrep -P {host._process.pid}").read().split()]
    assert len(workers) == 2
    for pid in workers:
        for _ in range(50):
            if gone(pid):
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"worker {pid} outlived its host")


def gone(pid: int) -> bool:
    """Ended: no such process, or one only waiting to be reaped (an orphan's new parent may be
    slow to)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"
