"""The report's weapon-event sections: the period's arms transfers and a chart of weapon tests per
month, read through the macros behind the arms_transfers and weapon_tests views (migration 0011),
so the report counts as the views do: negated, denied and (for tests) planned events left out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from math import ceil

import duckdb

MAX_TRANSFERS = 20
TOP_TESTERS = 5
MAX_MONTH_LABELS = 8
OTHER = "other countries"
UNNAMED = "not named"


@dataclass(frozen=True)
class Transfer:
    """One row of the transfers table; a side the articles do not name is empty."""

    supplier: str
    recipient: str
    weapon: str
    quantity: int | None
    value: str
    status: str
    first: date
    last: date
    articles: int
    evidence: str


@dataclass(frozen=True)
class Segment:
    """One tester's part of a month's column."""

    name: str
    colour: str
    y: str
    height: str
    tests: int


@dataclass(frozen=True)
class Column:
    x: str
    label: str  # the month, or "" where labels are thinned out
    month: str
    segments: list[Segment]


@dataclass(frozen=True)
class ColumnChart:
    width: int
    height: int
    left: int
    right: int  # where the grid lines end
    bar: str  # a column's width
    grid: list[tuple[str, int]]  # y, count
    columns: list[Column]
    legend: list[tuple[str, str, int]]  # name, colour, total


def transfers(con: duckdb.DuckDBPyConnection, window: list[date]) -> list[Transfer]:
    """The transfers reported in the window, latest first."""
    rows = con.execute(
        """
        SELECT supplier_name, recipient_name, weapon, quantity, value_amount, value_currency, status,
               first_reported, last_reported, articles, evidence
        FROM arms_transfer_rows(since := ?, until := ?)
        ORDER BY last_reported DESC, articles DESC, weapon, supplier_name, recipient_name
        LIMIT ?
        """,
        [*window, MAX_TRANSFERS],
    ).fetchall()
    return [
        Transfer(
            str(r[0] or ""),
            str(r[1] or ""),
            str(r[2]),
            r[3],
            _value(r[4], r[5]),
            str(r[6]),
            r[7],
            r[8],
            int(r[9]),
            str(r[10]),
        )
        for r in rows
    ]


def tests_by_month(
    con: duckdb.DuckDBPyConnection, window: list[date]
) -> tuple[list[date], dict[str, list[int]]]:
    """The months the window touches, and the tests each of the most active testers made in each
    (the rest summed as "other countries"), most tests first."""
    months = _months(window[0], window[1])
    rows = con.execute(
        "SELECT month, coalesce(country_name, ?), sum(tests) FROM weapon_test_rows(since := ?, until := ?)"
        " GROUP BY ALL",
        [UNNAMED, *window],
    ).fetchall()
    index = {m: i for i, m in enumerate(months)}
    counts: dict[str, list[int]] = {}
    for month, name, n in rows:
        counts.setdefault(str(name), [0] * len(months))[index[month]] += int(n)
    ranked = sorted(counts.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
    series = dict(ranked[:TOP_TESTERS])
    if rest := ranked[TOP_TESTERS:]:
        series[OTHER] = [sum(column) for column in zip(*(c for _, c in rest), strict=True)]
    return months, series


def column_chart(
    months: list[date], series: dict[str, list[int]], palette: Sequence[str]
) -> ColumnChart | None:
    """Stacked columns, one per month, a colour of `palette` per tester."""
    if not series:
        return None
    width, height, left, right, top, bottom = 560, 250, 40, 10, 10, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(sum(s[i] for s in series.values()) for i in range(len(months))) or 1
    slot = plot_w / len(months)
    every = ceil(len(months) / MAX_MONTH_LABELS)

    def y(n: int) -> float:
        return top + plot_h - n / peak * plot_h

    columns = []
    for i, month in enumerate(months):
        segments, below = [], 0
        for colour, (name, counts) in zip(palette, series.items(), strict=False):
            if counts[i]:
                top_y = y(below + counts[i])
                segments.append(Segment(name, colour, f"{top_y:.1f}", f"{y(below) - top_y:.1f}", counts[i]))
                below += counts[i]
        label = month.strftime("%b %Y") if i % every == 0 else ""
        columns.append(
            Column(f"{left + i * slot + slot * 0.2:.1f}", label, month.strftime("%B %Y"), segments)
        )
    legend = [(name, colour, sum(c)) for colour, (name, c) in zip(palette, series.items(), strict=False)]
    grid = [(f"{y(tick):.1f}", tick) for tick in sorted({0, peak // 2, peak})]
    return ColumnChart(width, height, left, width - right, f"{slot * 0.6:.1f}", grid, columns, legend)


def _months(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def _value(amount: float | None, currency: str | None) -> str:
    """A deal's value as people write it: 1.1 billion USD."""
    if amount is None:
        return ""
    for size, word in ((1e9, " billion"), (1e6, " million")):
        if amount >= size:
            return f"{amount / size:.3g}{word} {currency or ''}".rstrip()
    return f"{amount:,.0f} {currency or ''}".rstrip()
