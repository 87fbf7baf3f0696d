"""The capacity plan of docs/scaling.md, worked out from the benchmark's own figures.

`make bench` rewrites the part of docs/scaling.md between the two markers below, so the plan
follows what was last measured instead of numbers copied by hand.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

BEGIN = "<!-- capacity: written by make bench from docs/benchmarks.json -->"
END = "<!-- /capacity -->"
PER_DAY = 1_000_000
PEAK = 3  # news is bursty: plan for three times the day's average rate


def capacity_lines(r: dict[str, Any]) -> list[str]:
    """The plan for PER_DAY articles, or a line saying which figures it still needs."""
    # Per-core rates are CPU seconds in one process: steadier than wall time on a shared machine.
    nlp, load = r.get("nlp"), r.get("load")
    if not (nlp and load):
        return ["Run `make bench` (steps nlp and load) to work out this section."]
    words = nlp["words"] / nlp["pages"]
    nlp_rate = nlp["words_per_cpu_s"] / words  # articles per CPU second, parse and conversion
    extract_rate = nlp["pages"] / nlp["extract_cpu_s"]  # pages per CPU second
    cpu_per_article = 1 / nlp_rate + 1 / extract_rate
    peak = PEAK * PER_DAY / 86_400
    cores = peak * cpu_per_article
    mentions = nlp.get("mentions", 0) / nlp["pages"]
    writer = load["rows_per_s"] / mentions if mentions else math.inf  # articles/s one writer loads
    lines = [
        f"- An article of the benchmark has {words:,.0f} words and {mentions:.0f} mentions. One core "
        f"parses and converts {nlp_rate:.1f} articles/s and extracts {extract_rate:.1f} pages/s: "
        f"{1000 * cpu_per_article:.0f} CPU ms per article.",
        f"- {PER_DAY:,} articles a day is {PER_DAY / 86_400:.1f} articles/s on average; at {PEAK}× "
        f"that at peak ({peak:.1f} articles/s) it takes {cores:.1f} cores: "
        f"**{math.ceil(cores)} single-threaded Dask workers** (or processes), "
        f"{math.ceil(cores / 2)} machines of 2 cores, before any headroom.",
        f"- Shipping texts out and tables back costs {nlp['ship_ms_per_article']:.2f} CPU ms and "
        f"{nlp['ship_bytes_per_article'] / 1024:.1f} KiB per article: "
        f"{peak * nlp['ship_bytes_per_article'] / 2**20:.2f} MiB/s at peak, "
        f"{nlp['ship_ms_per_article'] / (1000 * cpu_per_article):.1%} of the work it moves.",
    ]
    if math.isfinite(writer):
        lines.append(
            f"- One DuckDB writer loads {load['rows_per_s']:,.0f} mention rows/s, {writer:,.0f} articles/s "
            f"({writer * 86_400 / 1e6:,.0f} M articles a day): the peak above uses {peak / writer:.1%} "
            f"of it. The single writer stops being enough near {writer * 86_400 / PEAK / 2 / 1e6:,.0f} M "
            "articles a day (half its rate at a 3× peak), or sooner when readers must share the file."
        )
    if dask := r.get("dask"):
        lines.append(
            f"- Measured: a scheduler and {dask['workers']} workers started apart took the "
            f"{dask['articles']} pages in {dask['seconds']:.1f} s "
            f"({dask['articles'] / dask['seconds']:.2f} articles/s) on the benchmark machine."
        )
    return lines


def rewrite(doc: Path, lines: list[str]) -> None:
    """Put `lines` between the markers of `doc`; a doc without markers is left alone."""
    if not doc.exists():
        return
    text = doc.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        return
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    doc.write_text(head + BEGIN + "\n" + "\n".join(lines) + "\n" + END + tail, encoding="utf-8")
