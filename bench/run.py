"""newsint's performance benchmark: one command, one machine, figures into docs/benchmarks.md.

    .venv/bin/python -m bench.run [--steps bare,nlp,e2e,plain,dask,load,rss,queries]
                                  [--short 1000] [--long 20000]

1. serves the 181 benchmark pages (../shared) and feeds listing them from 127.0.0.1;
2. `bare`: the limit of the machine, trafilatura in a pool of one process per core and the same
   NLP pipeline with `n_process` = cores, timed apart and together (`bench/limits.py`);
3. `nlp`: CPU seconds of each pipeline component and of newsint's conversion, in one process;
4. `e2e`: `newsint run` end to end over those feeds into a fresh DuckDB, then again (re-run);
5. `plain`: the script a user would write instead (`bench/plain.py`) over the same feeds;
6. `dask`: `newsint run` with a Dask scheduler and two worker processes started apart from it;
7. `load`: 1,000,000 synthetic mentions through the warehouse loader;
8. `rss`: peak RSS of `newsint run` and its NLP processes over --short and --long articles;
9. `queries`: every named query on a synthetic warehouse of 1M articles and 20M mentions.

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
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyinstrument import Profiler

from bench.corpus import article_paths, feed_xml, load_pages
from bench.limits import bare_limit, component_costs
from bench.orchestrator import prefect_server
from bench.scaleout import dask_cluster
from bench.server import StaticServer
from bench.synthetic import build_warehouse, synthetic_mentions
from pipeline import REPO_ROOT
from pipeline.records import Article, Mention
from pipeline.settings import load_settings, usable_cores

NEWSINT = str(Path(sys.executable).parent / "newsint")
PYINSTRUMENT = str(Path(sys.executable).parent / "pyinstrument")
PROFILES = REPO_ROOT / "docs" / "profiles"
PROFILE_NAMES = {
    "e2e": "end_to_end.txt",
    "plain": "end_to_end.txt",
    "rerun": "rerun.txt",
    "load": "load.txt",
    "nlp": "nlp.txt",
    "rss": "memory.txt",
}
# Pages in the run whose memory is sampled process by process when the RSS target is missed.
MEMORY_PROFILE_ARTICLES = 3000
STEPS = ("bare", "nlp", "e2e", "plain", "dask", "load", "rss", "queries")
FEEDS = 4


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
    config: Path, db: Path, api: str | None, profile: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, int, str]:
    """Seconds, peak RSS (bytes, the newsint process itself) and output of one `newsint run`.

    `api` is a Prefect server's URL; None leaves the command to start a temporary one. With
    `profile`, the run goes under pyinstrument and its text report is written there.
    """
    command = [NEWSINT, "run", "--config", str(config), "--db", str(db)]
    if profile:
        profile.parent.mkdir(parents=True, exist_ok=True)
        command = [PYINSTRUMENT, "--no-color", "-o", str(profile), *command]
    variables = {**os.environ, "PREFECT_LOGGING_LEVEL": "ERROR", **(env or {})}
    variables.pop("PREFECT_API_URL", None)
    if api:
        variables["PREFECT_API_URL"] = api
    return timed_command(command, variables)


def timed_command(command: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Seconds, peak RSS of the process itself and output of a command that must succeed."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    peak = _watch_rss(process.pid)
    output, _ = process.communicate()
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{Path(command[0]).name} failed ({process.returncode}):\n{output[-3000:]}")
    return elapsed, peak(), output


def _watch_rss(pid: int) -> Callable[[], int]:
    """Poll /proc for the memory of the process and its children (the processes a batch is parsed in); the
    returned call gives the peak of their sum. Proportional set sizes, so the pages a forked
    worker shares with its parent are counted once, not once per process."""
    peak = [0]

    def poll() -> None:
        while Path(f"/proc/{pid}").exists():
            peak[0] = max(peak[0], sum(_rss(p) for p in _tree(pid)))
            time.sleep(0.2)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    return lambda: (thread.join(timeout=1), peak[0])[1]


def _tree(pid: int) -> list[int]:
    """The process and its descendants, as /proc lists them now."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            with suppress(OSError):
                todo += [int(child) for child in children.read_text().split()]
    return found


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


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


def plain_script(pages: dict[str, bytes], work: Path) -> dict[str, Any]:
    """`bench.plain` (the script a user would write instead) over the same feeds, process start
    and model load included, as for `newsint run`."""
    server, feeds = serve_corpus(pages, len(pages))
    with server:
        db = Path(tempfile.mkdtemp(dir=work)) / "plain.duckdb"
        command = [sys.executable, "-m", "bench.plain", "--db", str(db), *(server.url + f for f in feeds)]
        seconds, peak, output = timed_command(command, {**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    return {"articles": len(pages), "seconds": seconds, "peak_rss": peak, "summary": output.strip()[-200:]}


def scale_out(
    pages: dict[str, bytes], batch_size: int, work: Path, api: str, workers: int = 2
) -> dict[str, Any]:
    """`newsint run` with its NLP on a scheduler and `workers` worker processes started apart from
    it (already running, as they would be on other machines), over the same pages."""
    with dask_cluster(work / "dask", workers) as address:
        server, feeds = serve_corpus(pages, len(pages))
        with server:
            folder = Path(tempfile.mkdtemp(dir=work))
            config, db = write_config(folder, server, feeds, batch_size), folder / "bench.duckdb"
            seconds, _, output = run_newsint(config, db, api, env={"NEWSINT_NLP_CLUSTER": address})
    return {
        "articles": len(pages),
        "workers": workers,
        "seconds": seconds,
        "summary": next((line for line in output.splitlines() if line.startswith("Run ")), ""),
    }


def profile_runs(pages: dict[str, bytes], batch_size: int, work: Path, api: str, missed: set[str]) -> None:
    """pyinstrument reports of the end-to-end runs whose targets were missed."""
    server, feeds = serve_corpus(pages, len(pages))
    with server:
        folder = Path(tempfile.mkdtemp(dir=work))
        config, db = write_config(folder, server, feeds, batch_size), folder / "bench.duckdb"
        first = PROFILES / PROFILE_NAMES["e2e"] if missed & {"e2e", "plain"} else None
        run_newsint(config, db, api, first)
        if "rerun" in missed:
            run_newsint(config, db, api, PROFILES / PROFILE_NAMES["rerun"])


def memory_profile(pages: dict[str, bytes], count: int, batch_size: int, work: Path, api: str) -> None:
    """Where a run's memory is: the proportional set size of the run's process and of its parsing
    processes, sampled every 0.5 s over a run of `count` articles, written as a timeline."""
    server, feeds = serve_corpus(pages, count)
    samples: list[tuple[float, int, int, int]] = []
    with server:
        folder = Path(tempfile.mkdtemp(dir=work))
        config, db = write_config(folder, server, feeds, batch_size), folder / "bench.duckdb"
        variables = {**os.environ, "PREFECT_LOGGING_LEVEL": "ERROR", "PREFECT_API_URL": api}
        command = [NEWSINT, "run", "--config", str(config), "--db", str(db)]
        started = time.monotonic()
        process = subprocess.Popen(
            command, env=variables, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        while process.poll() is None:
            tree = _tree(process.pid)
            children = [_rss(pid) for pid in tree[1:]]
            samples.append((time.monotonic() - started, _rss(process.pid), sum(children), len(children)))
            time.sleep(0.5)
    mib = 2**20
    lines = [
        f"newsint run over {count} articles: proportional set size, MiB, every 0.5 s",
        "seconds  run's process  parsing processes (how many)  sum",
    ]
    lines += [
        f"{t:7.1f}  {own / mib:13.0f}  {kids / mib:17.0f} ({n})  {(own + kids) / mib:5.0f}"
        for t, own, kids, n in samples
    ]
    PROFILES.mkdir(parents=True, exist_ok=True)
    (PROFILES / PROFILE_NAMES["rss"]).write_text("\n".join(lines) + "\n", encoding="utf-8")


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
        load_batch(
            con,
            "warm-up",
            "bench",
            warm_articles,
            mention_table(_flat(warm_mentions), _texts(warm_articles)),
            [],
            models,
        )
    started = time.perf_counter()
    table = mention_table(_flat(mentions), _texts(articles))
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


def _texts(articles: list[Article]) -> dict[str, str]:
    return {a.article_id: a.text for a in articles}


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
                cores = usable_cores()
                model, models = settings.spacy_model, settings.models_path
                keep("bare", bare_limit(pages, model, models, settings.batch_size, cores))
            if "nlp" in steps:
                keep("nlp", component_costs(pages, settings))
            if "e2e" in steps:
                keep("e2e", end_to_end(pages, len(pages), settings.batch_size, work, api, cold_rerun=True))
            if "plain" in steps:
                keep("plain", plain_script(pages, work))
            if "dask" in steps:
                keep("dask", scale_out(pages, settings.batch_size, work, api))
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
            if missed & {"e2e", "plain", "rerun"} and {"bare", "e2e", "plain"} & set(steps):
                profile_runs(pages, settings.batch_size, work, api, missed)
            if "nlp" in missed and "nlp" in steps:
                _profiled(PROFILES / PROFILE_NAMES["nlp"], lambda: component_costs(pages, settings))
            if "load" in missed and "load" in steps:
                load_rate(args.load_rows, work, settings.models_path, PROFILES / PROFILE_NAMES["load"])
            if "rss" in missed and "rss" in steps:
                memory_profile(pages, MEMORY_PROFILE_ARTICLES, settings.batch_size, work, api)
            measured = {"e2e", "plain", "rerun"} if "e2e" in steps else set()
            needed = {PROFILE_NAMES[m] for m in missed if m in PROFILE_NAMES}
            for met in (measured | ({"load", "nlp", "rss"} & set(steps))) - missed:
                if PROFILE_NAMES[met] not in needed:  # e2e and plain share one
                    (PROFILES / PROFILE_NAMES[met]).unlink(missing_ok=True)  # it explained a miss now gone
    write_report(args.output, results)
    print(f"wrote {args.output}")


def _profiled(path: Path, work: Callable[[], Any]) -> None:
    """A pyinstrument text report of `work`, written to `path`."""
    profiler = Profiler()
    profiler.start()
    work()
    profiler.stop()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(profiler.output_text(color=False, show_all=False), encoding="utf-8")


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
