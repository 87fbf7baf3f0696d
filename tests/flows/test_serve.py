"""`newsint serve`: deployments per source group on their cron schedules, a run through one, a served
review resumed through its form, a clean stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

import duckdb
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import StateType
from prefect.client.schemas.responses import DeploymentResponse
from prefect.deployments import run_deployment
from prefect.settings import PREFECT_API_URL

from tests.conftest import SAMPLE
from tests.flows.processes import Output, free_port, left_after, processes_with, servers_with

pytestmark = [pytest.mark.flow, pytest.mark.model]


def _config(tmp_path: Path) -> Path:
    feeds = {"defence-wire.xml": "fast", "regional-briefs.xml": "slow", "security-monitor.xml": "manual"}
    sources = "\n".join(
        f'[[sources]]\nname = "{name}"\nurl = "{(SAMPLE / "feeds" / name).as_posix()}"\ngroup = "{group}"\n'
        for name, group in feeds.items()
    )
    groups = '[groups.fast]\ncron = "*/15 * * * *"\n\n[groups.slow]\ncron = "7 */6 * * *"\n'
    path = tmp_path / "newsint.toml"
    path.write_text(f"{sources}\n{groups}", encoding="utf-8")
    return path


def _deployments(timeout: float = 90) -> dict[str, DeploymentResponse]:
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            found = {d.name: d for d in client.read_deployments()}
            if {"ingest-fast", "ingest-slow", "reprocess", "review"} <= set(found):
                return found
            time.sleep(1)
    raise AssertionError(f"deployments not served within {timeout} s: {sorted(found)}")


def _wait_for_state(flow_run_id: UUID, wanted: StateType, timeout: float = 120) -> None:
    deadline, state = time.monotonic() + timeout, None
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            state = client.read_flow_run(flow_run_id).state
            if state is not None and state.type == wanted:
                return
            time.sleep(0.5)
    raise AssertionError(f"flow run {flow_run_id} is {state} after {timeout} s, not {wanted.value}")


def test_serve_schedules_each_group_and_stops_cleanly(prefect_harness: None, tmp_path: Path) -> None:
    config, db = _config(tmp_path), tmp_path / "newsint.duckdb"
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_HOME": str(tmp_path / "ph")}
    serving = subprocess.Popen(
        [str(Path(sys.executable).parent / "newsint"), "serve", "--config", str(config), "--db", str(db)],
        env=env,
        cwd=tmp_path,  # deployments must still find the flows from elsewhere
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        found = _deployments()
        crons = {name: [s.schedule.cron for s in d.schedules] for name, d in found.items()}
        assert crons == {
            "ingest-fast": ["*/15 * * * *"],
            "ingest-slow": ["7 */6 * * *"],
            "reprocess": [],
            "review": [],
        }

        flow_run = run_deployment("newsint-ingest/ingest-fast", timeout=180, poll_interval=1)
        assert flow_run.state is not None and flow_run.state.is_completed(), flow_run.state
        with duckdb.connect(str(db), read_only=True) as con:
            feeds = con.execute("SELECT source_group, count(*) FROM feeds GROUP BY ALL").fetchall()
        assert feeds == [("fast", 1)]  # only the group's own sources were polled

        # A served review pauses for its form; the form's answer ends it.
        review = run_deployment(
            "newsint-review/review",
            timeout=0,
            parameters={"new": 1, "low": 1, "sample": 1, "event_low": 1, "event_sample": 1},
        )
        _wait_for_state(review.id, StateType.PAUSED)
        with get_client(sync_client=True) as client:
            client.resume_flow_run(review.id, run_input={"reviewer": "analyst"})
        _wait_for_state(review.id, StateType.COMPLETED)
    finally:
        serving.send_signal(signal.SIGTERM)
        output, _ = serving.communicate(timeout=60)
    assert "Traceback" not in output, output
    assert "group 'manual' has no [groups.manual] cron" in output


def test_serve_without_a_server_starts_one_runs_the_schedule_and_cleans_up(tmp_path: Path) -> None:
    config = tmp_path / "newsint.toml"
    feed = (SAMPLE / "feeds" / "regional-briefs.xml").as_posix()
    sources = f'[[sources]]\nname = "briefs"\nurl = "{feed}"\ngroup = "fast"\n'
    config.write_text(f'{sources}\n[groups.fast]\ncron = "* * * * *"\n', encoding="utf-8")
    db, port, marker = tmp_path / "newsint.duckdb", free_port(), str(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}  # a fresh machine
    env |= {
        "NEWSINT_UI_HOME": str(tmp_path / "ui"),
        "NEWSINT_UI_PORT": str(port),
        "PREFECT_HOME": str(tmp_path / "ph"),
        "PREFECT_RUNNER_POLL_FREQUENCY": "2",  # pick the scheduled run up soon after it is due
    }
    command = [
        str(Path(sys.executable).parent / "newsint"),
        "serve",
        "--config",
        str(config),
        "--db",
        str(db),
    ]

    def start() -> tuple[subprocess.Popen[str], Output]:
        process = subprocess.Popen(
            command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        return process, Output(process)

    first, first_output = start()
    second: subprocess.Popen[str] | None = None
    try:
        first_output.wait_for(rf"Prefect UI: http://127\.0\.0\.1:{port}\b", 120, first)
        counts = (
            r"\d+ new, \d+ changed, \d+ failed articles; \d+ mentions; \d+ weapon events;"
            r" \d+ of 1 feeds failed"
        )
        first_output.wait_for(rf"ingest-fast run \w+: {counts}", 150, first)
        (server,) = servers_with(marker)

        # A second serve finds the server on the port, uses it, and leaves it running on exit;
        # SIGTERM stops it at any moment of its runner's start (once, it was lost there), and a
        # second SIGTERM while it stops ends it at once, quietly.
        for delay, signals in ((0.0, 1), (0.05, 1), (0.1, 1), (0.2, 1), (1.0, 2)):
            second, second_output = start()
            second_output.wait_for(rf"Prefect UI: http://127\.0\.0\.1:{port}\b.*already running", 60, second)
            second_output.wait_for(r"Serving ", 60, second)
            assert servers_with(marker) == [server]
            time.sleep(delay)
            for _ in range(signals):
                second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=30) == 0, second_output.text
            assert servers_with(marker) == [server]
            assert "Traceback" not in second_output.text, second_output.text
    finally:
        for process in (second, first):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
    assert first.returncode == 0, first_output.text
    assert "Traceback" not in first_output.text, first_output.text
    assert "| INFO" not in first_output.text  # serve's and its runs' logs: warnings only on the console
    assert left_after(lambda: processes_with(marker), timeout=20) == []
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (2,)
