"""Deployments for `newsint serve`: one scheduled ingest per source group, plus on-demand reprocess."""

from __future__ import annotations

from pathlib import Path

from prefect.deployments.runner import RunnerDeployment

from flows.ingest import ingest
from flows.reprocess import reprocess
from pipeline.settings import Settings


def deployments(settings: Settings, config: Path, db_path: Path | None = None) -> list[RunnerDeployment]:
    """An ingest deployment per group with a cron schedule and sources, and an unscheduled reprocess."""
    common = {"config": str(config.resolve()), "db_path": str(db_path.resolve()) if db_path else None}
    used = {source.group for source in settings.sources}
    scheduled = [
        ingest.to_deployment(
            name=f"ingest-{name}",
            cron=group.cron,
            parameters={**common, "group": name},
            description=f"Poll the '{name}' sources on '{group.cron}' (UTC) and load what is new.",
            tags=["newsint", name],
        )
        for name, group in sorted(settings.groups.items())
        if name in used
    ]
    on_demand = reprocess.to_deployment(
        name="reprocess",
        parameters=common,
        description="Re-run entity extraction over stored articles after a models/ change.",
        tags=["newsint"],
    )
    return [*scheduled, on_demand]


def unscheduled_groups(settings: Settings) -> list[str]:
    """Source groups no schedule covers: `newsint serve` never polls them."""
    return sorted({s.group for s in settings.sources} - set(settings.groups))
