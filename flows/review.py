"""The review flow: mentions and weapon events put before an analyst in the Prefect UI's own form,
their verdicts recorded in the warehouse, and what they say of the pipeline's precision published."""

from __future__ import annotations

import getpass
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import pydantic
from prefect import flow, get_run_logger, pause_flow_run
from prefect.artifacts import create_markdown_artifact
from prefect.exceptions import FlowPauseTimeout
from prefect.input import RunInput
from prefect.runtime import flow_run

from flows.ingest import batches
from flows.lifecycle import new_run_id
from pipeline.event_verdicts import EventItem, EventVerdict
from pipeline.review_form import (
    NOT_JUDGED,
    Answer,
    Item,
    batch_description,
    choices,
    event_choices,
    field_name,
    item_evidence,
    item_title,
    summary_markdown,
    verdicts_of,
)
from pipeline.settings import load_settings
from pipeline.verdicts import Verdict
from warehouse import db
from warehouse.event_verdicts import (
    check_event_verdicts,
    event_precision_estimates,
    record_event_verdicts,
    review_event_queue,
    unmatched_event_verdicts,
)
from warehouse.verdicts import (
    check_verdicts,
    precision_estimates,
    record_verdicts,
    review_queue,
    unmatched_count,
)

# How often a paused run asks the server whether the form was submitted.
POLL_SECONDS = 2
SUMMARY_KEY = "newsint-review-summary"
REVIEWER_HELP = (
    "Your name, kept with each verdict. Choose a verdict for each mention below; those left at"
    " *not judged* come back in a later review."
)
NORM_HELP = "For *wrong norm*: the right norm; for *same entity as*: the other entity's norm{}."
# Country norms are ISO 3166 alpha-3 codes: a correction must be one too.
NORM_EXAMPLES = {"COUNTRY": " (a country's three-letter code, as GBR)"}
ROLES_HELP = (
    "For *wrong roles*: the right countries as three-letter codes, actors > counterparts (USA > TWN)."
)


class ReviewTimeout(RuntimeError):
    """Nobody submitted a batch's form in time; the verdicts of earlier batches stay recorded."""


@dataclass
class ReviewSummary:
    run_id: str
    queued: int = 0
    recorded: int = 0
    batches_shown: int = 0
    unmatched: int = 0


class ReviewForm(RunInput):
    """The field of every batch's form; each item adds its own (`batch_form`), and the reviewer
    named last is the next form's default."""

    reviewer: str = pydantic.Field("", title="Reviewer", description=REVIEWER_HELP)


@flow(name="newsint-review", log_prints=False, flow_run_name=new_run_id)
def review(
    config: str | None = None,
    db_path: str | None = None,
    batch_size: int = 10,
    new: int = 10,
    low: int = 10,
    sample: int = 10,
    recent_runs: int = 3,
    timeout_seconds: int = 3600,
    seed: int | None = None,
    event_low: int = 5,
    event_sample: int = 5,
) -> ReviewSummary:
    """Ask an analyst in the UI to judge queued mentions and events, record it, publish precision."""
    logger = get_run_logger()
    settings = load_settings(config, db_path=Path(db_path) if db_path else None)
    with db.open_warehouse(settings.db_path) as con:
        mentions = review_queue(con, recent_runs=recent_runs, new=new, low=low, sample=sample, seed=seed)
        events = review_event_queue(con, low=event_low, sample=event_sample, seed=seed)
    queue: list[Item] = [*mentions, *events]
    summary = ReviewSummary(flow_run.get_name() or new_run_id(), queued=len(queue))
    logger.info(
        "%d mentions and %d events to review in batches of %d", len(mentions), len(events), batch_size
    )
    parts = list(batches(queue, max(batch_size, 1)))
    reviewer = _os_user()
    try:
        for number, items in enumerate(parts, 1):
            summary.batches_shown = number
            place = (number, len(parts))
            recorded, reviewer, more = _review_batch(
                settings.db_path, items, place, reviewer, timeout_seconds
            )
            summary.recorded += recorded
            if not more:
                break
    except FlowPauseTimeout:
        _publish_summary(settings.db_path, summary)  # what the batches before recorded
        raise ReviewTimeout(
            f"batch {summary.batches_shown} of {len(parts)} was not submitted within {timeout_seconds} s;"
            f" {summary.recorded} verdicts of earlier batches are recorded"
        ) from None
    summary.unmatched = _publish_summary(settings.db_path, summary)
    logger.info("review %s: %d verdicts recorded", summary.run_id, summary.recorded)
    return summary


def _review_batch(
    db_path: Path, items: Sequence[Item], place: tuple[int, int], reviewer: str, timeout: int
) -> tuple[int, str, bool]:
    """Show one batch's form until its answers can all be recorded, then record them. Returns how
    many were, the reviewer named, and whether the analyst asked for the next batch."""
    number, total = place
    answers: dict[str, Answer] = {}
    problems: dict[str, str] = {}
    while True:
        print(f"Review batch {number} of {total} waits in the Prefect UI: {flow_run.ui_url}", flush=True)
        form = batch_form(items, place, reviewer, answers, problems)
        submitted = pause_flow_run(wait_for_input=form, timeout=timeout, poll_interval=POLL_SECONDS)
        reviewer, answers = submitted.reviewer, _answers(submitted.model_dump(), items)
        verdicts, problems = verdicts_of(items, answers, reviewer)
        on_mentions = [v for v in verdicts if isinstance(v, Verdict)]
        on_events = [v for v in verdicts if isinstance(v, EventVerdict)]
        with db.open_warehouse(db_path) as con:
            errors = [*check_verdicts(con, on_mentions), *check_event_verdicts(con, on_events)]
            problems.update((e.item_id, e.problem) for e in errors)
            if not problems:
                recorded = record_verdicts(con, on_mentions) + record_event_verdicts(con, on_events)
                return recorded, reviewer, bool(getattr(submitted, "more", False))


def batch_form(
    items: Sequence[Item],
    place: tuple[int, int],
    reviewer: str,
    answers: dict[str, Answer],
    problems: Mapping[str, str],
) -> type[ReviewForm]:
    """The form of batch `place` (number, of how many): the reviewer, per item a verdict and a
    norm under its evidence, and on all but the last batch whether to go on. Sent back with
    `problems`, it holds the `answers` given."""
    number, total = place
    fields: dict[str, Any] = {
        "reviewer": (str, pydantic.Field(reviewer, title="Reviewer", description=REVIEWER_HELP))
    }
    for position, item in enumerate(items, 1):
        answer = answers.get(field_name(item), Answer())
        fields[field_name(item)] = (
            _model_of(item),
            pydantic.Field(
                _prefilled(item, answer),
                title=item_title(position, item),
                description=item_evidence(item, problems.get(item.item_id)),
            ),
        )
    if number < total:
        fields["more"] = (bool, pydantic.Field(True, title="Show the next batch after this one"))
    model = pydantic.create_model("ReviewBatch", __base__=ReviewForm, **fields)
    return model.with_initial_data(description=batch_description(number, total, items, problems))


@cache
def _answer_model(label: str) -> type[pydantic.BaseModel]:
    """One item's fields: a select of the verdicts offered for a `label`, and a correction's norm."""
    return pydantic.create_model(
        f"{label.title()}Answer",
        __config__=pydantic.ConfigDict(extra="forbid"),
        verdict=(Literal[choices(label)], pydantic.Field(NOT_JUDGED, title="Verdict")),  # type: ignore[valid-type]
        norm=(
            str,
            pydantic.Field("", title="Norm", description=NORM_HELP.format(NORM_EXAMPLES.get(label, ""))),
        ),
    )


@cache
def _event_answer_model(type_: str, status: str) -> type[pydantic.BaseModel]:
    """An event's fields: a select of the verdicts offered for its type and status, and roles."""
    return pydantic.create_model(
        f"{type_.title()}{status.title()}EventAnswer",
        __config__=pydantic.ConfigDict(extra="forbid"),
        verdict=(Literal[event_choices(type_, status)], pydantic.Field(NOT_JUDGED, title="Verdict")),  # type: ignore[valid-type]
        roles=(str, pydantic.Field("", title="Roles", description=ROLES_HELP)),
    )


def _model_of(item: Item) -> type[pydantic.BaseModel]:
    if isinstance(item, EventItem):
        return _event_answer_model(item.type, item.status)
    return _answer_model(item.label)


def _prefilled(item: Item, answer: Answer) -> pydantic.BaseModel:
    if isinstance(item, EventItem):
        offered = event_choices(item.type, item.status)
        choice = answer.choice if answer.choice in offered else NOT_JUDGED
        return _event_answer_model(item.type, item.status)(verdict=choice, roles=answer.text)
    choice = answer.choice if answer.choice in choices(item.label) else NOT_JUDGED
    return _answer_model(item.label)(verdict=choice, norm=answer.text)


def _answers(given: dict[str, Any], items: Sequence[Item]) -> dict[str, Answer]:
    """Each item's answer; a mention's text is its norm, an event's its roles."""
    out = {}
    for item in items:
        fields = given.get(field_name(item)) or {}
        typed = fields.get("roles" if isinstance(item, EventItem) else "norm", "")
        out[field_name(item)] = Answer(str(fields.get("verdict", NOT_JUDGED)), str(typed))
    return out


def _publish_summary(db_path: Path, summary: ReviewSummary) -> int:
    """The review's summary artifact; returns the count of unmatched verdicts it shows."""
    with db.connect(db_path, read_only=True) as con:
        estimates = [*precision_estimates(con), *event_precision_estimates(con)]
        unmatched = unmatched_count(con)
        unmatched_events = len(unmatched_event_verdicts(con))
    skipped = summary.queued - summary.recorded
    create_markdown_artifact(
        summary_markdown(summary.recorded, skipped, estimates, unmatched, unmatched_events),
        key=SUMMARY_KEY,
        description=f"Review {summary.run_id}: verdicts recorded and the precision they estimate",
    )
    return unmatched


def _os_user() -> str:
    """The reviewer's name the form starts with: who runs the flow."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment or the password database
        return ""
