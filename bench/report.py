"""docs/benchmarks.md from the benchmark's figures, each target marked met or missed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def write_report(path: Path, r: dict[str, Any]) -> None:
    bare, e2e, load = r["bare"], r["e2e"], r["load"]
    e2e_rate = e2e["articles"] / e2e["first_s"]
    ratio = e2e_rate / bare["articles_per_s"]
    rerun = e2e["rerun_s"] / e2e["first_s"]
    rows = [
        (
            "End-to-end throughput ≥ 0.80 × bare limit",
            f"{ratio:.2f} × ({e2e_rate:.1f} vs {bare['articles_per_s']:.1f} articles/s)",
            ratio >= 0.80,
        ),
        (
            "Re-run with nothing new ≤ 5% of first run",
            f"{rerun:.1%} ({e2e['rerun_s']:.1f} s vs {e2e['first_s']:.1f} s)",
            rerun <= 0.05,
        ),
        (
            "Warehouse load ≥ 500,000 mention rows/s",
            f"{load['rows_per_s']:,.0f} rows/s ({load['rows']:,} rows in {load['seconds']:.2f} s)",
            load["rows_per_s"] >= 500_000,
        ),
    ]
    if "rss" in r:
        (short, a), (long, b) = sorted(r["rss"].items())
        rows.append(
            (
                f"Peak RSS at {long:,} articles ≤ 1.2 × at {short:,}",
                f"{b / 2**20:.0f} MiB vs {a / 2**20:.0f} MiB ({b / a:.2f} ×)",
                b <= 1.2 * a,
            )
        )
    if "queries" in r:
        slowest = max(r["queries"].values())
        rows.append(
            ("Named queries < 1 s on 1M articles / 20M mentions", f"slowest {slowest:.2f} s", slowest < 1.0)
        )
    lines = [
        "# Benchmarks",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} by `.venv/bin/python -m bench.run` (`make bench`) on "
        f"{r['machine']}; spaCy model `{r['model']}`, batch size {r['batch_size']}, "
        f"{r['processes']} NLP process(es).",
        "",
        "| target | measured | |",
        "| --- | --- | --- |",
        *(f"| {name} | {value} | {'met' if ok else '**missed**'} |" for name, value, ok in rows),
        "",
        "## Bare limit (the libraries alone, same pipeline)",
        "",
        f"- trafilatura with metadata: {bare['pages']} pages in {bare['extract_s']:.1f} s "
        f"({bare['pages_per_s_extract']:.1f} pages/s)",
        f"- spaCy `nlp.pipe` with newsint's pipeline: {bare['words']:,} words in {bare['nlp_s']:.1f} s "
        f"({bare['words_per_s_nlp']:,.0f} words/s)",
        f"- together: {bare['articles_per_s']:.2f} articles/s",
        "",
        "## End to end (`newsint run` over 4 feeds on 127.0.0.1, fresh DuckDB)",
        "",
        f"- first run: {e2e['articles']} articles in {e2e['first_s']:.1f} s ({e2e_rate:.2f} articles/s, "
        "including process start, model load and Prefect's temporary server)",
        f"- second run, nothing changed: {e2e['rerun_s']:.1f} s",
        f"- `{e2e['summary']}`",
    ]
    if "queries" in r:
        lines += [
            "",
            "## Named queries on 1,000,000 articles and 20,000,000 mentions",
            "",
            "| query | seconds |",
            "| --- | ---: |",
            *(f"| {name} | {t:.3f} |" for name, t in sorted(r["queries"].items())),
        ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
