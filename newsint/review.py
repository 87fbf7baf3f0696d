"""`newsint review`: put extracted mentions and weapon events before an analyst in the Prefect UI,
and turn the verdicts on mentions into a patch of models/."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

review_app = typer.Typer(invoke_without_command=True)

ConfigOption = Annotated[Path | None, typer.Option("--config", help="TOML config file.")]
DbOption = Annotated[Path | None, typer.Option("--db", help="DuckDB file of the warehouse.")]


@review_app.callback()
def review(
    context: typer.Context,
    batch: Annotated[int, typer.Option(min=1, help="Mentions and events per form.")] = 10,
    new: Annotated[int, typer.Option(min=0, help="Entities first seen in recent runs.")] = 10,
    low: Annotated[int, typer.Option(min=0, help="Least confident mentions.")] = 10,
    sample: Annotated[int, typer.Option(min=0, help="Mentions drawn at random (for precision).")] = 10,
    event_low: Annotated[int, typer.Option(min=0, help="Least confident weapon events.")] = 5,
    event_sample: Annotated[
        int, typer.Option(min=0, help="Weapon events drawn at random (for precision per type).")
    ] = 5,
    recent_runs: Annotated[int, typer.Option(min=1, help="Runs that count as recent.")] = 3,
    timeout: Annotated[int, typer.Option(min=1, help="Minutes to wait for each form.")] = 60,
    seed: Annotated[int | None, typer.Option(help="Draw the same random sample again.")] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Judge mentions and weapon events in the Prefect UI's form; `review export` makes a models/ patch.

    The run pauses with a form per batch: open the link printed here (or the run in the UI),
    press Resume, judge each mention and event and submit. It stops after `--timeout` minutes without an
    answer; the verdicts of forms submitted before then stay recorded."""
    if context.invoked_subcommand is not None:
        return
    from newsint.cli import _one_off_run, _prefect_server
    from pipeline.settings import load_settings

    settings = load_settings(config, db_path=db)
    if not settings.db_path.exists():
        raise typer.BadParameter(f"no warehouse at {settings.db_path}: run `newsint run` first")
    with _prefect_server(serving=True):  # the form needs the UI: a temporary server has none
        from flows.review import ReviewTimeout
        from flows.review import review as review_flow

        with _one_off_run():
            try:
                done = review_flow(
                    config=str(config) if config else None,
                    db_path=str(settings.db_path),
                    batch_size=batch,
                    new=new,
                    low=low,
                    sample=sample,
                    recent_runs=recent_runs,
                    timeout_seconds=timeout * 60,
                    seed=seed,
                    event_low=event_low,
                    event_sample=event_sample,
                )
            except ReviewTimeout as exc:
                typer.echo(f"newsint: review stopped: {exc}", err=True)
                raise typer.Exit(1) from None
    if done.queued == 0:
        typer.echo("Nothing to review: every mention and event has a verdict.")
        return
    typer.echo(
        f"Review {done.run_id}: {done.recorded} verdicts recorded of {done.queued} items queued; "
        f"{done.unmatched} verdicts match no current mention."
    )
    _print_precision(settings.db_path)


def _print_precision(db_path: Path) -> None:
    from warehouse.event_verdicts import event_precision_estimates
    from warehouse.queries import open_reader
    from warehouse.verdicts import precision_estimates

    with open_reader(db_path) as con:
        estimates = [*precision_estimates(con), *event_precision_estimates(con)]
    for e in estimates:
        typer.echo(f"  precision {e.by} {e.key:18} {e.estimate:.2f} (95% {e.low:.2f}-{e.high:.2f}, n={e.n})")


@review_app.command()
def export(
    output: Annotated[
        str, typer.Option("-o", "--output", help="Patch file to write; - for standard output.")
    ] = ("-"),
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Write the verdicts in force as a unified diff of models/ (apply it with `git apply`).

    Verdicts that no data file can express head it as # lines. The file is replaced only once
    complete."""
    from newsint.cli import _output
    from pipeline.settings import load_settings
    from warehouse.queries import open_reader
    from warehouse.verdicts import export_patch

    settings = load_settings(config, db_path=db)
    with open_reader(settings.db_path) as con:
        patch = export_patch(con, settings.models_path)
    with _output(output) as out:
        out.write(patch)
    where = "standard output" if output == "-" else output
    typer.echo(f"wrote the patch of {settings.models_path} to {where}", err=True)
