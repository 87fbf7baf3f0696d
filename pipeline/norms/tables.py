"""Reading the tab-separated data files under models/ (comment lines start with '#')."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path


def read_tsv(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a TSV file with a header line, comments skipped."""
    with path.open(encoding="utf-8") as handle:
        lines = (line for line in handle if line.strip() and not line.startswith("#"))
        yield from csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)


def read_lines(path: Path) -> list[str]:
    """Non-empty, non-comment lines of a text file."""
    with path.open(encoding="utf-8") as handle:
        return [s for line in handle if (s := line.strip()) and not s.startswith("#")]
