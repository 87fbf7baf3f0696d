"""The review flow under a real Prefect server: it pauses with its form, takes the verdicts the
UI would send to the resume endpoint, records them, and they still hold after reprocessing; weapon
events are judged in the same form and the event views follow."""

from __future__ import annotations

import contextvars
import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.settings import PREFECT_API_URL

from flows.backfill import backfill
from flows.reprocess import reprocess
from flows.review import ReviewTimeout, review
from tests.conftest import SAMPLE, edited_models, models_config
from tests.flows.test_artifacts import run_artifacts
from tests.flows.test_reprocess import NEW_ENTRY, OLD_ENTRY, PAGES
from warehouse.queries import run_named

pytestmark = [pytest.mark.flow, pytest.mark.model]
NEWSINT = str(Path(sys.executable).parent / "newsint")
WAIT_SECONDS = 180  # a bound on waiting for the run, not a measure of it


@pytest.fixture(scope="module")
def loaded(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse with two sample articles, backfilled once; tests review copies of it."""
    folder = tmp_path_factory.mktemp("review-warehouse")
    saved = folder / "saved"
    saved.mkdir()
    for name in PAGES:
        shutil.copy(SAMPLE / "articles" / name, saved / name)
    backfill(folder=str(saved), db_path=str(folder / "newsint.duckdb"))
    return folder / "newsint.duckdb"


@pytest.fixture
def db(loaded: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "newsint.duckdb"
    shutil.copy(loaded, copy)
    return copy


class Started:
    """A flow called in a thread of its own, carrying this thread's Prefect settings with it."""

    def __init__(self, call: Callable[[], Any]) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        context = contextvars.copy_context()
        self.thread = threading.Thread(target=context.run, args=(self._run, call), daemon=True)
        self.thread.start()

    def _run(self, call: Callable[[], Any]) -> None:
        try:
            self.result = call()
        except BaseException as exc:
            self.error = exc

    def join(self) -> Any:
        self.thread.join(WAIT_SECONDS)
        assert not self.thread.is_alive(), "the flow did not end"
        return self.result


def _paused(after: int = 0) -> FlowRun:
    """The paused review run, once it has paused more than `after` times."""
    deadline = time.monotonic() + WAIT_SECONDS
    paused = FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED])))
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            for run in client.read_flow_runs(flow_run_filter=paused):
                keyset = run.state.state_details.run_input_keyset if run.state else None
                if keyset and int(keyset["schema"].split("-")[1]) > after:
                    return run
            time.sleep(0.5)
    raise AssertionError("no review run paused for input")


def _api(method: str, path: str, **options: Any) -> httpx.Response:
    """A request to the API; a 503 (the test server's SQLite busy under load) is tried again, as
    Prefect's own client does."""
    for _ in range(10):
        reply = httpx.request(method, f"{PREFECT_API_URL.value()}{path}", timeout=30, **options)
        if reply.status_code != 503:
            break
        time.sleep(1)
    return reply.raise_for_status()


def _form(run: FlowRun) -> tuple[dict[str, Any], str]:
    """The form's JSON schema and the Markdown above it, read as the UI reads them. The run saves
    them just after it pauses: a moment's wait."""
    assert run.state is not None and run.state.state_details.run_input_keyset is not None
    keyset = run.state.state_details.run_input_keyset
    base = f"{PREFECT_API_URL.value()}/flow_runs/{run.id}/input"
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        schema, description = (
            httpx.get(f"{base}/{keyset[part]}", timeout=30) for part in ("schema", "description")
        )
        if schema.status_code == description.status_code == 200 or time.monotonic() > deadline:
            return json.loads(schema.raise_for_status().text), json.loads(description.raise_for_status().text)
        time.sleep(0.2)


def _filled(schema: dict[str, Any]) -> dict[str, Any]:
    """Every field at the value the form starts with, as the UI submits an untouched form."""
    return {
        name: json.loads(json.dumps(field.get("default"))) for name, field in schema["properties"].items()
    }


def _items(schema: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Per item field: its title (number, words, label) and evidence, as the form shows them."""
    return {
        name: {"title": field["title"], "evidence": field["description"]}
        for name, field in schema["properties"].items()
        if name.startswith("item_")
    }


def _resume(run: FlowRun, values: dict[str, Any]) -> None:
    """What the UI's Submit does: the resume endpoint with the form's values as run_input."""
    reply = _api("POST", f"/flow_runs/{run.id}/resume", json={"run_input": values})
    assert reply.json()["status"] == "ACCEPT", reply.json()


def _rows(db: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _mentions_of(db: Path, norm: str) -> int:
    """Mentions the named query articles_mentioning counts for an entity, over all days."""
    with duckdb.connect(str(db), read_only=True) as con:
        answer = run_named(con, "articles_mentioning", {"entity": norm, "days": "100000"})
    column = answer.columns.index("mentions")
    return sum(int(row[column]) for row in answer.rows)


def test_verdicts_submitted_in_the_form_are_recorded_and_outlive_reprocessing(
    db: Path, tmp_path: Path
) -> None:
    started = Started(
        lambda: review(
            db_path=str(db), batch_size=50, new=3, low=3, sample=4, seed=7, event_low=0, event_sample=0
        )
    )
    run = _paused()
    schema, description = _form(run)
    items = _items(schema)
    assert "## Review: batch 1 of 1" in description and len(items) == 10
    assert all("**" in item["evidence"] and "confidence" in item["evidence"] for item in items.values())
    assert schema["properties"]["reviewer"]["default"]  # the OS user

    # Which mentions the queue holds depends on the sample drawn: the first two, and one drawn at random.
    dropped, renamed = list(items)[:2]
    sampled = next(
        k for k, v in items.items() if "drawn at random" in v["evidence"] and k not in {dropped, renamed}
    )
    ((dropped_norm,),) = _rows(db, "SELECT norm FROM mentions WHERE item_id = ? LIMIT 1", [dropped[5:]])
    before = _mentions_of(db, dropped_norm)

    # A wrong norm without the norm is sent back with the reason, and the answers kept.
    values = _filled(schema)
    values["reviewer"] = "analyst"
    values[dropped] = {"verdict": "not an entity", "norm": ""}
    values[renamed] = {"verdict": "wrong norm (type the right one)", "norm": ""}
    values[sampled] = {"verdict": "correct", "norm": ""}
    _resume(run, values)
    again = _paused(after=1)
    schema, description = _form(again)
    assert "could not be recorded" in description and "wrong norm needs a norm typed in" in description
    assert "Not recorded: wrong norm needs a norm typed in" in schema["properties"][renamed]["description"]
    assert schema["properties"][dropped]["default"]["verdict"] == "not an entity"
    assert schema["properties"]["reviewer"]["default"] == "analyst"
    assert _rows(db, "SELECT count(*) FROM verdicts") == [(0,)]

    # A country's norm is its three-letter code: the new norm must be one too.
    new_norm = "ZZZ" if items[renamed]["title"].endswith("(COUNTRY)") else "Reviewed Name"
    values = _filled(schema)
    values[renamed] = {"verdict": "wrong norm (type the right one)", "norm": new_norm}
    _resume(again, values)
    summary = started.join()
    assert started.error is None, started.error
    assert summary.recorded == 3 and summary.queued == 10 and summary.unmatched == 0

    verdicts = _rows(db, "SELECT item_id, verdict, correction, reviewer FROM verdicts ORDER BY item_id")
    assert sorted(verdicts) == sorted(
        [
            (dropped[5:], "not_entity", None, "analyst"),
            (renamed[5:], "wrong_norm", new_norm, "analyst"),
            (sampled[5:], "correct", None, "analyst"),
        ]
    )
    _assert_applied(db, dropped[5:], renamed[5:], new_norm)
    after = _mentions_of(db, dropped_norm)
    assert after == before - 1

    artifact = run_artifacts(run.id)["newsint-review-summary"]
    assert "**3 verdicts recorded**" in artifact.data and "| label |" in artifact.data

    # A new pipeline version re-finds every mention: the verdicts find them again.
    models = edited_models(tmp_path, "weapons/systems.jsonl", OLD_ENTRY, NEW_ENTRY)
    done = reprocess(config=str(models_config(tmp_path, models)), db_path=str(db), everything=True)
    assert done.articles == len(PAGES) and done.unmatched_verdicts == 0
    assert _rows(db, "SELECT count(*) FROM verdicts_unmatched") == [(0,)]
    _assert_applied(db, dropped[5:], renamed[5:], new_norm)
    assert _mentions_of(db, _renorm(dropped_norm)) == after

    patch = tmp_path / "review.patch"
    exported = subprocess.run(
        [NEWSINT, "review", "export", "--db", str(db), "-o", str(patch)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert exported.returncode == 0, exported.stderr
    assert patch.read_text(encoding="utf-8").strip()  # the not-entity and the norm make a patch


def _renorm(norm: str) -> str:
    """The norm after the gazetteer change reprocessing applies."""
    return "Hwasong-18 ICBM" if norm == "Hwasong-18" else norm


def _assert_applied(db: Path, dropped: str, renamed: str, new_norm: str) -> None:
    """The mention judged no entity is stored but counted nowhere; the renamed one counts as named."""
    assert _rows(db, "SELECT count(*) > 0 FROM mentions WHERE item_id = ?", [dropped]) == [(True,)]
    assert _rows(db, "SELECT count(*) FROM mentions_reviewed WHERE item_id = ?", [dropped]) == [(0,)]
    assert _rows(db, "SELECT DISTINCT norm FROM mentions_reviewed WHERE item_id = ?", [renamed]) == [
        (new_norm,)
    ]


def _event_reports(db: Path) -> int:
    """Reports the arms_transfers and weapon_tests views count."""
    ((count,),) = _rows(
        db,
        "SELECT (SELECT coalesce(sum(reports), 0) FROM arms_transfers)"
        " + (SELECT coalesce(sum(reports), 0) FROM weapon_tests)",
    )
    return int(count)


def test_an_event_judged_in_the_form_changes_the_event_views(db: Path) -> None:
    counted = _rows(
        db,
        "SELECT item_id FROM events WHERE NOT negated AND (type IN ('transfer', 'acquisition')"
        " OR type = 'test' AND status IN ('ongoing', 'completed', 'claimed')) ORDER BY item_id",
    )
    assert counted, "the sample articles report a transfer or a test"
    started = Started(
        lambda: review(
            db_path=str(db), batch_size=50, new=0, low=0, sample=0, seed=7, event_low=0, event_sample=50
        )
    )
    run = _paused()
    schema, description = _form(run)
    items = _items(schema)
    assert set(items) == {f"item_{i}" for (i,) in _rows(db, "SELECT DISTINCT item_id FROM events")}
    assert f"({len(items)} events)" in description
    judged = f"item_{counted[0][0]}"
    assert items[judged]["title"].endswith(" event)") and "**" in items[judged]["evidence"]
    assert "drawn at random" in items[judged]["evidence"]
    before = _event_reports(db)

    # Wrong roles without the roles are sent back, with the reason at the item.
    values = _filled(schema)
    values["reviewer"] = "analyst"
    values[judged] = {"verdict": "wrong roles (type them: actors > counterparts)", "roles": ""}
    _resume(run, values)
    again = _paused(after=1)
    schema, _ = _form(again)
    assert "Not recorded: wrong roles needs the countries" in schema["properties"][judged]["description"]
    assert _rows(db, "SELECT count(*) FROM event_verdicts") == [(0,)]

    values = _filled(schema)
    values[judged] = {"verdict": "wrong type: development", "roles": ""}
    _resume(again, values)
    summary = started.join()
    assert started.error is None, started.error
    assert summary.recorded == 1 and summary.queued == len(items)
    assert _rows(db, "SELECT item_id, verdict, correction, reviewer, queue FROM event_verdicts") == [
        (judged[5:], "wrong_type", "development", "analyst", "sample")
    ]
    # Counted as a development now: neither a transfer nor a test.
    after = _event_reports(db)
    assert after < before
    assert _rows(db, "SELECT DISTINCT type FROM events_reviewed WHERE item_id = ?", [judged[5:]]) == [
        ("development",)
    ]
    artifact = run_artifacts(run.id)["newsint-review-summary"]
    assert "| event type |" in artifact.data

    # Extracted again, the event carries the same anchor: the verdict still applies.
    done = reprocess(db_path=str(db), everything=True)
    assert done.articles == len(PAGES) and done.unmatched_event_verdicts == 0
    assert _rows(db, "SELECT DISTINCT type FROM events_reviewed WHERE item_id = ?", [judged[5:]]) == [
        ("development",)
    ]
    assert _event_reports(db) == after


def test_a_form_nobody_submits_stops_the_review_with_its_reason(db: Path) -> None:
    started = Started(lambda: review(db_path=str(db), new=1, low=1, sample=1, timeout_seconds=1))
    started.join()
    assert isinstance(started.error, ReviewTimeout)
    assert "was not submitted within 1 s; 0 verdicts of earlier batches are recorded" in str(started.error)
    assert _rows(db, "SELECT count(*) FROM verdicts") == [(0,)]


def test_review_commands_refuse_bad_input_in_one_line(tmp_path: Path, loaded: Path) -> None:
    missing = subprocess.run(
        [NEWSINT, "review", "--db", str(tmp_path / "none.duckdb")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode == 2 and "no warehouse at" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    into_folder = subprocess.run(
        [NEWSINT, "review", "export", "--db", str(loaded), "-o", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert into_folder.returncode == 2 and "Traceback" not in into_folder.stderr
    assert len(into_folder.stderr.strip().splitlines()) == 1
    assert not list(tmp_path.parent.glob(f".{tmp_path.name}.*.tmp"))
