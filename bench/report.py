"""docs/benchmarks.md from the benchmark's figures, each target marked met or missed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline import REPO_ROOT

ANALYSIS = REPO_ROOT / "bench" / "analysis.md"


def targets(r: dict[str, Any]) -> list[tuple[str, str, str, bool, str]]:
    """(key, target, measured, met, where measured) for every target whose figures exist."""
    rows = []
    bare, e2e = r.get("bare"), r.get("e2e")
    if bare and e2e:
        rate = e2e["articles"] / e2e["first_s"]
        ratio = rate / bare["articles_per_s"]
        rows.append(
            (
                "e2e",
                "End-to-end throughput ≥ 0.80 × bare limit",
                f"{ratio:.2f} × ({rate:.2f} vs {bare['articles_per_s']:.2f} articles/s)",
                ratio >= 0.80,
                _stamp(e2e),
            )
        )
    if e2e:
        share = e2e["rerun_s"] / e2e["first_s"]
        rows.append(
            (
                "rerun",
                "Re-run with nothing new ≤ 5% of first run",
                f"{share:.1%} ({e2e['rerun_s']:.2f} s vs {e2e['first_s']:.1f} s)",
                share <= 0.05,
                _stamp(e2e),
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
    return {key for key, _, _, met, _ in targets(r) if not met}


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
        *(
            f"| {name} | {value} | {'met' if ok else '**missed**'} | {stamp} |"
            for _, name, value, ok, stamp in targets(r)
        ),
    ]
    steps = [step for step in r.values() if isinstance(step, dict)]
    machines = sorted({step["machine"] for step in steps if "machine" in step})
    lines += ["", *(f"Machine: {m}." for m in machines)]
    if bare := r.get("bare"):
        lines += [
            "",
            "## Bare limit (the libraries alone, same pipeline)",
            "",
            f"- trafilatura with metadata: {bare['pages']} pages in {bare['extract_s']:.1f} s "
            f"({bare['pages_per_s_extract']:.1f} pages/s)",
            f"- spaCy `nlp.pipe` with newsint's pipeline: {bare['words']:,} words in {bare['nlp_s']:.1f} s "
            f"({bare['words_per_s_nlp']:,.0f} words/s)",
            f"- together: {bare['articles_per_s']:.2f} articles/s",
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
    if rss := r.get("rss"):
        lines += ["", "## Peak RSS of `newsint run` (pages cycled)", ""]
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


STAMP_KEYS = ("measured", "commit", "machine")


def _query_times(queries: dict[str, Any]) -> dict[str, float]:
    return {k: v for k, v in queries.items() if k not in STAMP_KEYS and isinstance(v, int | float)}


def _stamp(step: dict[str, Any]) -> str:
    return f"{step.get('measured', '?')}, `{step.get('commit', '?')}`"
