"""The HTML report: escaped, self-contained, and drawn by a real headless Chromium."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from newsint.cli import app
from pipeline.records import Article, Mention
from scripts import chromium
from tests.conftest import load_article
from tests.warehouse.weapon_stories import STORIES, Story, load
from warehouse.queries import open_reader
from warehouse.report import PALETTE, ReportData, gather, render
from warehouse.report_events import Transfer

HOSTILE = '<img src=x onerror="alert(1)"> Tanks & <b>drones</b>'


def _hostile_warehouse(path: Path) -> None:
    text = f"{HOSTILE}\nJapan bought drones from the United States."
    at = datetime(2024, 5, 2, 9, tzinfo=UTC)
    article = Article(
        "a1", "https://x.example/a?b=<c>", HOSTILE, None, at, "feed", "X", "en", text, "h", "t", "ok", at
    )
    start = len(HOSTILE) + 1
    spans = [
        (0, "Japan", "COUNTRY", "JPN"),
        (12, "drones", "WEAPON", "<script>drone</script>"),
        (27, "United States", "COUNTRY", "USA"),
    ]
    mentions = [
        Mention(
            "a1", start + s, start + s + len(t), t, label, norm, "gazetteer", "name", 0.9, text[start:], start
        )
        for s, t, label, norm in spans
    ]
    load_article(path, article, mentions)


def test_report_escapes_everything_and_loads_nothing_from_outside(tmp_path: Path) -> None:
    _hostile_warehouse(tmp_path / "w.duckdb")
    with open_reader(tmp_path / "w.duckdb") as con:
        data = gather(con, days=7)
    html = render(data)
    assert data.end == date(2024, 5, 2)  # the newest article's day by default
    assert "<img" not in html and "<script" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; Tanks &amp; &lt;b&gt;drones&lt;/b&gt;" in html
    assert "&lt;script&gt;drone&lt;/script&gt;" in html  # a weapon norm in the charts and the heatmap
    assert "https://x.example/a?b=&lt;c&gt;" in html
    # Self-contained: no attribute, stylesheet or import fetches anything.
    assert not re.search(r"""<[^>]*\s(src|href)\s*=|url\(|@import""", html, re.IGNORECASE)
    assert html.count("<svg") == 3  # two line charts and the heatmap
    assert "No people mentioned in this period." in html


def test_a_script_in_a_title_is_text_wherever_it_is_shown() -> None:
    day = date(2024, 5, 2)
    script = "<script>alert('x')</script>"
    data = ReportData(
        start=day,
        end=day,
        bucket="day",
        buckets=[day],
        series={"COUNTRY": {script: [1]}, "WEAPON": {}},
        heat_rows=[script],
        heat_cols=["drone"],
        heat={(script, "drone"): 2},
        people=[(script, "minister", 3, 1)],
        articles=[(day, f"Title {script}", "https://x.example/a", script)],
        totals={"articles": 1, "mentions": 3},
    )
    html = render(data)
    assert "<script" not in html
    # The line chart's point and legend, the heatmap's label and square, the bar, the title, "about".
    assert html.count("&lt;script&gt;alert(") == 7
    assert "<td>Title &lt;script&gt;alert(" in html


def test_report_of_an_empty_period_says_so(tmp_path: Path) -> None:
    _hostile_warehouse(tmp_path / "w.duckdb")
    with open_reader(tmp_path / "w.duckdb") as con:
        html = render(gather(con, days=3, until=date(2023, 1, 1)))
    assert "No mentions in this period." in html and "No articles in this period." in html


# The latest report of the German tanks (20 Apr, after EUROPE's of 20 Mar), so its sentence is
# the one the transfers table shows.
HOSTILE_DELIVERY = Story(
    "h1", date(2024, 4, 20), (f"{HOSTILE} Germany delivered 18 Leopard 2 tanks to Ukraine.",)
).event(0, "transfer", "Leopard 2", ("DEU",), ("UKR",), "completed", 18)


def test_report_shows_arms_transfers_and_tests_per_month(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    load(db, [*STORIES, HOSTILE_DELIVERY])
    with open_reader(db) as con:
        data = gather(con, days=120, until=date(2024, 4, 30))
    html = render(data)
    transfers = {(t.supplier, t.recipient, t.weapon): t for t in data.transfers}
    harpoon = transfers[("United States", "Taiwan", "Harpoon")]
    assert (harpoon.quantity, harpoon.value, harpoon.status, harpoon.articles) == (
        60,
        "1.1 billion USD",
        "completed",
        2,
    )
    assert "<td>2024-01-10 to 2024-03-05</td>" in html
    assert ("", "Poland", "AH-64 Apache") in transfers  # a purchase: no supplier named
    assert {t.weapon for t in data.transfers}.isdisjoint({"F-16", "MQ-9 Reaper"})  # negated, denied
    # The hostile sentence is shown as text, in the table only.
    assert "<img" not in html and "<b>" not in html
    assert (
        html.count(
            "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; Tanks &amp; &lt;b&gt;drones&lt;/b&gt; Germany"
        )
        == 1
    )
    # North Korea's January launch and February test; the planned engine test is none.
    assert data.months == [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1), date(2024, 4, 1)]
    assert data.tests == {"North Korea": [1, 1, 0, 0]}
    assert "<title>North Korea: 1 in January 2024</title>" in html
    assert "North Korea (2)</li>" in html
    assert '<svg viewBox="0 0 560 250" role="img" aria-label="Weapon tests per month, by tester">' in html


def test_tests_per_month_show_the_most_active_testers_and_sum_the_rest(tmp_path: Path) -> None:
    testers = [("PRK",)] * 3 + [
        ("IRN",),
        ("IRN",),
        ("IND",),
        ("IND",),
        ("PAK",),
        ("CHN",),
        ("RUS",),
        ("USA",),
        (),
    ]
    # One test a day, each its own article (publication days 1 to 12 May).
    stories = [
        Story(f"x{i}", date(2024, 5, i + 1), ("North Korea tested a Hwasong-18 missile.",)).event(
            0, "test", "Hwasong-18", actors
        )
        for i, actors in enumerate(testers)
    ]
    load(tmp_path / "w.duckdb", stories)
    with open_reader(tmp_path / "w.duckdb") as con:
        data = gather(con, days=31, until=date(2024, 5, 31))
    # Codes no mention named keep their code; a test whose sentence names no tester is "not named".
    assert data.tests == {
        "North Korea": [3],
        "IND": [2],
        "IRN": [2],
        "CHN": [1],
        "PAK": [1],
        "other countries": [3],  # RUS, USA and the one not named
    }


def test_the_event_sections_escape_what_the_articles_say() -> None:
    day = date(2024, 5, 2)
    script = "<script>alert('x')</script>"
    transfer = Transfer(script, "Taiwan", script, 3, "", "approved", day, day, 1, f"It said {script}.")
    data = ReportData(
        start=day,
        end=day,
        bucket="day",
        buckets=[day],
        series={"COUNTRY": {}, "WEAPON": {}},
        heat_rows=[],
        heat_cols=[],
        heat={},
        people=[],
        articles=[],
        totals={"articles": 1, "mentions": 0},
        transfers=[transfer],
        months=[date(2024, 5, 1)],
        tests={script: [2]},
    )
    html = render(data)
    assert "<script" not in html
    # The supplier, weapon and sentence of the transfer; the column's tooltip and legend.
    assert html.count("&lt;script&gt;alert(") == 5


def test_a_period_with_no_events_says_so(tmp_path: Path) -> None:
    _hostile_warehouse(tmp_path / "w.duckdb")
    with open_reader(tmp_path / "w.duckdb") as con:
        html = render(gather(con, days=7))
    assert "No weapon tests reported in this period." in html
    assert "No arms transfers reported in this period." in html


def _chromium() -> str:
    """Chromium's path, installing Debian's package when missing and we may; else skip saying why."""
    found = chromium.find_or_install()
    if found is None:
        pytest.skip("chromium is not installed and could not be installed (needs root and apt-get)")
    return found


@pytest.mark.model
def test_report_renders_in_headless_chromium(sample_db: Path, tmp_path: Path) -> None:
    browser = _chromium()
    page, png = tmp_path / "report.html", tmp_path / "report.png"
    result = CliRunner().invoke(
        app,
        [
            "report",
            "--days",
            "200",
            "--db",
            str(sample_db),
            "--config",
            str(sample_db.parent / "newsint.toml"),
            "-o",
            str(page),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "2023-12-22 to 2024-07-08" in page.read_text(encoding="utf-8")

    chromium.run(browser, page.resolve().as_uri(), f"--screenshot={png}", "--window-size=1280,1600")

    image = Image.open(png).convert("RGB")
    assert image.size == (1280, 1600)
    colours = image.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50, "the screenshot is (nearly) one colour"
    background = max(colours)[0] / (image.width * image.height)
    assert background < 0.9, "the page is mostly empty"
    # The first series colour and the heatmap's blue are painted: the inline SVG rendered.
    first = tuple(int(PALETTE[0][i : i + 2], 16) for i in (1, 3, 5))
    assert sum(n for n, rgb in colours if rgb == first) > 200
