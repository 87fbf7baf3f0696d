"""docs/benchmarks.md from the benchmark's figures, each target marked met or missed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.capacity import capacity_lines, rewrite
from pipeline import REPO_ROOT

ANALYSIS = REPO_ROOT / "bench" / "analysis.md"
SCALING = REPO_ROOT / "docs" / "scaling.md"


RERUN_LIMIT_S = 2.5


def targets(r: dict[str, Any]) -> list[tuple[str, str, str, bool | None, str]]:
    """(key, target, measured, met, where measured) for every target whose figures exist; a
    figure with no threshold of its own (the Dask scale-out) has met None."""
    rows: list[tuple[str, str, str, bool | None, str]] = []
    bare, e2e, plain = r.get("bare"), r.get("e2e"), r.get("plain")
    rate = e2e["articles"] / e2e["first_s"] if e2e else 0.0
    if bare and e2e:
        ratio = rate / bare["articles_per_s"]
        rows.append(
            (
                "e2e",
                f"End to end ≥ 0.80 × the bare limit on all {bare.get('cores', '?')} cores",
                f"{ratio:.2f} × ({rate:.2f} vs {bare['articles_per_s']:.2f} articles/s)",
                ratio >= 0.80,
                _stamp(e2e),
            )
        )
    if plain and e2e:
        plain_rate = plain["articles"] / plain["seconds"]
        ratio = rate / plain_rate
        rows.append(
            (
                "plain",
                "End to end ≥ 1.3 × the plain script (`bench/plain.py`)",
                f"{ratio:.2f} × ({rate:.2f} vs {plain_rate:.2f} articles/s)",
                ratio >= 1.3,
                _stamp(plain),
            )
        )
    if nlp := r.get("nlp"):
        rows.append(
            (
                "nlp",
                "NLP ≥ 5,000 words/s per core (CPU time, one process, with newsint's conversion)",
                f"{nlp['words_per_cpu_s']:,.0f} words/s "
                f"({nlp['words']:,} words in {nlp['cpu_total_s']:.1f} CPU s)",
                nlp["words_per_cpu_s"] >= 5_000,
                _stamp(nlp),
            )
        )
    if e2e:
        rows.append(
            (
                "rerun",
                f"Re-run with nothing new ≤ {RERUN_LIMIT_S} s (a Prefect server running)",
                f"{e2e['rerun_s']:.2f} s",
                e2e["rerun_s"] <= RERUN_LIMIT_S,
                _stamp(e2e),
            )
        )
    if dask := r.get("dask"):
        dask_rate = dask["articles"] / dask["seconds"]
        versus = f", {dask_rate / rate:.2f} × in-process" if e2e else ""
        rows.append(
            (
                "dask",
                f"Scale-out: NLP on a Dask scheduler + {dask['workers']} workers started apart",
                f"{dask_rate:.2f} articles/s ({dask['seconds']:.1f} s{versus})",
                None,
                _stamp(dask),
            )
        )
    if load := r.get("load"):
        rows.append(
            (
                "load",
                "Warehouse load ≥ 500,000 mention rows/s",
                f"{load['rows_per_s']:,.0f} rows/s ({load['rows']:,} rows in {load['seconds']:.2f} s)",
                load["rows_per_s"] >= 500_000,
                _stamp(load),
            )
        )
    if rss := r.get("rss"):
        (short, a), (long, b) = sorted((int(k), v) for k, v in rss.items() if k.isdigit())
        rows.append(
            (
                "rss",
                f"Peak RSS at {long:,} articles ≤ 1.2 × at {short:,}",
                f"{b / 2**20:,.0f} MiB vs {a / 2**20:,.0f} MiB ({b / a:.2f} ×)",
                b <= 1.2 * a,
                _stamp(rss),
            )
        )
    if queries := r.get("queries"):
        times = _query_times(queries)
        slowest = max(times, key=lambda name: times[name])
        rows.append(
            (
                "queries",
                "Named queries < 1 s on 1M articles / 20M mentions",
                f"slowest {times[slowest]:.3f} s ({slowest})",
                times[slowest] < 1.0,
                _stamp(queries),
            )
        )
    return rows


def missed_targets(r: dict[str, Any]) -> set[str]:
    return {key for key, _, _, met, _ in targets(r) if met is False}


def write_report(path: Path, r: dict[str, Any]) -> None:
    settings = r.get("settings", {})
    lines = [
        "# Benchmarks",
        "",
        "Written by `.venv/bin/python -m bench.run` (`make bench`) from `docs/benchmarks.json`; each",
        "figure carries the day and commit it was measured at (`+changes`: uncommitted edits on top).",
        f"spaCy model `{settings.get('model')}`, batch size {settings.get('batch_size')}, "
        f"{settings.get('processes')} NLP process(es). Runs go to a long-lived local Prefect server,",
        "as scheduled runs do (`make ui` / `newsint serve`).",
        "",
        "| target | measured | | measured at |",
        "| --- | --- | --- | --- |",
        *(f"| {name} | {value} | {_verdict(ok)} | {stamp} |" for _, name, value, ok, stamp in targets(r)),
    ]
    steps = [step for step in r.values() if isinstance(step, dict)]
    machines = sorted({step["machine"] for step in steps if "machine" in step})
    lines += ["", *(f"Machine: {m}." for m in machines)]
    if bare := r.get("bare"):
        cores = bare.get("cores", "?")
        lines += [
            "",
            f"## Bare limit on all cores (the libraries alone, {cores} processes each)",
            "",
            f"- trafilatura with metadata, a pool of {cores} processes: {bare['pages']} pages in "
            f"{bare['extract_s']:.1f} s ({bare['pages_per_s_extract']:.1f} pages/s)",
            f"- spaCy `nlp.pipe` with newsint's pipeline, `n_process={cores}`: {bare['words']:,} words "
            f"in {bare['nlp_s']:.1f} s ({bare['words_per_s_nlp']:,.0f} words/s)",
        ]
        if "together_s" in bare:
            lines.append(
                f"- both at once (the pool's texts streamed into `nlp.pipe`): {bare['together_s']:.1f} s; "
                f"one after the other: {bare['extract_s'] + bare['nlp_s']:.1f} s"
            )
        lines.append(f"- the limit, the faster of the two: {bare['articles_per_s']:.2f} articles/s")
    if nlp := r.get("nlp"):
        total = nlp["cpu_total_s"]
        lines += [
            "",
            "## What each NLP component costs (CPU seconds, one process, the benchmark pages)",
            "",
            "| component | CPU s | share |",
            "| --- | ---: | ---: |",
            *(f"| {name} | {sec:.2f} | {sec / total:.0%} |" for name, sec in nlp["cpu_s"]),
            f"| total | {total:.2f} | {nlp['words_per_cpu_s']:,.0f} words/s |",
            "",
            f"Extracting the pages' texts with trafilatura, beside it: {nlp['extract_cpu_s']:.2f} CPU s.",
            "",
            f"Shipping an article's text to another process and its mention and event tables back "
            f"(pickled both ways, as a Dask worker's inputs and results are): "
            f"{nlp['ship_ms_per_article']:.2f} ms and {nlp['ship_bytes_per_article'] / 1024:.1f} KiB "
            "per article.",
        ]
    if e2e := r.get("e2e"):
        lines += [
            "",
            "## End to end (`newsint run` over 4 feeds on 127.0.0.1, fresh DuckDB)",
            "",
            f"- first run: {e2e['articles']} articles in {e2e['first_s']:.1f} s "
            f"({e2e['articles'] / e2e['first_s']:.2f} articles/s, including process start and model load)",
            f"- second run, nothing changed: {e2e['rerun_s']:.2f} s",
        ]
        if "rerun_cold_s" in e2e:
            lines.append(
                f"- the same second run with no Prefect server to talk to (the command starts a "
                f"temporary one): {e2e['rerun_cold_s']:.2f} s"
            )
        lines.append(f"- `{e2e['summary']}`")
    if plain := r.get("plain"):
        lines += [
            "",
            "## The plain script (`bench/plain.py`, what a user would write instead)",
            "",
            "feedparser, requests one page after another, `trafilatura.extract`, the same spaCy model's",
            "`nlp.pipe` at its defaults (one process), pycountry for GPE entities, DuckDB `executemany`;",
            "no normalisation, evidence, idempotent loads or orchestration.",
            "",
            f"- {plain['articles']} articles in {plain['seconds']:.1f} s "
            f"({plain['articles'] / plain['seconds']:.2f} articles/s, process start and model load included)",
            f"- `{plain['summary']}`",
        ]
    if dask := r.get("dask"):
        lines += [
            "",
            f"## Scale-out: `dask scheduler` and {dask['workers']} `dask worker` processes "
            "(`--nworkers 1 --nthreads 1`)",
            "",
            f"- started before the run, as on other machines; `newsint run` with `NEWSINT_NLP_CLUSTER` "
            f"pointing at the scheduler: {dask['articles']} articles in {dask['seconds']:.1f} s "
            f"({dask['articles'] / dask['seconds']:.2f} articles/s)",
            f"- `{dask['summary']}`",
        ]
        if e2e := r.get("e2e"):
            extra = (dask["seconds"] - e2e["first_s"]) / dask["articles"]
            lines.append(
                f"- against the same run in one process: {1000 * extra:+.0f} ms per article "
                "(on one machine the workers share its cores with the flow)"
            )
    if rss := r.get("rss"):
        title = "## Peak memory of `newsint run` and its NLP processes (proportional set size, pages cycled)"
        lines += ["", title, ""]
        lines += [
            f"- {int(n):,} articles: {v / 2**20:,.0f} MiB" for n, v in sorted(rss.items()) if n.isdigit()
        ]
    if load := r.get("load"):
        lines += [
            "",
            "## Warehouse load",
            "",
            f"- `warehouse.load.load_batch`: {load['rows']:,} mention rows in {load['seconds']:.2f} s "
            f"({load['rows_per_s']:,.0f} rows/s), from the Arrow table the NLP stage hands it, with "
            "their entities and per-article summaries, in one transaction",
        ]
        if table_s := load.get("table_seconds"):
            lines.append(
                f"- building that table from {load['rows']:,} `Mention` objects: {table_s:.2f} s. The NLP "
                "stage does this for each batch, on a Dask worker when there is one; it is in the "
                "end-to-end figure and not in the load rate. Both together: "
                f"{load['rows'] / (load['seconds'] + table_s):,.0f} rows/s"
            )
    if queries := r.get("queries"):
        lines += [
            "",
            "## Named queries on 1,000,000 articles and 20,000,000 mentions",
            "",
            "| query | seconds |",
            "| --- | ---: |",
            *(f"| {name} | {t:.3f} |" for name, t in sorted(_query_times(queries).items())),
        ]
    if ANALYSIS.exists():
        lines += ["", ANALYSIS.read_text(encoding="utf-8").strip()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if path.resolve() == (REPO_ROOT / "docs" / "benchmarks.md").resolve():
        rewrite(SCALING, capacity_lines(r))


STAMP_KEYS = ("measured", "commit", "machine")


def _query_times(queries: dict[str, Any]) -> dict[str, float]:
    return {k: v for k, v in queries.items() if k not in STAMP_KEYS and isinstance(v, int | float)}


def _verdict(met: bool | None) -> str:
    return "measured" if met is None else "met" if met else "**missed**"


def _stamp(step: dict[str, Any]) -> str:
    return f"{step.get('measured', '?')}, `{step.get('commit', '?')}`"
