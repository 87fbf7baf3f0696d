"""Reliability cases: each test is marked with the case it covers; a full pass writes the report.

`docs/reliability.md` is rendered from what the tests measured (the ledger), never typed by hand,
and only when every test module here ran and none failed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pipeline.fetch import Fetcher
from pipeline.settings import Settings
from tests.flows.conftest import prefect_harness  # noqa: F401 - the flow tests' session server

HERE = Path(__file__).resolve().parent
REPORT = HERE.parent.parent / "docs" / "reliability.md"
CAP = 64_000
# The report's order: the order, from the wire up to the data.
SECTIONS = [
    "HTTP faults",
    "Security: SSRF",
    "Feeds",
    "Pages",
    "Feed health",
    "Runs, crashes and locks",
    "Configuration",
    "Command line",
    "Poison input",
    "Fuzzing",
    "Security: injection and exposure",
]


@dataclass
class Ledger:
    """Figures the tests measure: runs completed, inputs tried, rows lost, duplicate rows."""

    runs_completed: int = 0
    runs_killed: int = 0
    inputs_tried: int = 0
    rows_compared: int = 0
    rows_lost: int = 0
    duplicates: int = 0
    processes_leaked: int = 0
    runs_left_running: int = 0
    outcomes: dict[tuple[str, str], tuple[tuple[str, str, str], str]] = field(default_factory=dict)


LEDGER = Ledger()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "case(section, name, expected): the reliability case a test covers")


@pytest.fixture
def ledger() -> Ledger:
    return LEDGER


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    """A fetcher with small limits that may reach the test server on 127.0.0.1."""
    settings = Settings(
        timeout_seconds=0.5, retries=1, max_bytes=CAP, allow_hosts=["127.0.0.1"], retry_after_max_seconds=2
    )
    with Fetcher(settings, backoff_seconds=0.01) as running:
        yield running


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    if call.when == "call" or report.outcome != "passed":  # type: ignore[attr-defined]
        for marker in item.iter_markers("case"):
            key = (item.nodeid, marker.args[1])
            LEDGER.outcomes[key] = (tuple(marker.args), report.outcome)  # type: ignore[attr-defined]
    return report


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    modules = {path.name for path in HERE.glob("test_*.py")}
    ran = {Path(item.nodeid.split("::")[0]).name for item in session.items if HERE in Path(item.path).parents}
    outcomes = {outcome for _, outcome in LEDGER.outcomes.values()}
    # Only a complete, passing run of these cases may rewrite the report (other suites aside).
    if ran == modules and outcomes == {"passed"}:
        REPORT.write_text(render(LEDGER), encoding="utf-8")


def render(ledger: Ledger) -> str:
    """The report: every case with its test and outcome, then the measured figures."""
    rows: dict[str, list[str]] = {section: [] for section in SECTIONS}
    for (nodeid, _), ((section, name, expected), outcome) in LEDGER.outcomes.items():
        test = nodeid.removeprefix("tests/reliability/")
        rows.setdefault(section, []).append(f"| {name} | `{test}` | {expected} ({outcome}) |")
    tables = "\n\n".join(
        f"### {section}\n\n| case | test | outcome |\n| --- | --- | --- |\n" + "\n".join(lines)
        for section, lines in rows.items()
        if lines
    )
    return (
        (HERE / "report_header.md").read_text(encoding="utf-8")
        + "\n## Figures\n\n"
        + "| figure | value |\n| --- | --- |\n"
        + f"| cases tried | {len(ledger.outcomes)} |\n"
        + f"| fuzz inputs parsed (feeds and pages) | {ledger.inputs_tried} |\n"
        + f"| ingest runs completed | {ledger.runs_completed} |\n"
        + f"| ingest runs killed with SIGKILL mid-load | {ledger.runs_killed} |\n"
        + f"| rows compared with a clean run | {ledger.rows_compared} |\n"
        + f"| rows lost | {ledger.rows_lost} |\n"
        + f"| duplicate rows | {ledger.duplicates} |\n"
        + f"| processes left behind by a run | {ledger.processes_leaked} |\n"
        + f"| runs left `running` after the next run | {ledger.runs_left_running} |\n"
        + "\n## Cases\n\n"
        + tables
        + "\n"
    )
