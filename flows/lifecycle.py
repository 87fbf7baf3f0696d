"""One place that opens, counts and closes a run for every flow, whatever way the run ends."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from prefect import get_run_logger
from prefect.runtime import flow_run

from flows.summary import RunSummary
from pipeline.errors import one_line
from pipeline.nlp.version import pipeline_version
from pipeline.settings import Settings
from warehouse import aliases, db, runs


def new_run_id() -> str:
    """The flow run's name in Prefect and its `run_id` in the warehouse: one id for both."""
    return uuid.uuid4().hex[:12]


def quiet_libraries() -> None:
    """trafilatura logs every page it finds too short at WARNING, an outcome the run records
    itself: the console and the run's page show only its errors. Set as a run starts, in whatever
    process runs the flow (the command's, a served run's), not by importing the pipeline."""
    logging.getLogger("trafilatura").setLevel(logging.ERROR)


@contextmanager
def tracked_run(settings: Settings, flow: str) -> Iterator[RunSummary]:
    """A `runs` row for the block: `running` inside it, then `completed`, or `failed` with the
    reason when the block raises (a crash, a timeout, Ctrl-C). Runs a killed process left
    `running` are closed first. What loaded before a failure stays loaded."""
    quiet_libraries()
    logger = get_run_logger()
    summary = RunSummary(run_id=flow_run.get_name() or new_run_id(), flow=flow)
    summary.pipeline_version = pipeline_version(settings.spacy_model, settings.models_path)
    with db.open_warehouse(settings.db_path) as con:
        abandoned = runs.close_abandoned(con)
        runs.start_run(con, summary.run_id, flow, settings.spacy_model, summary.pipeline_version)
        aliases.sync_aliases(con, summary.pipeline_version, settings.models_path)
    for run_id in abandoned:
        logger.warning("run %s was left running by a process that is gone: closed as failed", run_id)
    try:
        yield summary
    except BaseException as exc:
        with db.open_warehouse(settings.db_path) as con:
            runs.finish_run(con, summary.run_id, "failed", summary.counts(), one_line(exc))
        raise
    with db.open_warehouse(settings.db_path) as con:
        runs.finish_run(con, summary.run_id, "completed", summary.counts())
