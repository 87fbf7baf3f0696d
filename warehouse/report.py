"""A self-contained HTML report drawn from the analysts' views: inline SVG charts, no external URLs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import duckdb
from jinja2 import Environment, PackageLoader, StrictUndefined

from warehouse.report_events import Transfer, column_chart, tests_by_month, transfers

_TEMPLATES = Environment(
    loader=PackageLoader("warehouse", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9")
TOP_SERIES = 5
TOP_HEATMAP = 8
TOP_PEOPLE = 10
MAX_ARTICLES = 25
# Beyond two months of days a line chart is noise: count per week instead.
DAILY_UP_TO_DAYS = 62


@dataclass
class ReportData:
    start: date
    end: date
    bucket: str  # "day" or "week"
    buckets: list[date]
    series: dict[str, dict[str, list[int]]]  # label -> entity name -> count per bucket
    heat_rows: list[str]
    heat_cols: list[str]
    heat: dict[tuple[str, str], int]
    people: list[tuple[str, str, int, int]]  # name, roles, mentions, articles
    articles: list[tuple[date, str, str, str]]  # day, title, url, what it is about
    totals: dict[str, int] = field(default_factory=dict)
    transfers: list[Transfer] = field(default_factory=list)
    months: list[date] = field(default_factory=list)
    tests: dict[str, list[int]] = field(default_factory=dict)  # tester -> tests per month


# What the macros of templates/charts.html draw: positions are worked out here, the markup is there.
@dataclass(frozen=True)
class Line:
    """One series of a line chart: its polyline, its points above zero and its legend total."""

    name: str
    colour: str
    points: str
    dots: list[tuple[str, str, int, str]]  # x, y, count, ISO day
    total: int


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    right: int  # where the grid lines end
    grid: list[tuple[str, int]]  # y, count
    days: list[tuple[str, str, str]]  # x, text-anchor, label
    lines: list[Line]


@dataclass(frozen=True)
class HeatCell:
    weapon: str
    n: int
    x: int
    y: int
    opacity: str
    ink: str  # the count's colour: white on the darker squares
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Heatmap:
    width: int
    height: int
    left: int
    top: int
    side: int  # of a square
    cols: list[tuple[str, str]]  # x, weapon
    rows: list[tuple[str, str, list[HeatCell]]]  # country, label y, squares


@dataclass(frozen=True)
class Bar:
    label: str
    y: int
    width: str
    count_x: str
    mentions: int
    articles: int


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int
    thickness: int
    colour: str
    bars: list[Bar]


def gather(con: duckdb.DuckDBPyConnection, days: int = 30, until: date | None = None) -> ReportData:
    """Everything the report shows, for the `days` up to `until` (default: the newest article's day)."""
    end = until or _newest_day(con) or datetime.now(UTC).date()
    start = end - timedelta(days=days - 1)
    bucket = "day" if days <= DAILY_UP_TO_DAYS else "week"
    window = [start, end]
    buckets = [
        row[0]
        for row in con.execute(
            f"SELECT DISTINCT CAST(date_trunc('{bucket}', d) AS DATE) AS b"
            " FROM generate_series(CAST(? AS TIMESTAMP), CAST(? AS TIMESTAMP), INTERVAL 1 DAY) t(d)"
            " ORDER BY b",
            window,
        ).fetchall()
    ]
    series = {label: _series(con, label, bucket, buckets, window) for label in ("COUNTRY", "WEAPON")}
    heat_rows, heat_cols, heat = _heatmap(con, window)
    people = [
        (str(r[0]), str(r[1] or ""), int(r[2]), int(r[3]))
        for r in con.execute(
            """
            SELECT d.name,
                   (SELECT string_agg(DISTINCT r.role, '; ' ORDER BY r.role)
                    FROM person_roles r WHERE r.person = d.norm) AS roles,
                   sum(d.mentions) AS mentions, sum(d.articles) AS articles
            FROM daily_mentions d
            WHERE d.label = 'PERSON' AND d.day BETWEEN ? AND ?
            GROUP BY d.norm, d.name ORDER BY mentions DESC, articles DESC, d.name LIMIT ?
            """,
            [*window, TOP_PEOPLE],
        ).fetchall()
    ]
    articles = [
        (r[0], str(r[1] or "(untitled)"), str(r[2]), str(r[3] or ""))
        for r in con.execute(
            """
            SELECT e.day, any_value(e.title), any_value(a.url),
                   string_agg(e.name, ', ' ORDER BY e.label, e.mentions DESC, e.name)
                       FILTER (WHERE e.is_about AND e.label <> 'PERSON')
            FROM article_entities e JOIN articles a USING (article_id)
            WHERE e.day BETWEEN ? AND ?
            GROUP BY e.article_id, e.day ORDER BY e.day DESC, any_value(e.title) LIMIT ?
            """,
            [*window, MAX_ARTICLES],
        ).fetchall()
    ]
    ((n_articles, n_mentions),) = con.execute(
        "SELECT count(DISTINCT article_id), coalesce(sum(mentions), 0) FROM article_entities"
        " WHERE day BETWEEN ? AND ?",
        window,
    ).fetchall()
    totals = {"articles": int(n_articles), "mentions": int(n_mentions)}
    months, tests = tests_by_month(con, window)
    return ReportData(
        start,
        end,
        bucket,
        buckets,
        series,
        heat_rows,
        heat_cols,
        heat,
        people,
        articles,
        totals,
        transfers(con, window),
        months,
        tests,
    )


def render(data: ReportData) -> str:
    """The report as one HTML page; Jinja2 escapes every string from the data (autoescape)."""
    return _TEMPLATES.get_template("report.html").render(
        data=data,
        countries=_line_chart(data.buckets, data.series["COUNTRY"]),
        weapons=_line_chart(data.buckets, data.series["WEAPON"]),
        heatmap=_heatmap_chart(data.heat_rows, data.heat_cols, data.heat),
        people=_bar_chart(data.people),
        tests=column_chart(data.months, data.tests, PALETTE),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def _newest_day(con: duckdb.DuckDBPyConnection) -> date | None:
    ((newest,),) = con.execute("SELECT max(article_day(published_at, fetched_at)) FROM articles").fetchall()
    return newest if isinstance(newest, date) else None


def _series(
    con: duckdb.DuckDBPyConnection, label: str, bucket: str, buckets: list[date], window: list[date]
) -> dict[str, list[int]]:
    rows = con.execute(
        f"""
        WITH top AS (
            SELECT norm, any_value(name) AS name FROM daily_mentions
            WHERE label = ? AND day BETWEEN ? AND ?
            GROUP BY norm ORDER BY sum(mentions) DESC, norm LIMIT ?
        )
        SELECT top.name, CAST(date_trunc('{bucket}', d.day) AS DATE) AS b, sum(d.mentions)
        FROM daily_mentions d JOIN top USING (norm)
        WHERE d.label = ? AND d.day BETWEEN ? AND ?
        GROUP BY ALL ORDER BY top.name
        """,
        [label, *window, TOP_SERIES, label, *window],
    ).fetchall()
    index = {b: i for i, b in enumerate(buckets)}
    out: dict[str, list[int]] = {}
    for name, b, n in rows:
        out.setdefault(str(name), [0] * len(buckets))[index[b]] += int(n)
    return dict(sorted(out.items(), key=lambda kv: (-sum(kv[1]), kv[0])))


def _heatmap(
    con: duckdb.DuckDBPyConnection, window: list[date]
) -> tuple[list[str], list[str], dict[tuple[str, str], int]]:
    rows = con.execute(
        """
        SELECT coalesce(k.name, c.left_norm), c.right_norm, sum(c.sentences)
        FROM co_mentions c
        LEFT JOIN entities k ON k.label = 'COUNTRY' AND k.norm = c.left_norm
        WHERE c.pair = 'COUNTRY×WEAPON' AND c.same_sentence AND c.day BETWEEN ? AND ?
        GROUP BY ALL
        """,
        window,
    ).fetchall()
    cells = {(str(r[0]), str(r[1])): int(r[2]) for r in rows}

    def top(axis: int, among: dict[tuple[str, str], int]) -> list[str]:
        totals: dict[str, int] = {}
        for key, n in among.items():
            totals[key[axis]] = totals.get(key[axis], 0) + n
        return sorted(totals, key=lambda k: (-totals[k], k))[:TOP_HEATMAP]

    # Weapons first, then the countries that share sentences with those weapons: no empty rows.
    cols = top(1, cells)
    rows_shown = top(0, {key: n for key, n in cells.items() if key[1] in cols})
    return rows_shown, cols, cells


def _line_chart(buckets: list[date], series: dict[str, list[int]]) -> LineChart | None:
    if not series:
        return None
    width, height, left, right, top, bottom = 560, 250, 40, 10, 10, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(max(v) for v in series.values()) or 1  # integer ticks: counts
    step = plot_w / max(len(buckets) - 1, 1)

    def x(i: int) -> str:
        return f"{left + i * step:.1f}"

    def y(n: int) -> str:
        return f"{top + plot_h - n / peak * plot_h:.1f}"

    last = len(buckets) - 1
    days = [
        (x(i), "start" if i == 0 else "end" if i == last else "middle", buckets[i].strftime("%d %b %Y"))
        for i in sorted({0, last // 2, last})
    ]
    lines = [
        Line(
            name,
            colour,
            " ".join(f"{x(i)},{y(n)}" for i, n in enumerate(counts)),
            [(x(i), y(n), n, buckets[i].isoformat()) for i, n in enumerate(counts) if n],
            sum(counts),
        )
        for colour, (name, counts) in zip(PALETTE, series.items(), strict=False)
    ]
    grid = [(y(tick), tick) for tick in sorted({0, peak // 2, peak})]
    return LineChart(width, height, left, width - right, grid, days, lines)


def _heatmap_chart(rows: list[str], cols: list[str], cells: dict[tuple[str, str], int]) -> Heatmap | None:
    if not rows or not cols:
        return None
    cell, left, top = 44, 150, 130
    peak = max(cells.get((r, c), 0) for r in rows for c in cols) or 1

    def square(i: int, j: int) -> HeatCell:
        n = cells.get((rows[i], cols[j]), 0)
        x, y = left + j * cell, top + i * cell
        opacity = 0.08 + 0.92 * n / peak if n else 0.03
        ink = "#fff" if n / peak > 0.5 else "#1a1a1a"
        return HeatCell(cols[j], n, x, y, f"{opacity:.2f}", ink, x + (cell - 2) / 2, y + cell / 2 + 3)

    return Heatmap(
        left + cell * len(cols) + 70,
        top + cell * len(rows) + 10,
        left,
        top,
        cell - 2,
        [(f"{left + j * cell + cell / 2:.0f}", col) for j, col in enumerate(cols)],
        [
            (row, f"{top + i * cell + cell / 2 + 4:.0f}", [square(i, j) for j in range(len(cols))])
            for i, row in enumerate(rows)
        ],
    )


def _bar_chart(people: list[tuple[str, str, int, int]]) -> BarChart | None:
    if not people:
        return None
    row, left, bar_w = 26, 300, 240
    peak = max(p[2] for p in people) or 1
    bars = [
        Bar(
            f"{name} — {roles}" if roles else name,
            i * row + 4,
            f"{mentions / peak * bar_w:.1f}",
            f"{left + mentions / peak * bar_w + 6:.1f}",
            mentions,
            articles,
        )
        for i, (name, roles, mentions, articles) in enumerate(people)
    ]
    return BarChart(left + bar_w + 60, row * len(people) + 6, left, row - 8, PALETTE[2], bars)
