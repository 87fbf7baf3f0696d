from __future__ import annotations

from pathlib import Path

from bench.report import missed_targets, write_report

STAMP = {"measured": "2026-01-01", "commit": "abc1234", "machine": "test machine"}


def figures(
    first_s: float,
    rerun_s: float,
    rows_per_s: float,
    long_rss: int,
    slowest: float,
    plain_s: float = 4.0,
    nlp_cpu_s: float = 0.15,
) -> dict:
    return {
        "settings": {"model": "m", "batch_size": 64, "processes": 2},
        "bare": {
            "pages": 10,
            "words": 1000,
            "cores": 2,
            "extract_s": 1.0,
            "nlp_s": 1.5,
            "together_s": 2.0,
            "pages_per_s_extract": 10.0,
            "words_per_s_nlp": 1000.0,
            "articles_per_s": 5.0,
            **STAMP,
        },
        "nlp": {
            "pages": 10,
            "words": 1000,
            "components": ["ner"],
            "extract_cpu_s": 0.5,
            "cpu_s": [["ner", nlp_cpu_s * 0.8], ["newsint: mentions", nlp_cpu_s * 0.2]],
            "cpu_total_s": nlp_cpu_s,
            "words_per_cpu_s": 1000 / nlp_cpu_s,
            "ship_ms_per_article": 0.1,
            "ship_bytes_per_article": 2048.0,
            **STAMP,
        },
        "plain": {"articles": 10, "seconds": plain_s, "peak_rss": 1, "summary": "10 articles", **STAMP},
        "dask": {"articles": 10, "workers": 2, "seconds": 3.0, "summary": "Run y", **STAMP},
        "e2e": {
            "articles": 10,
            "first_s": first_s,
            "rerun_s": rerun_s,
            "peak_rss": 1,
            "summary": "Run x",
            **STAMP,
        },
        "load": {"rows": 1000, "seconds": 1000 / rows_per_s, "rows_per_s": rows_per_s, **STAMP},
        "rss": {"1000": 100 * 2**20, "20000": long_rss, **STAMP},
        "queries": {"fast": 0.1, "slow": slowest, **STAMP},
    }


def test_each_target_is_judged_against_its_own_threshold() -> None:
    # 10 articles at 5/s bare take 2 s: 2.4 s is 0.83x (met), 2.6 s is 0.77x (missed); the plain
    # script's 4 s is 1.67x of 2.4 s (met) and 1.25x of 3.2 s (missed); 1,000 words in 0.15 CPU s
    # is 6,667 words/s (met), in 0.25 s 4,000 (missed).
    good = figures(first_s=2.4, rerun_s=2.4, rows_per_s=600_000, long_rss=110 * 2**20, slowest=0.5)
    assert missed_targets(good) == set()
    bad = figures(
        first_s=2.6,
        rerun_s=2.6,
        rows_per_s=400_000,
        long_rss=130 * 2**20,
        slowest=1.5,
        plain_s=3.2,
        nlp_cpu_s=0.25,
    )
    assert missed_targets(bad) == {"e2e", "plain", "nlp", "rerun", "load", "rss", "queries"}


def test_report_marks_missed_targets_and_names_the_commit(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    write_report(
        out, figures(first_s=2.6, rerun_s=0.1, rows_per_s=600_000, long_rss=110 * 2**20, slowest=0.5)
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    start = lines.index("| target | measured | | measured at |")
    table = lines[start : lines.index("", start)]
    judged = {line.split(" | ")[0].removeprefix("| "): line.split(" | ")[2] for line in table[2:]}
    assert judged["End to end ≥ 0.80 × the bare limit on all 2 cores"] == "**missed**"
    assert judged["Scale-out: NLP on a Dask scheduler + 2 workers started apart"] == "measured"
    assert sum(verdict == "met" for verdict in judged.values()) == 6
    assert all("`abc1234`" in line for line in table[2:])


def test_a_partial_run_reports_only_what_it_measured(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    only_load = {"load": {"rows": 10, "seconds": 1.0, "rows_per_s": 10.0, **STAMP}}
    write_report(out, only_load)
    text = out.read_text(encoding="utf-8")
    assert "Warehouse load ≥ 500,000" in text and "bare limit on all" not in text
    assert missed_targets(only_load) == {"load"}


def test_the_load_section_gives_the_table_building_apart_and_both_together(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    load = {"rows": 1_000_000, "seconds": 1.6, "rows_per_s": 625_000.0, "table_seconds": 0.9, **STAMP}
    write_report(out, {"load": load})
    text = out.read_text(encoding="utf-8")
    assert "1,000,000 mention rows in 1.60 s (625,000 rows/s)" in text
    assert "`Mention` objects: 0.90 s" in text and "Both together: 400,000 rows/s" in text


def test_the_ratios_to_the_limit_and_to_the_plain_script_are_printed(tmp_path: Path) -> None:
    out = tmp_path / "benchmarks.md"
    write_report(out, figures(first_s=2.5, rerun_s=2.0, rows_per_s=600_000, long_rss=1, slowest=0.5))
    text = out.read_text(encoding="utf-8")
    # 10 articles in 2.5 s is 4.00/s: 0.80 x the limit of 5.00/s, 1.60 x the plain script's 2.50/s.
    assert "0.80 × (4.00 vs 5.00 articles/s)" in text
    assert "1.60 × (4.00 vs 2.50 articles/s)" in text
    assert "| ner | 0.12 | 80% |" in text
