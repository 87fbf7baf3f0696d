"""The command line under bad input: one line saying what and where, exit status 2, no traceback;
and output files that a failed command leaves as they were."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.server import FaultServer, Route
from warehouse.db import open_warehouse

CLI = "Command line"
NEWSINT = str(Path(sys.executable).parent / "newsint")
SOURCE = '[[sources]]\nname = "wire"\nurl = "https://wire.example/feed.xml"\n'


def newsint(
    *args: str, env: dict[str, str] | None = None, cwd: Path = REPO
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NEWSINT, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "w.duckdb"
    with open_warehouse(path):
        pass
    return path


def config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "newsint.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def events(tmp_path: Path, text: str) -> str:
    path = tmp_path / "gold.jsonl"
    path.write_text(text, encoding="utf-8")
    return str(path)


BAD_INPUT = {
    "missing config": (lambda t, w: ["run", "--config", str(t / "nope.toml")], "config file not found"),
    "unknown key": (lambda t, w: ["run", "--config", config(t, "colour = 1\n" + SOURCE)], "colour"),
    "bad value": (lambda t, w: ["run", "--config", config(t, "retries = -1\n" + SOURCE)], "retries"),
    "bad TOML": (lambda t, w: ["run", "--config", config(t, "retries = \n")], "not valid TOML"),
    "invalid SQL": (lambda t, w: ["sql", "SELEC 1", "--db", str(w)], "SQL error"),
    "a write through sql": (lambda t, w: ["sql", "CREATE TABLE x (a INT)", "--db", str(w)], "SQL error"),
    "missing database": (lambda t, w: ["sql", "SELECT 1", "--db", str(t / "none.duckdb")], "no warehouse at"),
    "unknown named query": (lambda t, w: ["query", "no_such", "--db", str(w)], "no query named"),
    "missing input to extract": (lambda t, w: ["extract", str(t / "gone.txt"), "-o", "-"], "gone.txt"),
    "missing argument": (lambda t, w: ["sql"], "Missing argument"),
    "missing gold events": (lambda t, w: ["eval", "--events", str(t / "gold.jsonl")], "no such file"),
    "a bad events line": (
        lambda t, w: ["eval", "--events", events(t, '{"id": "a", "text": "x", "events": []}\nnot json\n')],
        "gold.jsonl:2",
    ),
    "missing events predictions": (
        lambda t, w: [
            "eval",
            "--events",
            events(t, '{"id": "a", "text": "x", "events": []}\n'),
            "--predictions",
            str(t / "p.jsonl"),
        ],
        "p.jsonl: no such file",
    ),
    "bad date": (lambda t, w: ["report", "--until", "yesterday", "--db", str(w)], "not a date"),
    "missing folder to backfill": (lambda t, w: ["backfill", "--folder", str(t / "saved")], "no such folder"),
    "missing URL list to backfill": (
        lambda t, w: ["backfill", "--urls", str(t / "urls.txt")],
        "no such file",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
@pytest.mark.case(CLI, "Bad input to each command (config, SQL, files, arguments)", "one line, exit 2")
def test_bad_input_is_one_line_and_status_2(tmp_path: Path, warehouse: Path, case: str) -> None:
    args, says = BAD_INPUT[case]
    done = newsint(*args(tmp_path, warehouse))
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and lines[0].startswith("newsint: ") and says in lines[0], done.stderr
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.case(CLI, "A bad NEWSINT_* variable", "the variable is blamed, not the config file")
def test_a_bad_environment_variable_is_named(tmp_path: Path) -> None:
    done = newsint("run", "--config", config(tmp_path, SOURCE), env={"NEWSINT_RETRIES": "abc"})
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert "NEWSINT_RETRIES='abc'" in line and "newsint.toml" not in line


@pytest.mark.case(CLI, "extract over a bad JSONL line and a binary file", "named by line, skipped, exit 2")
def test_extract_skips_bad_input_and_names_it(tmp_path: Path) -> None:
    lines = tmp_path / "in.jsonl"
    good = {"id": "d1", "text": "President Joe Biden met Japanese Prime Minister Fumio Kishida."}
    lines.write_text(json.dumps(good) + '\nnot json at all\n{"id": 3}\n', encoding="utf-8")
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "earlier", "entities": []}\n', encoding="utf-8")
    done = newsint("extract", str(lines), str(binary), "-o", str(out))
    assert done.returncode == 2
    assert "in.jsonl:2:" in done.stderr and "in.jsonl:3:" in done.stderr and "image.txt" in done.stderr
    assert "Traceback" not in done.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["d1"]  # the complete new output, nothing half-written
    assert {e["norm"] for e in records[0]["entities"]} >= {"Joe Biden", "JPN"}
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.case(CLI, "extract that fails before finishing", "the earlier output file is left as it was")
def test_a_failed_extract_keeps_the_earlier_output(tmp_path: Path) -> None:
    lines = tmp_path / "in.jsonl"
    lines.write_text(json.dumps({"id": "d1", "text": "Biden met Kishida."}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    earlier = '{"id": "earlier", "entities": []}\n'
    out.write_text(earlier, encoding="utf-8")
    broken = config(tmp_path, 'spacy_model = "no_such_model_installed"\n')
    done = newsint("extract", str(lines), "-o", str(out), "--config", broken)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert out.read_text(encoding="utf-8") == earlier
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "newsint.toml", "out.jsonl"]


def test_extract_to_standard_output(tmp_path: Path) -> None:
    lines = tmp_path / "in.jsonl"
    lines.write_text(
        json.dumps({"id": "d1", "text": "Russia fired a Kinzhal missile."}) + "\n", encoding="utf-8"
    )
    done = newsint("extract", str(lines), "-o", "-")
    assert done.returncode == 0, done.stderr
    (record,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert record["id"] == "d1" and "RUS" in {e["norm"] for e in record["entities"]}
    assert not (REPO / "-").exists()


@pytest.mark.flow
@pytest.mark.case(CLI, "`newsint run` when every feed fails", "each feed named with its reason, exit 1")
def test_a_run_where_no_feed_can_be_read_fails_loudly(tmp_path: Path) -> None:
    with FaultServer() as server:
        server.routes["/down.xml"] = Route(b"oops", status=500)
        server.routes["/moved.xml"] = Route(b"", status=404)
        text = (
            'timeout_seconds = 2\nretries = 0\nallow_hosts = ["127.0.0.1"]\n'
            f'[[sources]]\nname = "down"\nurl = "{server.url}/down.xml"\n'
            f'[[sources]]\nname = "moved"\nurl = "{server.url}/moved.xml"\n'
        )
        done = newsint(
            "run", "--config", config(tmp_path, text), "--db", str(tmp_path / "w.duckdb"), cwd=tmp_path
        )
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"feed {server.url}/down.xml failed: HTTP 500" in done.stderr
    assert f"feed {server.url}/moved.xml failed: HTTP 404" in done.stderr
    assert "none of the 2 feeds could be read" in done.stderr
    assert "Traceback" not in done.stderr
