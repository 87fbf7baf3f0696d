"""Review artifacts of an ingest run, read back through the Prefect API."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from uuid import UUID

import duckdb
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactCollectionFilter,
    ArtifactCollectionFilterKey,
    ArtifactFilter,
    ArtifactFilterFlowRunId,
)
from prefect.client.schemas.objects import Artifact
from prefect.settings import get_current_settings

from flows import artifacts as artifacts_module
from flows.ingest import ingest
from pipeline.norms.countries import country_name, display_names
from pipeline.review import escape_md
from pipeline.settings import DEFAULT_MODELS
from tests.conftest import SAMPLE

pytestmark = [pytest.mark.flow, pytest.mark.model]

KNOWN = "north-korea-fires-solid-fuel-missile-with-hypersonic-warhead"


def run_artifacts(flow_run_id: UUID) -> dict[str, Artifact]:
    """The artifacts a flow run created, by key."""
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    return {a.key: a for a in found if a.key}


def _config(tmp_path: Path) -> Path:
    feeds = "\n".join(
        f'[[sources]]\nname = "{name}"\nurl = "{(SAMPLE / "feeds" / name).as_posix()}"\n'
        for name in ("defence-wire.xml", "security-monitor.xml", "regional-briefs.xml")
    )
    path = tmp_path / "newsint.toml"
    path.write_text(f"batch_size = 4\n{feeds}", encoding="utf-8")
    return path


def test_ingest_publishes_review_artifacts_with_stable_keys(prefect_harness: None, tmp_path: Path) -> None:
    config, db = _config(tmp_path), tmp_path / "newsint.duckdb"
    state = ingest(config=str(config), db_path=str(db), return_state=True)
    summary = state.result()
    artifacts = run_artifacts(state.state_details.flow_run_id)

    assert {k: a.type for k, a in artifacts.items()} == {
        "newsint-run-summary": "table",
        "newsint-ingest-articles": "table",
        "newsint-ingest-evidence": "markdown",
        "newsint-ingest-progress": "progress",
    }
    assert artifacts["newsint-ingest-progress"].data == 100.0

    with duckdb.connect(str(db), read_only=True) as con:
        ((url, title, published, site),) = con.execute(
            "SELECT url, title, published_at, site FROM articles WHERE url LIKE ?", [f"%{KNOWN}%"]
        ).fetchall()
        stored = con.execute(
            "SELECT m.label, coalesce(m.norm, m.text), m.text FROM mentions m JOIN articles a"
            " USING (article_id) WHERE a.url = ? ORDER BY m.start_char, m.end_char, m.label",
            [url],
        ).fetchall()
        ((sentence_count,),) = con.execute(
            "SELECT count(DISTINCT m.sentence_start) FROM mentions m JOIN articles a USING (article_id)"
            " WHERE a.url = ?",
            [url],
        ).fetchall()
        events = con.execute(
            "SELECT e.type FROM events e JOIN articles a USING (article_id) WHERE a.url = ?"
            " ORDER BY e.start_char, e.weapon_start, e.type",
            [url],
        ).fetchall()

    rows = json.loads(artifacts["newsint-ingest-articles"].data)
    assert len(rows) == summary.articles_new  # the first run: every article is new
    (row,) = [r for r in rows if KNOWN in r["title"]]
    assert row["title"] == f"[{escape_md(title)}]({url})"
    assert row["source"] == site and row["published"] == published.date().isoformat()
    shown = display_names(DEFAULT_MODELS / "countries")
    for label, column in (("PERSON", "people"), ("COUNTRY", "countries"), ("WEAPON", "weapons")):
        norms = (norm for lab, norm, _ in stored if lab == label)
        names = list(dict.fromkeys(country_name(n, shown) if label == "COUNTRY" else n for n in norms))
        assert row[column].split("; ") == names
    assert "Russia" in row["countries"].split("; ")  # the name an analyst knows, not the ISO code
    assert "Kim Jong Un" in row["people"] and "North Korea" in row["countries"]
    assert "Hwasong-18" in row["weapons"]

    evidence = artifacts["newsint-ingest-evidence"].data
    (known,) = [part for part in evidence.split("\n\n## ") if part.startswith(f"[{escape_md(title)}]({url})")]
    for label, shown_label in (("PERSON", "People"), ("COUNTRY", "Countries"), ("WEAPON", "Weapons")):
        counts = Counter(
            country_name(n, shown) if label == "COUNTRY" else n for lab, n, _ in stored if lab == label
        )
        named = " · ".join(f"{escape_md(name)} ({n})" for name, n in counts.most_common())
        assert f"\n- **{shown_label}:** {named}\n" in known  # each name with its mentions counted
    assert known.count("\n1. ") == sentence_count  # each sentence once
    assert "**Kim** *\\[PERSON → Kim Jong Un\\]*" in known  # the short form, resolved
    assert "**Hwasong-18** *\\[WEAPON\\]*" in known  # the mention marked in its sentence
    assert events, "the known article reports a weapon event"
    said = known.split("\n**Weapon events:**\n\n")[1].split("\n\n")[0].splitlines()
    assert [line.split("**")[1] for line in said] == [t for (t,) in events]  # one line each, in order
    assert all(re.search(r"\(sentence \d+\)$", line) for line in said), said  # by its numbered sentence

    measures = {r["measure"]: r["value"] for r in json.loads(artifacts["newsint-run-summary"].data)}
    assert measures["articles_new"] == summary.articles_new
    with duckdb.connect(str(db), read_only=True) as con:
        per_label = dict(con.execute("SELECT label, count(*) FROM mentions GROUP BY label").fetchall())
    assert {k: measures[f"mentions {k}"] for k in per_label} == per_label

    # A second run finds nothing new: its summary and progress go under the same keys (so the UI
    # shows history), and the latest review stays the first run's instead of an empty one.
    state = ingest(config=str(config), db_path=str(db), return_state=True)
    again = run_artifacts(state.state_details.flow_run_id)
    assert set(again) == {"newsint-run-summary", "newsint-ingest-progress"}
    assert latest("newsint-ingest-articles") == artifacts["newsint-ingest-articles"].id
    assert latest("newsint-ingest-evidence") == artifacts["newsint-ingest-evidence"].id


def test_the_flow_run_is_named_with_the_warehouse_run_id(prefect_harness: None, tmp_path: Path) -> None:
    config, db = _config(tmp_path), tmp_path / "newsint.duckdb"
    state = ingest(config=str(config), db_path=str(db), return_state=True)
    summary = state.result()
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(state.state_details.flow_run_id)
    assert flow_run.name == summary.run_id
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT run_id, flow, status FROM runs").fetchall() == [
            (summary.run_id, "ingest", "completed")
        ]
    table = run_artifacts(state.state_details.flow_run_id)["newsint-run-summary"]
    assert summary.run_id in (table.description or "")


def latest(key: str) -> UUID:
    """The id of the artifact the UI shows as the latest under `key`."""
    with get_client(sync_client=True) as client:
        (found,) = client.read_latest_artifacts(
            artifact_filter=ArtifactCollectionFilter(key=ArtifactCollectionFilterKey(any_=[key]))
        )
    return found.latest_id


def test_a_large_run_reviews_its_first_articles_only(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The cap keeps a 20,000-article backfill from loading every mention into the flow's memory.
    monkeypatch.setattr(artifacts_module, "REVIEW_ARTICLES", 3)
    config, db = _config(tmp_path), tmp_path / "newsint.duckdb"
    state = ingest(config=str(config), db_path=str(db), return_state=True)
    summary = state.result()
    assert summary.articles_new > 3
    table = run_artifacts(state.state_details.flow_run_id)["newsint-ingest-articles"]
    assert len(json.loads(table.data)) == 3
    assert f"the first 3 of {summary.articles_new}" in (table.description or "")


def test_evidence_larger_than_a_page_is_published_in_pages(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(artifacts_module, "EVIDENCE_PAGE_BYTES", 12_000)
    config, db = _config(tmp_path), tmp_path / "newsint.duckdb"
    state = ingest(config=str(config), db_path=str(db), return_state=True)
    artifacts = run_artifacts(state.state_details.flow_run_id)
    keys = sorted((k for k in artifacts if "-evidence" in k), key=lambda k: (len(k), k))
    assert len(keys) > 1
    assert keys == ["newsint-ingest-evidence"] + [
        f"newsint-ingest-evidence-{n}" for n in range(2, len(keys) + 1)
    ]
    pages = [artifacts[k] for k in keys]
    assert all(page.type == "markdown" and len(json.dumps(page.data)) <= 12_000 for page in pages)
    assert all(f"page {n} of {len(pages)}" in (page.description or "") for n, page in enumerate(pages, 1))
    assert f"new or changed articles on {len(pages)} pages" in pages[0].data
    text = "".join(page.data for page in pages)
    links = [row["title"] for row in json.loads(artifacts["newsint-ingest-articles"].data)]
    assert [text.count(f"## {link}\n") for link in links] == [1] * len(links)  # every article, once


def test_an_evidence_page_fits_in_the_event_the_server_emits_for_it() -> None:
    # The server puts a keyed artifact's data in its collection's event, and drops larger events.
    limit = get_current_settings().server.events.maximum_size_bytes
    assert limit - artifacts_module.EVIDENCE_PAGE_BYTES >= 10_000  # room for the event around the data
