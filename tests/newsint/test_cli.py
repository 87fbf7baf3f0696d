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
