"""A one-off command's Prefect server dies with the command however it ends, and a run's INFO logs
reach the API (the UI's run page) while the console stays quiet."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowFilter, FlowFilterName, LogFilter, LogFilterFlowRunId
from prefect.client.schemas.sorting import FlowRunSort
from prefect.settings import PREFECT_API_URL

from tests.flows.processes import left_after, servers_with

pytestmark = [pytest.mark.flow, pytest.mark.model]
NEWSINT = str(Path(sys.executable).parent / "newsint")


def _environment(**prefect: str) -> dict[str, str]:
    """This environment without Prefect settings (as on a fresh machine), plus `prefect`."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}, **prefect}


@pytest.fixture(scope="module")
def prefect_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One PREFECT_HOME for the runs below: the first server start migrates its database."""
    return tmp_path_factory.mktemp("prefect-home")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_killed_run_leaves_no_server_behind(signum: int, prefect_home: Path, tmp_path: Path) -> None:
    db = tmp_path / "newsint.duckdb"
    run = subprocess.Popen(
        [NEWSINT, "run", "--db", str(db)],  # the bundled sample
        env=_environment(PREFECT_HOME=str(prefect_home)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 150
        while not db.exists():  # the flow is running: it has opened the warehouse
            assert run.poll() is None, run.communicate()[0]
            assert time.monotonic() < deadline, "the run did not start"
            time.sleep(0.2)
        assert servers_with(str(prefect_home)), "no Prefect server found for the run"
        run.send_signal(signum)
        output, _ = run.communicate(timeout=90)
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()
    assert left_after(lambda: servers_with(str(prefect_home)), timeout=20) == []
    if signum == signal.SIGTERM:  # handled as Ctrl-C: the run ends, no traceback
        assert run.returncode > 0, output
        assert "Traceback" not in output


def test_run_logs_reach_the_api_not_the_console(prefect_harness: None, tmp_path: Path) -> None:
    missing = tmp_path / "missing.xml"  # a feed that fails: its warning is logged too
    config = tmp_path / "newsint.toml"
    config.write_text(f'[[sources]]\nname = "missing"\nurl = "{missing.as_posix()}"\n', encoding="utf-8")
    api = PREFECT_API_URL.value()
    done = subprocess.run(
        [NEWSINT, "run", "--config", str(config), "--db", str(tmp_path / "newsint.duckdb")],
        env=_environment(PREFECT_API_URL=api, PREFECT_HOME=str(tmp_path / "prefect")),
        capture_output=True,
        text=True,
        timeout=180,
    )
    console = done.stdout + done.stderr
    found = re.search(r"Run (\w+):", console)
    assert found, console
    assert "Traceback" not in console
    assert "| INFO" not in console  # the console keeps to warnings and errors

    with get_client(sync_client=True) as client:
        (flow_run,) = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["newsint-ingest"])),
            sort=FlowRunSort.START_TIME_DESC,
            limit=1,
        )
        logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run.id])))
    assert any(log.level == 20 and log.message.startswith(f"run {found[1]}: ") for log in logs), logs
    assert any(
        log.level == 30 and log.message.startswith("feed ") and missing.name in log.message for log in logs
    )


PROBE = """
import json, logging, os
from newsint.cli import _one_off_run, _prefect_server

before = dict(os.environ)
with _prefect_server():
    import flows.ingest  # as a command does: Prefect sets its logging up on this import
    from prefect.logging.handlers import PrefectConsoleHandler
    from prefect.settings import get_current_settings

    with _one_off_run():
        settings = get_current_settings()
        consoles = [h.level for h in logging.getLogger().handlers if isinstance(h, PrefectConsoleHandler)]
        inside = {"api": settings.api.url, "home": str(settings.home), "consoles": consoles,
                  "environment": dict(os.environ) == before}
print(json.dumps({**inside, "after": dict(os.environ) == before}))
"""


def test_a_command_gives_prefect_its_settings_without_changing_the_environment(tmp_path: Path) -> None:
    """Prefect's settings for a one-off run's flows (its API, home and a console of warnings) and
    a server started for the command, while the process's environment stays as it was."""
    home = tmp_path / "prefect"
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=_environment(PREFECT_HOME=str(home)),
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api", seen["api"]), seen
    assert seen["home"] == str(home) and seen["consoles"] == [logging.WARNING]
    assert seen["environment"] and seen["after"], seen
    assert (home / "prefect.db").exists()  # the server's state went where PREFECT_HOME says
