from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.mention_table import mention_table
from pipeline.records import Article, Mention
from pipeline.settings import DEFAULT_MODELS
from tests.server import FaultServer
from warehouse.db import open_warehouse
from warehouse.load import load_batch

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SAMPLE = REPO / "sample"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer(SAMPLE) as running:
        yield running


def shared_file(relative: str) -> Path:
    """A file under ../shared, or skip the test saying what is missing."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"{path} is absent: this test reads shared data from ../shared beside the checkout")
    return path


def edited_models(folder: Path, file: str, old: str, new: str) -> Path:
    """A copy of models/ (without its build) in `folder`, with `old` replaced by `new` in `file`,
    as after an update of that data: the folder to name as `models_path`."""
    models = folder / "models"
    shutil.copytree(DEFAULT_MODELS, models, ignore=shutil.ignore_patterns("build"))
    path = models / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return models


def models_config(folder: Path, models: Path) -> Path:
    """A config file in `folder` that names `models` as the models folder, and no sources."""
    path = folder / "newsint.toml"
    path.write_text(f"models_path = {json.dumps(str(models))}\n", encoding="utf-8")
    return path


def load_article(db: Path, article: Article, mentions: list[Mention]) -> None:
    """One article and its mentions loaded into the warehouse at `db`, as a run would."""
    with open_warehouse(db) as con:
        table = mention_table(mentions, {article.article_id: article.text})
        load_batch(con, "r", "v", [article], table, [], DEFAULT_MODELS)
