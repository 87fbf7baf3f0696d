"""The installed `newsint` command, run as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import shared_file

pytestmark = pytest.mark.model
NEWSINT = str(Path(sys.executable).parent / "newsint")


def test_extract_writes_the_scorer_format(tmp_path: Path) -> None:
    seed = shared_file("seed/japan-us-hypersonic-interceptor-2023-08-15.txt")
    lines = tmp_path / "in.jsonl"
    lines.write_text(json.dumps({"id": "d1", "text": "Biden met Kishida in Tokyo."}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    subprocess.run(
        [NEWSINT, "extract", str(lines), str(seed), "-o", str(out)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["d1", seed.stem]
    text = seed.read_text(encoding="utf-8")
    for entity in records[1]["entities"]:
        assert {"start", "end", "label", "text", "norm"} <= set(entity)
        assert entity["label"] in {"PERSON", "COUNTRY", "WEAPON"}
        assert text[entity["start"] : entity["end"]] == entity["text"]
    scorer = shared_file("eval/score.py")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        json.dumps(
            {
                "id": "d1",
                "text": "",
                "entities": [{"start": 0, "end": 5, "label": "PERSON", "text": "Biden", "norm": "Biden"}],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    scored = subprocess.run(
        [sys.executable, str(scorer), str(gold), str(out), "--json"],
        check=True,
        capture_output=True,
        text=True,
    )
    assert json.loads(scored.stdout)["views"]["exact"]["PERSON"]["tp"] == 1


def test_extract_rejects_a_bad_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "no id"}\n', encoding="utf-8")
    result = subprocess.run(
        [NEWSINT, "extract", str(bad), "-o", str(tmp_path / "o.jsonl")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "bad.jsonl:1" in result.stderr


def test_eval_scores_the_guidelines_set_lists_its_errors_and_skips_absent_sets(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    (shared / "eval").mkdir(parents=True)
    (shared / "eval" / "score.py").symlink_to(shared_file("eval/score.py"))
    text = "Joe Biden met Fumio Kishida in Tokyo."
    gold = {
        "id": "g1",
        "text": text,
        "entities": [
            {"start": 0, "end": 9, "label": "PERSON", "text": "Joe Biden", "norm": "Joe Biden"},
            # Not a weapon by any reading, so certainly missed.
            {"start": 10, "end": 13, "label": "WEAPON", "text": "met", "norm": "met", "kind": "generic"},
        ],
    }
    (shared / "benchmarks" / "re3d").mkdir(parents=True)
    (shared / "benchmarks" / "re3d" / "dev.guidelines.jsonl").write_text(
        json.dumps(gold) + "\n", encoding="utf-8"
    )
    errors, report = tmp_path / "errors.md", tmp_path / "accuracy.md"
    options = ["--shared", str(shared), "--only", "guidelines,re3d", "--errors", str(errors)]
    result = subprocess.run(
        [NEWSINT, "eval", *options, "-o", str(report)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "skipping re3d test (reference):" in result.stderr
    assert "CoNLL" not in result.stderr + result.stdout  # not asked for
    assert "### re3d dev, guidelines" in result.stdout
    listed = errors.read_text(encoding="utf-8")
    assert "## WEAPON: missed (1)" in listed
    assert "`g1` · newsint: nothing · gold: 10–13 WEAPON `met` → `met` [kind=generic]" in listed
    assert "> Joe Biden [[met]] Fumio Kishida in Tokyo." in listed
    written = report.read_text(encoding="utf-8")
    assert written.index("| re3d dev, guidelines | WEAPON |") < written.index("### re3d dev, guidelines")
    assert "| ≥ 0.88 / 0.80 | **missed (overlap, doc)** |" in written


def test_eval_rejects_an_unknown_set() -> None:
    result = subprocess.run([NEWSINT, "eval", "--only", "nope"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    assert "unknown set nope" in result.stderr


EVENTS_GOLD = Path(__file__).resolve().parent.parent / "fixtures" / "events" / "gold.jsonl"


def _overall(output: str) -> list[str]:
    return next(line.split() for line in output.splitlines() if line.startswith("overall"))


def test_extract_with_events_adds_each_documents_events(tmp_path: Path) -> None:
    lines = tmp_path / "in.jsonl"
    text = "Russia deployed Iskander missiles to Belarus. Hypersonic missiles pose a challenge."
    lines.write_text(json.dumps({"id": "d1", "text": text}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    subprocess.run([NEWSINT, "extract", "--events", str(lines), "-o", str(out)], check=True, timeout=300)
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    (event,) = record["events"]
    assert (event["type"], event["actors"], event["counterparts"]) == ("deployment", ["RUS"], ["BLR"])
    assert text[event["start"] : event["end"]] == "Russia deployed Iskander missiles to Belarus."
    assert record["entities"]
    subprocess.run([NEWSINT, "extract", str(lines), "-o", str(out)], check=True, timeout=300)
    assert "events" not in json.loads(out.read_text(encoding="utf-8"))


def test_eval_events_runs_the_model_on_the_gold_texts() -> None:
    done = subprocess.run(
        [NEWSINT, "eval", "--events", str(EVENTS_GOLD)], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    for kind in ("transfer", "test", "interception", "deployment"):
        assert any(line.startswith(kind) for line in done.stdout.splitlines()), kind
    gold, _, _, _, recall, _ = _overall(done.stdout)[1:]
    assert gold == "4" and float(recall) >= 0.75
    assert "agreement on" in done.stdout


def test_eval_events_scores_a_predictions_file(tmp_path: Path) -> None:
    gold = [json.loads(line) for line in EVENTS_GOLD.read_text(encoding="utf-8").splitlines()]
    right = gold[2]["events"][0]
    wrong = {**gold[2]["events"][1], "actors": ["BLR"]}
    predictions = tmp_path / "predicted.jsonl"
    predictions.write_text(
        json.dumps({"id": gold[2]["id"], "events": [right, wrong]}) + "\n", encoding="utf-8"
    )
    done = subprocess.run(
        [NEWSINT, "eval", "--events", str(EVENTS_GOLD), "--predictions", str(predictions)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    # 4 gold events, 2 predicted, 1 of them right.
    assert _overall(done.stdout)[1:] == ["4", "2", "1", "0.500", "0.250", "0.333"]
