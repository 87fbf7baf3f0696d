"""`newsint query`, `export` and `sql` as an analyst types them, on the sample warehouse."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsint.cli import app

pytestmark = pytest.mark.model
runner = CliRunner()


def _on(db: Path) -> list[str]:
    """The sample warehouse and its own config, so the repository's config plays no part."""
    return ["--db", str(db), "--config", str(db.parent / "newsint.toml")]


def test_query_lists_the_named_queries() -> None:
    result = runner.invoke(app, ["query"])
    assert result.exit_code == 0
    assert "weapons_with_country  (country)" in result.output
    assert "mention_trend  (norm, as_of=latest, days=30)" in result.output


def test_query_as_json_and_csv(sample_db: Path) -> None:
    db = _on(sample_db)
    args = [
        "query",
        "articles_mentioning",
        "-p",
        "entity=Germany",
        "--param",
        "as_of=2024-06-30",
        "-p",
        "days=180",
    ]
    rows = json.loads(runner.invoke(app, [*args, *db, "--format", "json"]).output)
    # Germany leads the shells story ("BERLIN", "German Chancellor Olaf Scholz") and is named once,
    # late, in the Polish tanks story and the Patriot story.
    assert [(r["day"], r["is_about"]) for r in rows] == [
        ("2024-06-20", False),
        ("2024-03-05", False),
        ("2024-02-13", True),
    ]
    args = ["query", "articles_mentioning", "-p", "entity=POL", "-p", "as_of=2024-03-31", "--format", "csv"]
    table = list(csv.reader(io.StringIO(runner.invoke(app, [*args, *db]).output)))
    assert table[0] == ["day", "label", "norm", "is_about", "mentions", "title", "url"]
    assert [(r[0], r[3]) for r in table[1:]] == [("2024-03-05", "True")]


def test_query_with_a_bad_parameter_fails_cleanly(sample_db: Path) -> None:
    result = runner.invoke(app, ["query", "mention_trend", "-p", "norm", *_on(sample_db)])
    assert result.exit_code == 2 and "key=value" in result.output
    result = runner.invoke(
        app, ["query", "mention_trend", "-p", "days=x", "-p", "norm=drone", *_on(sample_db)]
    )
    assert result.exit_code == 2 and "not a valid INTEGER" in result.output


def test_sql_reads_the_views(sample_db: Path) -> None:
    result = runner.invoke(
        app,
        [
            "sql",
            "SELECT person, country FROM person_roles WHERE role = 'Chancellor'",
            *_on(sample_db),
            "--format",
            "json",
        ],
    )
    assert json.loads(result.output) == [{"person": "Olaf Scholz", "country": "DEU"}]


def test_export_command(sample_db: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "export",
            "--format",
            "parquet",
            "--since",
            "2024-07-01",
            "-o",
            str(tmp_path),
            *_on(sample_db),
        ],
    )
    assert result.exit_code == 0, result.output
    # Only the Japan-Philippines story (8 Jul) is from July on.
    assert [p.name for p in (tmp_path / "articles").iterdir()] == ["day=2024-07-08"]
    assert runner.invoke(app, ["export", "--since", "July", *_on(sample_db)]).exit_code == 2
