"""newsint's performance benchmark: one command, one machine, figures into docs/benchmarks.md.

    .venv/bin/python -m bench.run [--steps bare,e2e,load,rss,queries] [--short 1000] [--long 20000]

1. serves the 181 benchmark pages (../shared) and feeds listing them from 127.0.0.1;
2. `bare`: the bare limit, trafilatura over the pages + nlp.pipe over their texts with the
   pipeline and process count newsint uses;
3. `e2e`: `newsint run` end to end over those feeds into a fresh DuckDB; 4. runs it again;
5. `load`: 1,000,000 synthetic mentions through the warehouse loader;
6. `rss`: peak RSS of `newsint run` over --short and --long articles (pages cycled);
7. `queries`: every named query on a synthetic warehouse of 1M articles and 20M mentions.

Each step's figures go to docs/benchmarks.json with the date and commit they were measured at;
the Markdown is written from that file, so a long step can be re-run alone. A missed target
leaves a pyinstrument profile under docs/profiles/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import trafilatura
from pyinstrument import Profiler

from bench.corpus import article_paths, feed_xml, load_pages
from bench.orchestrator import prefect_server
from bench.server import StaticServer
from bench.synthetic import build_warehouse, synthetic_mentions
from pipeline import REPO_ROOT
from pipeline.nlp.build import load_pipeline
from pipeline.records import Mention
from pipeline.settings import load_settings

NEWSINT = str(Path(sys.executable).parent / "newsint")
PYINSTRUMENT = str(Path(sys.executable).parent / "pyinstrument")
PROFILES = REPO_ROOT / "docs" / "profiles"
PROFILE_NAMES = {"e2e": "end_to_end.txt", "rerun": "rerun.txt", "load": "load.txt"}
STEPS = ("bare", "e2e", "load", "rss", "queries")
FEEDS = 4


def bare_limit(
    pages: dict[str, bytes], model: str, models: Path, batch_size: int, processes: int
) -> dict[str, float]:
    """What the libraries alone do on this machine: extraction, then the same NLP pipeline."""
    started = time.perf_counter()
    texts = []
    for html in pages.values():
        doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
        texts.append(doc.text if doc is not None and doc.text else "")
    extract_s = time.perf_counter() - started
    nlp, _ = load_pipeline(model, models)
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


def run_newsint(
    config: Path, db: Path, api: str | None, profile: Path | None = None
) -> tuple[float, int, str]:
    """Seconds, peak RSS (bytes, the newsint process itself) and output of one `newsint run`.

    `api` is a Prefect server's URL; None leaves the command to start a temporary one. With
    `profile`, the run goes under pyinstrument and its text report is written there.
    """
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "ERROR"}
    env.pop("PREFECT_API_URL", None)
    if api:
        env["PREFECT_API_URL"] = api
    command = [NEWSINT, "run", "--config", str(config), "--db", str(db)]
    if profile:
        profile.parent.mkdir(parents=True, exist_ok=True)
        command = [PYINSTRUMENT, "--no-color", "-o", str(profile), *command]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
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


def end_to_end(
    pages: dict[str, bytes], count: int, batch_size: int, work: Path, api: str, cold_rerun: bool = False
) -> dict[str, Any]:
    """A first run over `count` articles, then a run with nothing changed, both against `api`."""
    server, feeds = serve_corpus(pages, count)
    with server:
        folder = Path(tempfile.mkdtemp(dir=work))
        config, db = write_config(folder, server, feeds, batch_size), folder / "bench.duckdb"
        first_s, first_rss, output = run_newsint(config, db, api)
        again_s, _, _ = run_newsint(config, db, api)
        result: dict[str, Any] = {
            "articles": count,
            "first_s": first_s,
            "rerun_s": again_s,
            "peak_rss": first_rss,
            "summary": next((line for line in output.splitlines() if line.startswith("Run ")), ""),
        }
        if cold_rerun:
            result["rerun_cold_s"] = run_newsint(config, db, None)[0]
    return result


def profile_runs(pages: dict[str, bytes], batch_size: int, work: Path, api: str, missed: set[str]) -> None:
    """pyinstrument reports of the end-to-end runs whose targets were missed."""
    server, feeds = serve_corpus(pages, len(pages))
    with server:
        folder = Path(tempfile.mkdtemp(dir=work))
        config, db = write_config(folder, server, feeds, batch_size), folder / "bench.duckdb"
        first = PROFILES / PROFILE_NAMES["e2e"] if "e2e" in missed else None
        run_newsint(config, db, api, first)
        if "rerun" in missed:
            run_newsint(config, db, api, PROFILES / PROFILE_NAMES["rerun"])


def load_rate(rows: int, work: Path, models: Path, profile: Path | None = None) -> dict[str, float]:
    """Rows per second through `warehouse.load.load_batch`, from the table the NLP stage hands it,
    keeping the per-article summaries (migration 0005). Building that table from Mention objects
    is the NLP stage's work (in the end-to-end figure): it is timed apart, as `table_seconds`.

    A first small batch pays the one-time costs of a loading process (pyarrow pulls in pandas on
    its first conversion, ~0.6 s) so the figure is the loader's steady rate, as in a long run.
    With `profile`, the timed load runs under pyinstrument and its report is written there.
    """
    from pipeline.mention_table import mention_table
    from warehouse.db import open_warehouse
    from warehouse.load import load_batch

    warm_articles, warm_mentions = synthetic_mentions(1_000)
    articles, mentions = synthetic_mentions(rows)
    with open_warehouse(Path(tempfile.mkdtemp(dir=work)) / "warm-up.duckdb") as con:
        load_batch(con, "warm-up", "bench", warm_articles, mention_table(_flat(warm_mentions)), [], models)
    started = time.perf_counter()
    table = mention_table(_flat(mentions))
    table_seconds = time.perf_counter() - started
    with open_warehouse(Path(tempfile.mkdtemp(dir=work)) / "load.duckdb") as con:
        profiler = Profiler() if profile else None
        started = time.perf_counter()
        if profiler:
            profiler.start()
        load_batch(con, "bench", "bench", articles, table, [], models)
        elapsed = time.perf_counter() - started
    if profiler and profile:
        profiler.stop()
        profile.parent.mkdir(parents=True, exist_ok=True)
        profile.write_text(profiler.output_text(color=False, show_all=False), encoding="utf-8")
    return {"rows": rows, "seconds": elapsed, "rows_per_s": rows / elapsed, "table_seconds": table_seconds}


def _flat(mentions: dict[str, list[Mention]]) -> list[Mention]:
    return [m for found in mentions.values() for m in found]


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
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated, of {', '.join(STEPS)}")
    parser.add_argument("--short", type=int, default=1000, help="articles in the shorter RSS run")
    parser.add_argument("--long", type=int, default=20000, help="articles in the long RSS run")
    parser.add_argument("--load-rows", type=int, default=1_000_000)
    parser.add_argument("--results", type=Path, default=REPO_ROOT / "docs" / "benchmarks.json")
    parser.add_argument("-o", "--output", type=Path, default=REPO_ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args(argv)
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    if unknown := set(steps) - set(STEPS):
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")

    from bench.report import missed_targets, write_report

    settings = load_settings()
    pages = load_pages()
    results = json.loads(args.results.read_text(encoding="utf-8")) if args.results.exists() else {}
    stamp = {"measured": f"{datetime.now(UTC):%Y-%m-%d}", "commit": _commit(), "machine": machine()}
    results["settings"] = {
        "model": settings.spacy_model,
        "batch_size": settings.batch_size,
        "processes": settings.nlp_processes,
    }

    def keep(step: str, figures: dict[str, Any]) -> None:
        results[step] = {**figures, **stamp}
        print(f"{step}:", _fmt(figures), flush=True)
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n", encoding="utf-8")

    with tempfile.TemporaryDirectory(prefix="newsint-bench-") as tmp:
        work = Path(tmp)
        with prefect_server(work / "prefect") as api:
            if "bare" in steps:
                keep(
                    "bare",
                    bare_limit(
                        pages,
                        settings.spacy_model,
                        settings.models_path,
                        settings.batch_size,
                        settings.nlp_processes,
                    ),
                )
            if "e2e" in steps:
                keep("e2e", end_to_end(pages, len(pages), settings.batch_size, work, api, cold_rerun=True))
            if "load" in steps:
                keep("load", load_rate(args.load_rows, work, settings.models_path))
            if "rss" in steps:
                keep(
                    "rss",
                    {
                        str(n): end_to_end(pages, n, settings.batch_size, work, api)["peak_rss"]
                        for n in (args.short, args.long)
                    },
                )
            if "queries" in steps:
                keep("queries", query_times(work, 1_000_000, 20_000_000))
            missed = missed_targets(results)
            if missed & {"e2e", "rerun"} and {"bare", "e2e"} & set(steps):
                profile_runs(pages, settings.batch_size, work, api, missed)
            if "load" in missed and "load" in steps:
                load_rate(args.load_rows, work, settings.models_path, PROFILES / PROFILE_NAMES["load"])
            measured = {"e2e", "rerun"} if "e2e" in steps else set()
            for met in (measured | ({"load"} & set(steps))) - missed:
                (PROFILES / PROFILE_NAMES[met]).unlink(missing_ok=True)  # it explained a miss now gone
    write_report(args.output, results)
    print(f"wrote {args.output}")


def _commit() -> str:
    """The commit measured, marked when the working tree differs from it."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        # The figures written under docs/ do not count as changes.
        status = ["git", "status", "--porcelain", "--", ".", ":!docs"]
        dirty = subprocess.run(status, cwd=REPO_ROOT, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}+changes" if dirty.stdout.strip() else head


def _fmt(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items())


if __name__ == "__main__":
    main()
