"""`newsint serve`: one scheduled ingest per source group, plus on-demand reprocess and review, run
from this process."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import signal
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import Flow
from prefect.client.schemas.objects import FlowRun
from prefect.deployments.runner import EntrypointType
from prefect.runner import Runner
from prefect.states import State

from flows.ingest import ingest
from flows.reprocess import reprocess
from flows.review import review
from flows.summary import RunSummary
from pipeline.settings import Settings


def report(flow: Flow[..., Any], flow_run: FlowRun, state: State) -> None:
    """One line on serve's console per finished ingest: its counts, or how it ended. The flow's
    own logs go to the Prefect API and the UI."""
    deployment = f"ingest-{flow_run.parameters.get('group')}"
    summary = state.result(raise_on_failure=False) if state.is_completed() else None
    if isinstance(summary, RunSummary):
        line = f"run {summary.run_id}: {summary.outcome()}"
    else:
        line = f"run {flow_run.name}: {state.name}" + (f": {state.message}" if state.message else "")
    print(f"{datetime.now():%H:%M:%S} {deployment} {line}", flush=True)


# Hooks travel with the flow object, which the runner hands to each run's subprocess.
served_ingest = ingest.with_options(on_completion=[report], on_failure=[report], on_crashed=[report])


def runner(settings: Settings, config: Path, db_path: Path | None = None) -> tuple[Runner, list[str]]:
    """A runner with an ingest deployment per group that has a cron schedule and sources, and
    unscheduled reprocess and review, registered with the API; and a line per deployment saying when it runs.

    The runner starts each flow run in a subprocess from the flow object itself, so runs import the
    installed code wherever serve was started; the module-path entrypoints only label the
    deployments."""
    common = {"config": str(config.resolve()), "db_path": str(db_path.resolve()) if db_path else None}
    used = {source.group for source in settings.sources}
    serving = Runner(name="newsint-serve")
    lines = []
    for name, group in sorted(settings.groups.items()):
        if name not in used:
            continue
        serving.add_flow(
            served_ingest,
            name=f"ingest-{name}",
            cron=group.cron,
            parameters={**common, "group": name},
            description=f"Poll the '{name}' sources on '{group.cron}' (UTC) and load what is new.",
            tags=["newsint", name],
            entrypoint_type=EntrypointType.MODULE_PATH,
        )
        lines.append(f"ingest-{name} on '{group.cron}' (UTC)")
    serving.add_flow(
        reprocess,
        name="reprocess",
        parameters=common,
        description="Re-run entity extraction over stored articles after a models/ change.",
        tags=["newsint"],
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    serving.add_flow(
        review,
        name="review",
        parameters=common,
        description="Queue mentions for an analyst's verdicts, given in this UI's form when the run pauses.",
        tags=["newsint"],
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    return serving, [*lines, "reprocess and review on demand"]


def run_until_stopped(serving: Runner) -> None:
    """Run scheduled and requested flow runs until Ctrl-C or SIGTERM, which stop the runner as
    Prefect's own handler would (runs cancelled, schedules paused); a second one ends at once.

    The runner gets a thread of its own so that signals stay here. In the main thread its start
    installs a SIGTERM handler that calls sys.exit wherever that thread happens to be, and an exit
    raised inside a finaliser is dropped: a SIGTERM during the runner's start left serve running.
    The thread runs in a copy of this context, where Prefect's settings (the API's URL) live."""
    asked: list[int] = []
    failed: list[BaseException] = []

    def ask_to_stop(signum: int, frame: object) -> None:
        asked.append(signum)
        if len(asked) > 1:
            raise KeyboardInterrupt  # the main thread only waits below, so it is raised there

    def serve() -> None:
        try:
            asyncio.run(serving.start())
        except BaseException as error:  # handed to the main thread, which raises it
            failed.append(error)

    previous = {sig: signal.signal(sig, ask_to_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(serve,), name="runner", daemon=True)
    try:
        thread.start()
        stopping = False
        while thread.is_alive():
            if asked and not stopping and serving.started:  # not before: its start would go on
                serving.execute_in_background(serving.astop)
                stopping = True
            thread.join(0.2)
    except KeyboardInterrupt:  # forced: the runner, left behind, would log the server's going
        logging.disable(logging.CRITICAL)
        return
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if failed:
        raise failed[0]


def unscheduled_groups(settings: Settings) -> list[str]:
    """Source groups no schedule covers: `newsint serve` never polls them."""
    return sorted({s.group for s in settings.sources} - set(settings.groups))
