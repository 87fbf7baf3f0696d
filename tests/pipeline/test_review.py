"""Review rendering: escaping of web text, marked sentences, table rows, change reports."""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.records import Mention
from pipeline.reprocess import ChangeReport, diff_mentions, report_markdown
from pipeline.review import ReviewArticle, escape_md, link, marked_sentence, table_rows

SENTENCE = "Kim Jong Un watched the Hwasong-18 launch."


def _mention(start: int, end: int, label: str, norm: str | None, method: str = "model") -> Mention:
    return Mention("a1", start, end, SENTENCE[start:end], label, norm, method, None, 0.8, SENTENCE, 0)


def test_escaping_keeps_web_text_literal() -> None:
    hostile = "<script>alert(1)</script> **bold** [x](javascript:y) a|b `code`"
    escaped = escape_md(hostile)
    assert "<script>" not in escaped and "&lt;script&gt;" in escaped
    assert "**" not in escaped and "](" not in escaped and "`" not in escaped.replace("\\`", "")
    assert "a\\|b" in escaped  # a pipe cannot end a table cell
    assert link("A [fake](link)", "https://x.example/a(b)") == (
        "[A \\[fake\\]\\(link\\)](https://x.example/a%28b%29)"
    )


def test_marked_sentence_bolds_the_mention_only() -> None:
    assert marked_sentence(_mention(24, 34, "WEAPON", "Hwasong-18")) == (
        "Kim Jong Un watched the **Hwasong-18** launch."
    )


def test_table_rows() -> None:
    article = ReviewArticle(
        "a1",
        "https://news.example/nk",
        "Launch *today*",
        "Defence Wire",
        datetime(2024, 1, 14, 8, 45, tzinfo=UTC),
        (_mention(0, 11, "PERSON", "Kim Jong Un"), _mention(0, 3, "PERSON", "Kim Jong Un")),
    )
    (row,) = table_rows([article])
    assert row == {
        "title": "[Launch \\*today\\*](https://news.example/nk)",
        "source": "Defence Wire",
        "published": "2024-01-14",
        "people": "Kim Jong Un",
        "countries": "",
        "weapons": "",
    }


def test_table_rows_show_countries_by_their_common_names() -> None:
    mentions = (
        _mention(0, 6, "COUNTRY", "RUS"),
        _mention(10, 14, "COUNTRY", "KOR"),
        _mention(20, 24, "COUNTRY", "IRN"),
    )
    article = ReviewArticle("a1", "https://news.example/x", "x", None, None, mentions)
    (row,) = table_rows([article], {"RUS": "Russia"})
    assert row["countries"] == "Russia; South Korea; Iran"


def test_diff_counts_added_removed_and_changed_norms() -> None:
    old = [_mention(0, 11, "PERSON", "Kim Jong Un"), _mention(24, 34, "WEAPON", "Hwasong-18")]
    new = [_mention(24, 34, "WEAPON", "Hwasong-18 ICBM"), _mention(35, 41, "WEAPON", "launch")]
    changes = diff_mentions(old, new)
    assert [(c.kind, c.label) for c in changes] == [
        ("removed", "PERSON"),
        ("changed_norm", "WEAPON"),
        ("added", "WEAPON"),
    ]
    report, other = ChangeReport(), ChangeReport()
    report.add(changes)
    other.add([])
    report.merge(other)
    assert (report.articles, report.articles_changed) == (2, 1)
    assert report.rows() == [
        {"label": "COUNTRY", "added": 0, "removed": 0, "changed_norm": 0},
        {"label": "PERSON", "added": 0, "removed": 1, "changed_norm": 0},
        {"label": "WEAPON", "added": 1, "removed": 0, "changed_norm": 1},
    ]
    text = report_markdown(report, ["old1"], "new2")
    assert "| WEAPON | 1 | 0 | 1 |" in text
    assert "Hwasong-18 (**Hwasong-18** → **Hwasong-18 ICBM**): Kim Jong Un watched the **Hwasong-18**" in text
    assert diff_mentions(old, old) == []
    assert "verdicts_unmatched" not in text
    assert "**2 verdicts no longer find their mention**" in report_markdown(report, ["old1"], "new2", 2)
    assert "event_verdicts_unmatched" not in report_markdown(report, ["old1"], "new2", 2)
    on_events = report_markdown(report, ["old1"], "new2", 0, 3)
    assert "**3 verdicts no longer find their weapon event**" in on_events
    assert "`event_verdicts_unmatched`" in on_events and "their mention" not in on_events
