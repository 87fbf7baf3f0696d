"""The capacity plan of docs/scaling.md follows the measured figures."""

from __future__ import annotations

from pathlib import Path

from bench.capacity import BEGIN, END, capacity_lines, rewrite

FIGURES = {
    "nlp": {
        "pages": 10,
        "words": 1000,
        "mentions": 200,
        "words_per_cpu_s": 5000.0,
        "extract_cpu_s": 1.0,
        "ship_ms_per_article": 0.5,
        "ship_bytes_per_article": 4096.0,
    },
    "load": {"rows_per_s": 500_000.0},
}


def test_workers_and_writer_headroom_come_from_the_figures() -> None:
    text = "\n".join(capacity_lines(FIGURES))
    # 100 words an article at 5,000 words/s: 50 articles/s a core, 20 ms; extraction 10 pages in
    # 1 CPU s, 100 ms; 3 x 11.57 articles/s x 0.12 s = 4.2 cores -> 5 workers.
    assert "120 CPU ms per article" in text
    assert "**5 single-threaded Dask workers**" in text
    # 500,000 rows/s over 20 mentions an article: 25,000 articles/s for one writer.
    assert "25,000 articles/s" in text


def test_without_the_figures_the_section_says_what_to_run() -> None:
    assert capacity_lines({"load": FIGURES["load"]}) == [
        "Run `make bench` (steps nlp and load) to work out this section."
    ]


def test_only_the_text_between_the_markers_is_replaced(tmp_path: Path) -> None:
    doc = tmp_path / "scaling.md"
    doc.write_text(f"# Plan\n{BEGIN}\nold\n{END}\nafter\n", encoding="utf-8")
    rewrite(doc, ["new"])
    assert doc.read_text(encoding="utf-8") == f"# Plan\n{BEGIN}\nnew\n{END}\nafter\n"
    plain = tmp_path / "other.md"
    plain.write_text("no markers\n", encoding="utf-8")
    rewrite(plain, ["new"])
    assert plain.read_text(encoding="utf-8") == "no markers\n"
