"""docs/schema.md is what the migrations build: regenerate it with `python -m scripts.schema_doc`."""

from __future__ import annotations

from pipeline import REPO_ROOT
from scripts.schema_doc import current


def test_the_schema_page_matches_the_migrations() -> None:
    page = (REPO_ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    assert page == current(), "docs/schema.md is stale: run .venv/bin/python -m scripts.schema_doc"
