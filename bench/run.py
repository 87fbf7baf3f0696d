"""newsint's performance benchmark: one command, one machine, figures into docs/benchmarks.md.

    .venv/bin/python -m bench.run [--long 20000] [--short 1000] [--skip-long] [--skip-queries]

1. serves the 181 benchmark pages (../shared) and feeds listing them from 127.0.0.1;
2. measures the bare limit: trafilatura over the pages + nlp.pipe over their texts with the
   pipeline and process count newsint uses;
3. runs `newsint run` end to end over those feeds into a fresh DuckDB; 4. runs it again;
5. loads 1,000,000 synthetic mentions through the warehouse loader;
6. records peak RSS of `newsint run` over --short and --long articles (pages cycled);
7. times every named query on a synthetic warehouse of 1M articles and 20M mentions.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import trafilatura

from bench.corpus import article_paths, feed_xml, load_pages
from bench.server import StaticServer
from bench.synthetic import build_warehouse, synthetic_mentions
from pipeline import REPO_ROOT
from pipeline.nlp.build import load_pipeline
from pipeline.settings import load_settings

NEWSINT = str(Path(sys.executable).parent / "newsint")
FEEDS = 4


def bare_limit(pages: dict[str, bytes], model: str, batch_size: int, processes: int) -> dict[str, float]:
    """What the libraries alone do on this machine: extraction, then the same NLP pipeline."""
    started = time.perf_counter()
    texts = []
    for html in pages.values():
        doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
        texts.append(doc.text if doc is not None and doc.text else "")
    extract_s = time.perf_counter() - started
    nlp, _ = load_pipeline(model)
    started = time.perf_counter()
    with nlp.memory_zone():
        for _ in nlp.pipe(texts, batch_size=batch_size, n_process=processes):
            pass
    nlp_s = time.perf_counter() - started
    words = sum(len(t.split()) for t in texts)
    return {
        "pages": len(pages),
        "words": words,
        "extract_s": extract_s,
        "nlp_s": nlp_s,
        "pages_per_s_extract": len(pages) / extract_s,
        "words_per_s_nlp": words / nlp_s,
        "articles_per_s": len(pages) / (extract_s + nlp_s),
    }


def serve_corpus(pages: dict[str, bytes], count: int) -> tuple[StaticServer, list[str]]:
    """A server for `count` articles (cycled pages) in FEEDS feeds; returns it and the feed paths."""
    paths = article_paths(sorted(pages), count)
    by_path = {path.split("?")[0] for path, _ in paths}
    feeds: dict[str, list[str]] = {f"/feeds/bench-{n}.xml": [] for n in range(FEEDS)}
    for n, (path, _) in enumerate(paths):
        feeds[f"/feeds/bench-{n % FEEDS}.xml"].append(path)
    holder: dict[str, str] = {}

    def lookup(path: str) -> tuple[str, bytes] | None:
        if path in feeds:
            return "application/rss+xml", feed_xml(path, holder["base"], feeds[path])
        plain = path.split("?")[0]
        if plain in by_path:
            return "text/html; charset=utf-8", pages[plain.removeprefix("/articles/").removesuffix(".html")]
        return None

    server = StaticServer(lookup)
    holder["base"] = server.url
    return server, list(feeds)


def run_newsint(config: Path, db: Path) -> tuple[float, int, str]:
    """Seconds, peak RSS (bytes, the newsint process itself) and output of one `newsint run`."""
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "ERROR"}
    started = time.perf_counter()
    process = subprocess.Popen(
        [NEWSINT, "run", "--config", str(config), "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    peak = _watch_rss(process.pid)
    output, _ = process.communicate()
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"newsint run failed ({process.returncode}):\n{output[-3000:]}")
    return elapsed, peak(), output


def _watch_rss(pid: int) -> Callable[[], int]:
    """Poll /proc for the process's resident set size; the returned call gives the peak."""
    peak = [0]

    def poll() -> None:
        status = Path(f"/proc/{pid}/status")
        while True:
            try:
                for line in status.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak[0] = max(peak[0], int(line.split()[1]) * 1024)
            except (OSError, ValueError):
                return
            time.sleep(0.2)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    return lambda: (thread.join(timeout=1), peak[0])[1]


def write_config(folder: Path, server: StaticServer, feeds: list[str], batch_size: int) -> Path:
    sources = "".join(
        f'[[sources]]\nname = "bench {n}"\nurl = "{server.url}{path}"\n\n' for n, path in enumerate(feeds)
    )
    config = folder / "bench.toml"
    config.write_text(
        f'batch_size = {batch_size}\nallow_hosts = ["127.0.0.1"]\nmax_attempts = 1\n\n{sources}',
        encoding="utf-8",
    )
    return config


def end_to_end(pages: dict[str, bytes], count: int, batch_size: int, work: Path) -> dict[str, Any]:
    server, feeds = serve_corpus(pages, count)
    with server:
        folder = Path(tempfile.mkdtemp(dir=work))
        config, db = write_config(folder, server, feeds, batch_size), folder / "bench.duckdb"
        first_s, first_rss, output = run_newsint(config, db)
        again_s, _, _ = run_newsint(config, db)
    return {
        "articles": count,
        "first_s": first_s,
        "rerun_s": again_s,
        "peak_rss": first_rss,
        "summary": next((line for line in output.splitlines() if line.startswith("Run ")), ""),
    }


def load_rate(rows: int, work: Path) -> dict[str, float]:
    """Rows per second through `warehouse.load.load_batch`, building the rows included."""
    from warehouse.db import open_warehouse
    from warehouse.load import load_batch

    articles, mentions = synthetic_mentions(rows)
    with open_warehouse(Path(tempfile.mkdtemp(dir=work)) / "load.duckdb") as con:
        started = time.perf_counter()
        load_batch(con, "bench", "bench", articles, mentions, [])
        elapsed = time.perf_counter() - started
    return {"rows": rows, "seconds": elapsed, "rows_per_s": rows / elapsed}


def query_times(work: Path, articles: int, mentions: int) -> dict[str, float]:
    from warehouse.db import connect
    from warehouse.queries import named_queries, run_named

    db = Path(tempfile.mkdtemp(dir=work)) / "large.duckdb"
    build_warehouse(db, articles, mentions)
    params = {
        "country": "UKR",
        "weapon": "drone",
        "norm": "USA",
        "person": "Person 1",
        "text": "USA",
        "entity": "USA",
        "name": "USA",
    }
    times = {}
    with connect(db, read_only=True) as con:
        for name, query in named_queries().items():
            given = {p.name: params[p.name] for p in query.params if p.default is None and p.name in params}
            started = time.perf_counter()
            run_named(con, name, given)
            times[name] = time.perf_counter() - started
    return times


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return f"{cpu}, {os.cpu_count()} cores, {memory / 2**20:.0f} GiB, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--short", type=int, default=1000, help="articles in the shorter RSS run")
    parser.add_argument("--long", type=int, default=20000, help="articles in the long RSS run")
    parser.add_argument("--skip-long", action="store_true", help="skip the RSS runs (they take long)")
    parser.add_argument("--skip-queries", action="store_true", help="skip the 20M-mention query test")
    parser.add_argument("--load-rows", type=int, default=1_000_000)
    parser.add_argument("-o", "--output", type=Path, default=REPO_ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)

    from bench.report import write_report

    settings = load_settings()
    pages = load_pages()
    results: dict[str, Any] = {
        "machine": machine(),
        "model": settings.spacy_model,
        "batch_size": settings.batch_size,
        "processes": settings.nlp_processes,
    }
    with tempfile.TemporaryDirectory(prefix="newsint-bench-") as tmp:
        work = Path(tmp)
        results["bare"] = bare_limit(pages, settings.spacy_model, settings.batch_size, settings.nlp_processes)
        print("bare limit:", _fmt(results["bare"]), flush=True)
        results["e2e"] = end_to_end(pages, len(pages), settings.batch_size, work)
        print("end to end:", _fmt(results["e2e"]), flush=True)
        results["load"] = load_rate(args.load_rows, work)
        print("warehouse load:", _fmt(results["load"]), flush=True)
        if not args.skip_long:
            results["rss"] = {
                n: end_to_end(pages, n, settings.batch_size, work)["peak_rss"]
                for n in (args.short, args.long)
            }
            print("peak RSS:", results["rss"], flush=True)
        if not args.skip_queries:
            results["queries"] = query_times(work, 1_000_000, 20_000_000)
            print("queries:", _fmt(results["queries"]), flush=True)
    write_report(args.output, results)
    print(f"wrote {args.output}")


def _fmt(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items())


if __name__ == "__main__":
    main()
