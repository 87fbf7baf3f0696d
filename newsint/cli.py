"""The `newsint` command."""

from __future__ import annotations

import atexit
import json
import logging
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from newsint.review import review_app
from pipeline import REPO_ROOT

if TYPE_CHECKING:
    from pipeline.events.score import Document
    from pipeline.records import Event, Mention

app = typer.Typer(help="News intelligence for defence and security.", no_args_is_help=True)
app.add_typer(review_app, name="review")
# Set to see the traceback of an unexpected error (a bug) instead of its one-line summary.
TRACEBACK_VARIABLE = "NEWSINT_TRACEBACK"


def main() -> None:
    """The `newsint` command. Bad input (arguments, config, SQL, files) is answered with one line
    and exit status 2; a busy database or a failed run with one line and status 1; never a
    traceback unless NEWSINT_TRACEBACK is set."""
    import duckdb

    from pipeline.errors import one_line
    from pipeline.settings import ConfigError
    from warehouse.db import DatabaseBusy
    from warehouse.queries import QueryError

    if len(sys.argv) <= 1:
        app()  # no command: typer prints the help
    status_holder: list[int] = []
    atexit.register(_end_without_teardown, status_holder)
    try:
        status = app(standalone_mode=False)
    except (typer.Abort, KeyboardInterrupt, duckdb.InterruptException):  # Ctrl-C or SIGTERM
        typer.echo("newsint: stopped", err=True)
        status = 130
    except typer.TyperException as exc:  # usage errors and BadParameter: exit status 2
        typer.echo(f"newsint: {exc.format_message()}", err=True)
        status = exc.exit_code
    except (ConfigError, QueryError, duckdb.Error, OSError, UnicodeError) as exc:
        typer.echo(f"newsint: {_user_message(exc)}", err=True)
        status = 2
    except DatabaseBusy as exc:
        typer.echo(f"newsint: {exc}", err=True)
        status = 1
    except Exception as exc:
        if os.environ.get(TRACEBACK_VARIABLE):
            raise
        typer.echo(f"newsint: failed: {one_line(exc)} (set {TRACEBACK_VARIABLE}=1 to see where)", err=True)
        status = 1
    status_holder.append(status if isinstance(status, int) else 0)
    raise SystemExit(status_holder[0])


def _end_without_teardown(status: list[int]) -> None:
    """The command's last step. Registered first, it runs after every other exit handler
    (Prefect's log delivery among them); then the process ends without Python's teardown of
    every module and object, which takes ~0.5 s after a run and does nothing a finished command
    needs (its databases are closed, its processes stopped)."""
    if status:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status[0])


def _user_message(error: BaseException) -> str:
    """What the user got wrong, in one line: the library's own words, without its traceback."""
    import duckdb

    from pipeline.errors import first_line

    if isinstance(error, duckdb.Error):
        return f"SQL error: {first_line(error)}"
    if isinstance(error, OSError) and error.filename is not None:
        return f"{error.filename}: {error.strerror or error}"
    return first_line(error)


ConfigOption = Annotated[Path | None, typer.Option("--config", help="TOML config file.")]
DbOption = Annotated[Path | None, typer.Option("--db", help="DuckDB file to load into.")]


# Prefect variables for the local server a command starts, unless the environment sets them: its
# state with the project, and a quiet, offline server.
SERVER_DEFAULTS = {
    "PREFECT_HOME": str(REPO_ROOT / "data" / "prefect"),
    "PREFECT_SERVER_LOGGING_LEVEL": "ERROR",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}
CONSOLE_LEVEL_VARIABLE = "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"


@contextmanager
def _prefect_server(serving: bool = False) -> Iterator[None]:
    """Prefect's settings and server for a command that runs flows; Prefect is imported inside.

    The server started here gets its variables in its own environment; the flows get the API to
    report to and PREFECT_HOME as Prefect settings (`temporary_settings`), which Prefect also hands
    to the runs `serve` starts in subprocesses. The console shows only warnings (INFO logs still go
    to the API, for the UI's run pages): set on Prefect's console handler for a one-off run
    (`_one_off_run`); for `serve` the one variable put in this process's environment while it
    serves, since Prefect starts each served run as a child of this process that sets its logging
    up from the environment it inherits, before applying the settings it is handed. Unless
    PREFECT_API_URL names a server, one starts at once and Prefect is imported while it does: for
    `serve` the UI's server with its scheduler (or the one already on that port), for a one-off
    run a temporary one the kernel stops if this process dies. SIGTERM ends the command as Ctrl-C
    does, so what it started is stopped."""
    import signal
    from contextlib import ExitStack

    from flows import local_server

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    server_settings = {key: value for key, value in SERVER_DEFAULTS.items() if key not in os.environ}
    home = Path(os.environ.get("PREFECT_HOME") or SERVER_DEFAULTS["PREFECT_HOME"])
    home.mkdir(parents=True, exist_ok=True)  # Prefect makes it without parents
    added = (
        {CONSOLE_LEVEL_VARIABLE: "WARNING"} if serving and CONSOLE_LEVEL_VARIABLE not in os.environ else {}
    )
    os.environ.update(added)
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        with ExitStack() as stack:
            server = None
            api_url = os.environ.get("PREFECT_API_URL")
            if not api_url:
                start = local_server.ui_server if serving else local_server.temporary_server
                server = stack.enter_context(start(server_settings))
                api_url = server.api_url
            # Most of Prefect: seconds, as the server starts.
            from prefect.settings import PREFECT_API_URL, PREFECT_HOME, PREFECT_UI_URL, temporary_settings

            stack.enter_context(temporary_settings(updates={PREFECT_API_URL: api_url, PREFECT_HOME: home}))
            if server is not None:
                server.wait_until_healthy()
            if serving and server is None:
                typer.echo(f"Prefect UI: {PREFECT_UI_URL.value()}")
            elif serving and server.process is None:
                typer.echo(f"Prefect UI: {server.url} (a server already running there)")
            elif serving:
                state = local_server.ui_home()
                typer.echo(
                    f"Prefect UI: {server.url} (started here, state in {state}; stops when this command does)"
                )
            try:
                yield
            finally:
                if server is not None:  # the last logs go out before the server they go to stops
                    from prefect.logging.handlers import APILogWorker

                    APILogWorker.drain_all(timeout=5)
    finally:
        signal.signal(signal.SIGTERM, previous)
        for key in added:
            os.environ.pop(key, None)


def _quiet_console() -> None:
    """Prefect's console handler shows warnings and errors only (unless
    PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL, which Prefect applied, says otherwise), and a failed
    run's or task's message without its traceback (an interrupted run logs several): the
    command's own line says what happened, and the run's page in the UI keeps the traceback,
    which the API handler formats for itself."""
    from prefect.logging.handlers import PrefectConsoleHandler

    for handler in logging.getLogger().handlers:
        if isinstance(handler, PrefectConsoleHandler):
            if CONSOLE_LEVEL_VARIABLE not in os.environ:
                handler.setLevel(logging.WARNING)
            if handler.formatter is not None:
                handler.setFormatter(_WithoutTraceback(handler.formatter))


class _WithoutTraceback(logging.Formatter):
    """Another formatter's output with the record's exception and stack left out. They are put
    back after: other handlers of the record (the API's) keep them."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        kept = record.exc_info, record.exc_text, record.stack_info
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        try:
            return self.inner.format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = kept


@contextmanager
def _one_off_run() -> Iterator[None]:
    """A flow run started from the command line sends no Prefect heartbeats unless
    PREFECT_FLOWS_HEARTBEAT_FREQUENCY asks for them: they only feed a crashed-run automation, and
    Prefect ends every run by joining their thread, which sleeps in 1 s steps (up to 1 s per run,
    half of a run with nothing new). Served deployments keep Prefect's default. Prefect's logging
    is set up by now (importing the flow did it), so its console is quieted here."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    _quiet_console()
    if "PREFECT_FLOWS_HEARTBEAT_FREQUENCY" in os.environ:
        yield
        return
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


@app.command()
def run(config: ConfigOption = None, db: DbOption = None) -> None:
    """One ingest run over the configured sources, then a short summary."""
    from pipeline.settings import load_settings
    from warehouse.db import connect
    from warehouse.queries import top_entities

    settings = load_settings(config, db_path=db)
    with _prefect_server():
        from flows.ingest import ingest

        with _one_off_run():
            summary = ingest(config=str(config) if config else None, db_path=str(settings.db_path))
    with connect(settings.db_path, read_only=True) as con:
        top = top_entities(con, per_label=5)
        ((total,),) = con.execute("SELECT count(*) FROM articles").fetchall()
    typer.echo(f"\nRun {summary.run_id}: {summary.outcome()} ({total} articles in {settings.db_path}).")
    for label in ("PERSON", "COUNTRY", "WEAPON"):
        names = ", ".join(f"{name} ({n})" for lab, name, n in top if lab == label)
        typer.echo(f"  top {label.lower():8} {names or '-'}")
    typer.echo(
        "\nTry a query:\n"
        '  .venv/bin/newsint sql "SELECT label, norm, count(*) AS n FROM mentions '
        'GROUP BY ALL ORDER BY n DESC LIMIT 10"'
    )
    _fail_if_nothing_polled(summary.failed_feeds, summary.feeds_polled, len(settings.sources))


def _fail_if_nothing_polled(failed: list[tuple[str, str]], polled: int, sources: int) -> None:
    """Name each failed feed with its reason; exit status 1 when no configured feed could be read
    (all failed, or all are backing off after failures), so a scheduler sees the run did nothing."""
    for url, reason in failed:
        typer.echo(f"newsint: feed {url} failed: {reason}", err=True)
    if sources and polled - len(failed) <= 0:
        typer.echo(f"newsint: none of the {sources} feeds could be read", err=True)
        raise typer.Exit(1)


@app.command()
def serve(config: ConfigOption = None, db: DbOption = None) -> None:
    """Serve ingest on each group's cron schedule, plus reprocess and review on demand (Ctrl-C stops)."""
    from pipeline.settings import DEFAULT_CONFIG, load_settings

    settings = load_settings(config, db_path=db)
    config_path = Path(config or os.environ.get("NEWSINT_CONFIG") or DEFAULT_CONFIG).resolve()
    with _prefect_server(serving=True):
        from flows.serve import run_until_stopped, runner, unscheduled_groups

        for group in unscheduled_groups(settings):
            typer.echo(f"group {group!r} has no [groups.{group}] cron: its sources are not served", err=True)
        served, schedules = runner(settings, config_path, settings.db_path.resolve())
        typer.echo(f"Serving {', '.join(schedules)}; Ctrl-C stops.")
        run_until_stopped(served)


@app.command()
def reprocess(
    config: ConfigOption = None,
    db: DbOption = None,
    everything: Annotated[bool, typer.Option("--all", help="Re-run every article, not only stale ones.")] = (
        False
    ),
) -> None:
    """Re-find entities in stored articles after models/ changed; reports what changed."""
    from pipeline.settings import load_settings

    settings = load_settings(config, db_path=db)
    with _prefect_server():
        from flows.reprocess import reprocess as reprocess_flow

        with _one_off_run():
            done = reprocess_flow(str(config) if config else None, str(settings.db_path), everything)
    typer.echo(
        f"Re-ran {done.articles} articles with pipeline {done.pipeline_version}; "
        f"{done.report.articles_changed} changed, {done.mentions} mentions written."
    )
    for row in done.report.rows():
        typer.echo(
            f"  {row['label']:8} added {row['added']}, removed {row['removed']}, "
            f"changed norm {row['changed_norm']}"
        )
    if done.unmatched_verdicts:
        typer.echo(
            f"{done.unmatched_verdicts} verdicts no longer find their mention: see verdicts_unmatched."
        )
    if done.unmatched_event_verdicts:
        typer.echo(
            f"{done.unmatched_event_verdicts} verdicts no longer find their weapon event:"
            " see event_verdicts_unmatched."
        )


@app.command()
def backfill(
    urls: Annotated[list[str] | None, typer.Argument(help="Article URLs.")] = None,
    url_file: Annotated[Path | None, typer.Option("--urls", help="File with one URL per line.")] = None,
    sitemap: Annotated[list[str] | None, typer.Option(help="Sitemap URL or file (repeatable).")] = None,
    folder: Annotated[Path | None, typer.Option(help="Folder of saved .html and .txt files.")] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Ingest past articles from URLs, sitemaps or saved files through the ingest tasks."""
    if not (urls or url_file or sitemap or folder):
        raise typer.BadParameter("give URLs, --urls FILE, --sitemap or --folder")
    if folder and not folder.is_dir():
        raise typer.BadParameter(f"{folder}: no such folder", param_hint="--folder")
    if url_file and not url_file.is_file():
        raise typer.BadParameter(f"{url_file}: no such file", param_hint="--urls")
    from pipeline.settings import load_settings

    settings = load_settings(config, db_path=db)
    with _prefect_server():
        from flows.backfill import backfill as backfill_flow

        with _one_off_run():
            done = backfill_flow(
                urls=urls,
                url_file=str(url_file) if url_file else None,
                sitemaps=sitemap,
                folder=str(folder) if folder else None,
                config=str(config) if config else None,
                db_path=str(settings.db_path),
            )
    typer.echo(
        f"Backfill {done.run_id}: {done.articles_new} new, {done.articles_changed} changed, "
        f"{done.articles_unchanged} unchanged, {done.articles_failed} failed; {done.mentions} mentions."
    )
    for url, reason in done.failed_feeds:
        typer.echo(f"  sitemap {url}: {reason}", err=True)


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run against the warehouse (read-only).")],
    config: ConfigOption = None,
    db: DbOption = None,
    output: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """Run a read-only SQL query and print the result (waits while a load holds the file)."""
    from pipeline.settings import load_settings
    from warehouse.queries import open_reader

    settings = load_settings(config, db_path=db)
    with open_reader(settings.db_path) as con:
        cursor = con.execute(query)
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall()
    _print_rows(columns, rows, output)


@app.command()
def query(
    name: Annotated[str | None, typer.Argument(help="A named query; leave out to list them.")] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="A parameter as key=value; repeatable.")
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
    output: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """Run a named query from warehouse/queries/ (list them when NAME is left out)."""
    from pipeline.settings import load_settings
    from warehouse.queries import QueryError, named_queries, open_reader, run_named

    if name is None:
        for known in named_queries().values():
            typer.echo(f"{known.name}  ({known.usage()})\n    {known.description}")
        return
    pairs = [p.partition("=") for p in param or []]
    if any(not sep or not key for key, sep, _ in pairs):
        raise typer.BadParameter("--param takes key=value")
    settings = load_settings(config, db_path=db)
    try:
        with open_reader(settings.db_path) as con:
            answer = run_named(con, name, {key: value for key, _, value in pairs})
    except QueryError as exc:
        raise typer.BadParameter(str(exc)) from exc
    _print_rows(answer.columns, answer.rows, output)
    for note in answer.notes:
        typer.echo(note, err=True)


@app.command()
def export(
    output_dir: Annotated[Path, typer.Option("-o", "--output", help="Folder to write into.")] = Path(
        "data/export"
    ),
    fmt: Annotated[str, typer.Option("--format", help="parquet (partitioned by day) or csv.")] = "parquet",
    since: Annotated[str | None, typer.Option(help="Only articles from this day on (YYYY-MM-DD).")] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Export articles, mentions and entities as Parquet (partitioned by day) or CSV."""
    from pipeline.settings import load_settings
    from warehouse.export import FORMATS
    from warehouse.export import export as write_export
    from warehouse.queries import open_reader

    if fmt not in FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}")
    start = _date_option("--since", since)
    settings = load_settings(config, db_path=db)
    with open_reader(settings.db_path) as con:
        written = write_export(con, output_dir, fmt, start)
    for item in written:
        typer.echo(f"{item.table:17} {item.rows:7} rows  {item.path}")


@app.command()
def report(
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")] = Path("report.html"),
    days: Annotated[int, typer.Option(min=1, help="Days covered, up to --until.")] = 30,
    until: Annotated[
        str | None, typer.Option(help="Last day covered (YYYY-MM-DD); default: the newest article's.")
    ] = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Write a self-contained HTML report: top countries and weapons over time, co-mentions, people."""
    from pipeline.settings import load_settings
    from warehouse.queries import open_reader
    from warehouse.report import gather, render

    end = _date_option("--until", until)
    settings = load_settings(config, db_path=db)
    with open_reader(settings.db_path) as con:
        data = gather(con, days, end)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(data), encoding="utf-8")
    typer.echo(f"wrote {output} ({data.start} to {data.end}, {data.totals['articles']} articles)")


def _print_rows(columns: list[str], rows: list[tuple[object, ...]], output: str) -> None:
    import csv
    import sys

    from rich.console import Console
    from rich.table import Table

    if output == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif output == "json":
        typer.echo(json.dumps([dict(zip(columns, r, strict=True)) for r in rows], default=str))
    else:
        table = Table(*columns)
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        Console().print(table)


@app.command()
def extract(
    inputs: Annotated[list[Path], typer.Argument(help="JSONL lines {id, text}, or .txt files.")],
    output: Annotated[
        str, typer.Option("-o", "--output", help="JSONL file to write; - for standard output.")
    ],
    config: ConfigOption = None,
    events: Annotated[
        bool, typer.Option("--events", help="Also write each document's weapon events (EVENTS.md).")
    ] = False,
) -> None:
    """Find people, countries and weapons in texts; writes the scorer's JSONL format.

    A line or file that cannot be read is named on standard error and skipped (exit status 2 at
    the end); the output file is replaced only once complete, so a failed run never leaves a
    half-written one in place of a good one.
    """
    from pipeline.entities import Extractor
    from pipeline.forks import PartFailed, in_chunks
    from pipeline.settings import load_settings

    for path in inputs:
        if not path.is_file():
            raise typer.BadParameter(f"{path}: no such file")
    settings = load_settings(config)
    extractor = Extractor.from_settings(settings)
    skipped: list[str] = []

    def lines(part: Sequence[tuple[str, str]]) -> list[str]:
        results = extractor.analyse(part) if events else ((i, m, []) for i, m in extractor.extract(part))
        return [_extracted_line(doc_id, mentions, found, events) for doc_id, mentions, found in results]

    processes = settings.nlp_processes
    with _output(output) as out:
        count = 0
        texts = _read_texts(inputs, skipped)
        try:
            for part in in_chunks(
                lines, texts, processes, settings.nlp_timeout_seconds, settings.batch_size * processes
            ):
                out.writelines(part)
                count += len(part)
        except PartFailed as exc:
            typer.echo(f"newsint: extraction failed, nothing written: {exc}", err=True)
            raise typer.Exit(2) from None
    typer.echo(f"wrote {count} documents to {output if output != '-' else 'standard output'}", err=True)
    if skipped:
        typer.echo(f"newsint: {len(skipped)} inputs skipped", err=True)
        raise typer.Exit(2)


def _extracted_line(doc_id: str, mentions: Sequence[Mention], found: Sequence[Event], events: bool) -> str:
    """One document in the scorer's JSONL format."""
    record: dict[str, object] = {"id": doc_id, "entities": [m.as_json() for m in mentions]}
    if events:
        record["events"] = [e.as_json() for e in found]
    return json.dumps(record, ensure_ascii=False) + "\n"


@app.command("eval")
def evaluate(
    shared: Annotated[Path, typer.Option(help="The shared folder with benchmarks/ and eval/.")] = (
        REPO_ROOT.parent / "shared"
    ),
    only: Annotated[
        str | None,
        typer.Option(
            help="Score only these sets, comma-separated: guidelines, re3d, conll. "
            "The report is then written only when -o names it."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", help="Markdown report to write [default: docs/accuracy.md].")
    ] = None,
    errors: Annotated[Path, typer.Option(help="Where the guidelines set's remaining errors go.")] = (
        REPO_ROOT / "data" / "accuracy-errors.md"
    ),
    config: ConfigOption = None,
    events: Annotated[
        Path | None,
        typer.Option(
            "--events", help="Score weapon events against this gold file (EVENTS.md layout) instead."
        ),
    ] = None,
    predictions: Annotated[
        Path | None,
        typer.Option(help="With --events: score this predictions file instead of running the model."),
    ] = None,
) -> None:
    """Score extraction with the shared scorer beside the plain reference: the guidelines set
    against its targets, then re3d test and CoNLL++ for reference; list the guidelines errors.
    With --events, score weapon events against a gold file instead."""
    from pipeline import evaluation
    from pipeline.entities import Extractor
    from pipeline.settings import load_settings

    if events is not None:
        _evaluate_events(events, predictions, config)
        return
    if predictions is not None:
        raise typer.BadParameter("--predictions goes with --events", param_hint="--predictions")

    try:
        chosen = evaluation.select(evaluation.benchmarks(shared), only)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--only") from None
    if output is None and only is None:
        output = REPO_ROOT / "docs" / "accuracy.md"
    scorer_path = shared / "eval" / "score.py"
    if not scorer_path.exists():
        raise typer.BadParameter(f"{scorer_path} not found: pass --shared with the shared folder")
    scorer = evaluation.load_scorer(scorer_path)
    settings = load_settings(config)
    extractor = Extractor.from_settings(settings)
    results, sections = [], []
    for bench in chosen:
        if not bench.gold.exists():
            typer.echo(f"skipping {bench.name}: {bench.gold} not found", err=True)
            continue
        scored = evaluation.run(bench, extractor, scorer, settings.spacy_model)
        results.append(scored)
        sections.append(evaluation.section(scorer, scored))
        typer.echo(sections[-1])
        if bench.list_errors:
            found = evaluation.find_errors(scored.docs, scored.predictions, bench.labels, scorer.norm_key)
            page = evaluation.errors_markdown(bench.name, found, bench.labels, scorer.norm_key)
            errors.parent.mkdir(parents=True, exist_ok=True)
            errors.write_text(page, encoding="utf-8")
            typer.echo(f"wrote {len(found)} remaining errors of {bench.name} to {errors}", err=True)
    summary = evaluation.summary_table(results)
    typer.echo(summary)
    if output is None:
        typer.echo("report not written: --only scores a subset (pass -o to write it)", err=True)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "# Extraction accuracy\n\n"
        "Written by `newsint eval` (`make eval`): the shared scorer `../shared/eval/score.py` on the\n"
        "benchmark files under `../shared/benchmarks/`. The project is judged on re3d dev annotated\n"
        "to `../shared/GUIDELINES.md` (`re3d/dev.guidelines.jsonl`); re3d test and CoNLL++ follow\n"
        "their own conventions and are reference figures. The reference is spaCy's small model out\n"
        "of the box (PERSON; GPE/NORP that pycountry names; PRODUCT as WEAPON). Pipeline version\n"
        f"`{extractor.version}` on `{settings.spacy_model}`.\n\n"
        "F1 overlap / per-article (doc) against the targets:\n\n"
    )
    output.write_text(header + summary + "\n" + "\n".join(sections), encoding="utf-8")
    typer.echo(f"wrote {output}", err=True)


def _evaluate_events(gold_path: Path, predictions: Path | None, config: Path | None) -> None:
    """Precision, recall and F1 of events per type, and agreement on the matched ones."""
    from pipeline.events.score import report, score

    gold = _events_file(gold_path, "--events")
    if predictions is not None:
        predicted = _events_file(predictions, "--predictions")
    else:
        from pipeline.entities import Extractor
        from pipeline.events.score import parse_document
        from pipeline.settings import load_settings

        missing = [doc.id for doc in gold.values() if doc.text is None]
        if missing:
            raise typer.BadParameter(f"{gold_path}: no text for id {missing[0]!r}", param_hint="--events")
        extractor = Extractor.from_settings(load_settings(config))
        texts = [(doc.id, doc.text or "") for doc in gold.values()]
        predicted: dict[str, Document] = {
            doc_id: parse_document({"id": doc_id, "events": [e.as_json() for e in found]})
            for doc_id, _, found in extractor.analyse(texts)
        }
    typer.echo(report(score(gold, predicted)))


def _events_file(path: Path, option: str) -> dict[str, Document]:
    from pipeline.events.score import read_events

    if not path.is_file():
        raise typer.BadParameter(f"{path}: no such file", param_hint=option)
    try:
        return read_events(path)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from None


@contextmanager
def _output(target: str) -> Iterator[TextIO]:
    """Standard output for '-', else a temporary file beside the target, renamed over it at the end."""
    if target == "-":
        yield sys.stdout
        return
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = {"dir": path.parent, "prefix": f".{path.name}.", "suffix": ".tmp", "delete": False}
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", **temporary) as handle:  # type: ignore[call-overload]
        try:
            yield handle
            handle.flush()
            os.replace(handle.name, path)
        finally:
            Path(handle.name).unlink(missing_ok=True)


def _read_texts(paths: list[Path], skipped: list[str]) -> Iterator[tuple[str, str]]:
    """(id, text) of each JSONL line or text file; what cannot be read is told and skipped."""
    for path in paths:
        if path.suffix != ".jsonl":
            try:
                yield path.stem, path.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                _skip(skipped, f"{path}: not UTF-8 text (byte {exc.start})")
            continue
        with path.open(encoding="utf-8", errors="replace") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    yield str(record["id"]), str(record["text"])
                except (json.JSONDecodeError, KeyError, TypeError):
                    _skip(skipped, f"{path}:{number}: not a JSON {{id, text}} line")


def _skip(skipped: list[str], why: str) -> None:
    skipped.append(why)
    typer.echo(f"newsint: skipped {why}", err=True)


def _date_option(option: str, value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise typer.BadParameter(f"{option} {value!r} is not a date (YYYY-MM-DD)") from exc
