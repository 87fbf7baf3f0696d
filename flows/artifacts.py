"""What an analyst sees of a run in the Prefect UI."""

from __future__ import annotations

from collections.abc import Sequence

from prefect.artifacts import create_table_artifact

from flows.summary import RunSummary


def publish_run_summary(summary: RunSummary, top: Sequence[tuple[str, str, int]]) -> None:
    """A table of what the run did and the most mentioned entities, keyed to keep its history."""
    rows = [{"measure": name, "value": value} for name, value in summary.counts().items()]
    rows += [{"measure": f"top {label.lower()}", "value": f"{name} ({n})"} for label, name, n in top]
    create_table_artifact(
        rows,
        key="newsint-run-summary",
        description=f"newsint ingest run {summary.run_id}: feeds, articles and mentions",
    )
