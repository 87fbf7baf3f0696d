"""Verdicts change the data: every view, summary and named query counts the mentions as judged,
through reprocessing and reloads; queues, unmatched verdicts, precision and the models patch."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest

from pipeline.mention_table import mention_table
from pipeline.records import Article, Mention
from pipeline.settings import DEFAULT_MODELS
from pipeline.verdict_patch import FILES
from pipeline.verdicts import Kind, Queue, Verdict, anchor_of, wilson_interval
from warehouse import runs
from warehouse.aggregates import rebuild_aggregates
from warehouse.db import open_warehouse
from warehouse.load import load_batch, replace_mentions
from warehouse.lookup import find_entities
from warehouse.queries import run_named
from warehouse.verdicts import (
    check_verdicts,
    export_patch,
    precision_estimates,
    record_verdicts,
    review_queue,
    unmatched_count,
    unmatched_verdicts,
)

DAY = datetime(2024, 3, 1, 12, tzinfo=UTC)
TEXTS = {
    "a1": "Ukraine received Patriot missiles from Germany. Minister John Smith said Russia fired drones."
    " Johnny Smith visited Ukraine.",
    "a2": "Russia tested a drone near Poland. John Smith spoke.",
}
# (article, words, which occurrence, label, norm, kind, confidence, attrs)
FOUND = [
    ("a1", "Ukraine", 0, "COUNTRY", "UKR", "name", 0.95, {}),
    ("a1", "Patriot", 0, "WEAPON", "Patriot", "name", 0.9, {}),
    ("a1", "Germany", 0, "COUNTRY", "DEU", "name", 0.95, {}),
    ("a1", "John Smith", 0, "PERSON", "John Smith", "name", 0.6, {"role": "minister"}),
    ("a1", "Russia", 0, "COUNTRY", "RUS", "name", 0.95, {}),
    ("a1", "drones", 0, "WEAPON", "drone", "generic", 0.5, {}),
    ("a1", "Johnny Smith", 0, "PERSON", "Johnny Smith", "name", 0.4, {}),
    ("a1", "Ukraine", 1, "COUNTRY", "UKR", "name", 0.95, {}),
    ("a2", "Russia", 0, "COUNTRY", "RUS", "name", 0.95, {}),
    ("a2", "drone", 0, "WEAPON", "drone", "generic", 0.7, {}),
    ("a2", "Poland", 0, "COUNTRY", "POL", "name", 0.95, {}),
    ("a2", "John Smith", 0, "PERSON", "John Smith", "name", 0.8, {}),
]


def _article(article_id: str, text: str) -> Article:
    return Article(
        article_id, f"https://news.example/{article_id}", f"Story {article_id}", None, DAY, "feed", "News",
        "en", text, f"hash-{hash(text)}", "test", "ok", DAY,
    )  # fmt: skip


def _mention(text: str, row: tuple[Any, ...], method: str = "gazetteer", whole: bool = False) -> Mention:
    """The mention of `row` in `text`; its sentence the one it stands in, or the whole text."""
    article_id, words, nth, label, norm, kind, confidence, attrs = row
    start = -1
    for _ in range(nth + 1):
        start = text.index(words, start + 1)
    sentence_start = 0 if whole else text.rfind(". ", 0, start) + 2 if ". " in text[:start] else 0
    sentence_end = len(text) if whole else (text.find(". ", start) + 1 or len(text))
    return Mention(
        article_id, start, start + len(words), words, label, norm, method, kind, confidence,
        text[sentence_start:sentence_end], sentence_start, attrs,
    )  # fmt: skip


def _mentions(texts: dict[str, str], skip: str | None = None, **options: Any) -> list[Mention]:
    return [_mention(texts[r[0]], r, **options) for r in FOUND if r[0] in texts and r[1] != skip]


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with open_warehouse(tmp_path / "w.duckdb") as con:
        runs.start_run(con, "r1", "ingest", "model", "v1")
        articles = [_article(i, t) for i, t in TEXTS.items()]
        load_batch(con, "r1", "v1", articles, mention_table(_mentions(TEXTS), TEXTS), [], DEFAULT_MODELS)
        yield con


def _item(con: duckdb.DuckDBPyConnection, article_id: str, words: str, nth: int = 0) -> str:
    """The item id of a stored mention, from its anchor as pipeline.verdicts makes it."""
    text = TEXTS[article_id]
    start = -1
    for _ in range(nth + 1):
        start = text.index(words, start + 1)
    ((label,),) = con.execute(
        "SELECT label FROM mentions WHERE article_id = ? AND start_char = ?", [article_id, start]
    ).fetchall()
    return anchor_of(article_id, text, label, start, start + len(words)).item_id


def _judge(
    con: duckdb.DuckDBPyConnection, article_id: str, words: str, verdict: Kind, correction: str | None = None
) -> int:
    item = _item(con, article_id, words)
    return record_verdicts(con, [Verdict(item, verdict, correction, "ana", "sample")])


def _daily(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], tuple[int, int]]:
    rows = con.execute("SELECT label, norm, mentions, articles FROM daily_mentions").fetchall()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


def _about(con: duckdb.DuckDBPyConnection, article_id: str) -> dict[tuple[str, str], int]:
    rows = con.execute(
        "SELECT label, norm, mentions FROM article_entities WHERE article_id = ?", [article_id]
    ).fetchall()
    return {(r[0], r[1]): r[2] for r in rows}


def _pairs(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str, str]]:
    rows = con.execute("SELECT article_id, left_norm, right_norm FROM co_mentions").fetchall()
    return {(r[0], r[1], r[2]) for r in rows}


def _query(con: duckdb.DuckDBPyConnection, name: str, **params: str) -> list[tuple[Any, ...]]:
    return run_named(con, name, params).rows


def _summaries(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    return {
        "stats": sorted(
            con.execute("SELECT * EXCLUDE (article_key) FROM article_entity_stats").fetchall(), key=repr
        ),
        "days": sorted(con.execute("FROM entity_days").fetchall(), key=repr),
        "roles": sorted(con.execute("FROM article_person_roles").fetchall(), key=repr),
    }


def _rebuilt(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[Any, ...]]]:
    """The summaries summed anew from mentions_reviewed, in a transaction rolled back."""
    con.execute("BEGIN TRANSACTION")
    try:
        rebuild_aggregates(con)
        return _summaries(con)
    finally:
        con.execute("ROLLBACK")


def test_the_loader_gives_each_mention_its_anchor_hash(con: duckdb.DuckDBPyConnection) -> None:
    stored = dict(
        ((r[0], r[1]), r[2])
        for r in con.execute("SELECT article_id, start_char, item_id FROM mentions").fetchall()
    )
    assert len(stored) == len(set(stored.values())) == len(FOUND)
    for m in _mentions(TEXTS):
        assert (
            stored[m.article_id, m.start]
            == anchor_of(m.article_id, TEXTS[m.article_id], m.label, m.start, m.end).item_id
        )


def test_not_entity_leaves_every_count(con: duckdb.DuckDBPyConnection) -> None:
    assert ("COUNTRY", "DEU") in _daily(con) and ("a1", "DEU", "Patriot") in _pairs(con)
    assert [r for r in _query(con, "top_countries_week") if r[0] == "DEU"]
    assert _query(con, "people_with_weapon", weapon="Patriot")[0][0] == "John Smith"
    assert con.execute("SELECT count(*) FROM person_roles").fetchall() == [(1,)]

    assert _judge(con, "a1", "Germany", "not_entity") == 1
    assert _judge(con, "a1", "John Smith", "not_entity") == 1

    assert ("COUNTRY", "DEU") not in _daily(con)
    assert ("COUNTRY", "DEU") not in _about(con, "a1")
    assert not {p for p in _pairs(con) if "DEU" in p}
    assert not [r for r in _query(con, "top_countries_week") if r[0] == "DEU"]
    assert _daily(con)["PERSON", "John Smith"] == (1, 1)  # a2's mention stays
    assert [r[0] for r in _query(con, "people_with_weapon", weapon="Patriot")] == ["Johnny Smith"]
    assert con.execute("SELECT count(*) FROM person_roles").fetchall() == [(0,)]
    reviewed = con.execute("SELECT count(*) FROM mentions_reviewed").fetchall()[0][0]
    assert reviewed == len(FOUND) - 2
    assert con.execute("SELECT count(*) FROM mentions").fetchall()[0][0] == len(FOUND)  # kept as found
    assert _summaries(con) == _rebuilt(con)

    _judge(con, "a1", "Germany", "correct")  # the latest verdict wins
    assert _daily(con)["COUNTRY", "DEU"] == (1, 1)
    assert con.execute("SELECT count(*) FROM verdicts").fetchall() == [(3,)]


def test_wrong_label_and_wrong_norm_are_counted_as_corrected(con: duckdb.DuckDBPyConnection) -> None:
    before = _daily(con)
    assert before["COUNTRY", "UKR"] == (2, 1) and before["COUNTRY", "RUS"] == (2, 2)

    _judge(con, "a1", "Russia", "wrong_norm", "UKR")
    _judge(con, "a1", "Johnny Smith", "wrong_label", "WEAPON")

    after = _daily(con)
    assert after["COUNTRY", "UKR"] == (3, 1) and after["COUNTRY", "RUS"] == (1, 1)
    assert ("PERSON", "Johnny Smith") not in after and after["WEAPON", "Johnny Smith"] == (1, 1)
    assert _about(con, "a1")["COUNTRY", "UKR"] == 3
    assert [r[0] for r in _query(con, "mention_trend", norm="Ukraine", days="1")] == [DAY.date()]
    assert _query(con, "mention_trend", norm="Ukraine", days="1")[0][1:] == (3, 1)
    rows = con.execute(
        "SELECT label, norm, entity_id, verdict FROM mentions_reviewed WHERE verdict IS NOT NULL ORDER BY ALL"
    ).fetchall()
    assert rows == [
        ("COUNTRY", "UKR", "country:UKR", "wrong_norm"),
        ("WEAPON", "Johnny Smith", "weapon:johnny-smith", "wrong_label"),
    ]
    assert _summaries(con) == _rebuilt(con)


def test_merged_entities_are_counted_as_one(con: duckdb.DuckDBPyConnection) -> None:
    assert _daily(con)["PERSON", "Johnny Smith"] == (1, 1)
    assert _judge(con, "a1", "Johnny Smith", "merge", "John Smith") == 1

    daily = _daily(con)
    assert ("PERSON", "Johnny Smith") not in daily and daily["PERSON", "John Smith"] == (3, 2)
    assert _about(con, "a1")["PERSON", "John Smith"] == 2
    people = _query(con, "people_with_weapon", weapon="drone")
    assert [(r[0], r[2]) for r in people] == [("John Smith", 2)]
    # What an analyst types for the merged one finds the other.
    assert [(c.label, c.norm) for c in find_entities(con, "Johnny Smith")] == [("PERSON", "John Smith")]
    persons = [r for r in _query(con, "new_entities", days="30") if r[0] == "PERSON"]
    assert [(r[1], r[5]) for r in persons] == [("John Smith", 3)]
    assert _summaries(con) == _rebuilt(con)

    # An entity merged into one that is merged on counts as the last; a circle is refused.
    assert _judge(con, "a2", "Poland", "merge", "country:RUS") == 1
    assert _judge(con, "a1", "Russia", "merge", "DEU") == 1
    assert _daily(con)["COUNTRY", "DEU"] == (4, 2)  # Germany, Russia twice, and Poland via Russia
    assert ("COUNTRY", "POL") not in _daily(con)
    circle = Verdict(_item(con, "a1", "Germany"), "merge", "POL", "ana", "sample")
    assert [e.problem for e in check_verdicts(con, [circle])] == [
        "merge: that is the mention's own entity, or one already merged into it"
    ]


def test_a_merge_reaches_mentions_a_verdict_gave_that_entity(con: duckdb.DuckDBPyConnection) -> None:
    _judge(con, "a1", "Russia", "wrong_norm", "POL")  # a1 now names Poland, which only a2 wrote
    assert _about(con, "a1")["COUNTRY", "POL"] == 1
    _judge(con, "a2", "Poland", "merge", "DEU")
    assert ("COUNTRY", "POL") not in _about(con, "a1") and _about(con, "a1")["COUNTRY", "DEU"] == 2
    assert ("COUNTRY", "POL") not in _daily(con)
    assert _summaries(con) == _rebuilt(con)


def test_verdicts_apply_again_after_reprocessing_and_reloads(con: duckdb.DuckDBPyConnection) -> None:
    _judge(con, "a1", "Germany", "not_entity")
    _judge(con, "a1", "Russia", "wrong_norm", "UKR")
    _judge(con, "a1", "Johnny Smith", "merge", "John Smith")
    judged = _daily(con)

    # A new model: other method and confidences, one sentence for the whole text.
    redone = [replace(m, confidence=0.5) for m in _mentions({"a1": TEXTS["a1"]}, method="model", whole=True)]
    replace_mentions(con, "r2", "v2", ["a1"], mention_table(redone, TEXTS), DEFAULT_MODELS)
    assert con.execute(
        "SELECT DISTINCT pipeline_version FROM mentions WHERE article_id = 'a1'"
    ).fetchall() == [("v2",)]
    assert _daily(con) == judged and unmatched_count(con) == 0
    assert _summaries(con) == _rebuilt(con)

    # The article edited at the top: every offset moves, the words around each mention do not.
    edited = {"a1": "Updated with a statement from the ministry. " + TEXTS["a1"]}
    load_batch(
        con,
        "r3",
        "v2",
        [_article("a1", edited["a1"])],
        mention_table(_mentions(edited), edited),
        [],
        DEFAULT_MODELS,
    )
    assert con.execute("SELECT min(start_char) FROM mentions WHERE article_id = 'a1'").fetchall() == [(44,)]
    assert _daily(con) == judged and unmatched_count(con) == 0
    assert _summaries(con) == _rebuilt(con)


def test_a_batch_is_counted_as_judged_whichever_verdicts_exist(con: duckdb.DuckDBPyConnection) -> None:
    # A verdict on a1 alone: a2's reload is counted as loaded, a1's keeps the verdict.
    _judge(con, "a1", "Germany", "not_entity")
    for article_id in ("a2", "a1"):
        only = {article_id: TEXTS[article_id]}
        articles = [_article(article_id, TEXTS[article_id])]
        load_batch(con, "r2", "v1", articles, mention_table(_mentions(only), only), [], DEFAULT_MODELS)
    assert ("COUNTRY", "DEU") not in _about(con, "a1") and _about(con, "a2")["COUNTRY", "POL"] == 1
    assert _summaries(con) == _rebuilt(con)

    # A merge reaches an article loaded after it, which no verdict names.
    _judge(con, "a1", "Johnny Smith", "merge", "John Smith")
    later = {"a3": "Johnny Smith met John Smith."}
    rows = [
        _mention(later["a3"], ("a3", "Johnny Smith", 0, "PERSON", "Johnny Smith", "name", 0.5, {})),
        _mention(later["a3"], ("a3", "John Smith", 0, "PERSON", "John Smith", "name", 0.5, {})),
    ]
    load_batch(con, "r3", "v1", [_article("a3", later["a3"])], mention_table(rows, later), [], DEFAULT_MODELS)
    assert _about(con, "a3") == {("PERSON", "John Smith"): 2}
    assert _summaries(con) == _rebuilt(con)


def test_a_verdict_whose_mention_is_gone_is_listed_not_dropped(con: duckdb.DuckDBPyConnection) -> None:
    _judge(con, "a1", "Germany", "not_entity")
    _judge(con, "a1", "Patriot", "correct")
    assert unmatched_verdicts(con) == [] and unmatched_count(con) == 0

    without = _mentions({"a1": TEXTS["a1"]}, skip="Germany")
    replace_mentions(con, "r2", "v2", ["a1"], mention_table(without, TEXTS), DEFAULT_MODELS)
    (gone,) = unmatched_verdicts(con)
    assert (gone.article_id, gone.label, gone.text, gone.verdict) == (
        "a1",
        "COUNTRY",
        "Germany",
        "not_entity",
    )
    assert gone.context_after == ". Minister John Smith said Russi"
    assert unmatched_count(con) == 1
    assert con.execute("SELECT text FROM verdicts_unmatched").fetchall() == [("Germany",)]

    replace_mentions(
        con, "r3", "v3", ["a1"], mention_table(_mentions({"a1": TEXTS["a1"]}), TEXTS), DEFAULT_MODELS
    )
    assert unmatched_count(con) == 0 and ("COUNTRY", "DEU") not in _daily(con)  # found, and applied


def test_verdicts_that_cannot_be_recorded_are_errors_not_crashes(con: duckdb.DuckDBPyConnection) -> None:
    good = Verdict(_item(con, "a2", "Poland"), "correct", None, "ana", "sample")
    unknown = Verdict("0123456789abcdef", "correct", None, "ana", "sample")
    no_target = Verdict(_item(con, "a2", "Russia"), "merge", "Atlantis", "ana", "new")
    no_label = Verdict(_item(con, "a2", "drone"), "wrong_label", None, "ana", "low_confidence")
    same_label = Verdict(_item(con, "a2", "John Smith"), "wrong_label", "PERSON", "ana", "sample")
    not_a_code = Verdict(_item(con, "a1", "Germany"), "wrong_norm", "Deutschland", "ana", "sample")
    given = [good, unknown, no_target, no_label, same_label, not_a_code]
    errors = check_verdicts(con, given)
    assert [(e.item_id, e.problem) for e in errors] == [
        (unknown.item_id, "no current mention has this item id"),
        (no_target.item_id, "merge: no entity has the id or norm 'Atlantis'"),
        (no_label.item_id, "wrong_label needs a correction"),
        (same_label.item_id, "wrong_label: the mention is a PERSON already"),
        (
            not_a_code.item_id,
            "wrong_norm: a country's norm is its ISO 3166-1 alpha-3 code, not 'Deutschland'",
        ),
    ]
    assert record_verdicts(con, given) == 1
    assert con.execute("SELECT item_id, text, context_before FROM verdicts").fetchall() == [
        (good.item_id, "Poland", "Russia tested a drone near ")
    ]
    assert record_verdicts(con, [unknown]) == 0


def test_review_queue(con: duckdb.DuckDBPyConnection) -> None:
    queue = review_queue(con, new=3, low=2, sample=4, seed=7)
    ids = [item.item_id for item in queue]
    assert len(ids) == len(set(ids)) == 9
    assert [item.queue for item in queue] == ["new"] * 3 + ["low_confidence"] * 2 + ["sample"] * 4
    assert review_queue(con, new=3, low=2, sample=4, seed=7) == queue
    draws = {tuple(i.item_id for i in review_queue(con, new=0, low=0, sample=4, seed=s)) for s in range(8)}
    assert len(draws) > 1  # another seed, another sample
    sample = [i.item_id for i in review_queue(con, new=0, low=0, sample=4, seed=7)]
    assert sample == ids[5:]  # drawn before the other queues take their items

    lowest = [i for i in queue if i.queue == "low_confidence"]
    not_sampled = sorted(
        (m.confidence, m.text)
        for m in _mentions(TEXTS)
        if _item(con, m.article_id, m.text) not in ids[:3] + ids[5:]
    )
    assert [(i.confidence, i.text) for i in lowest] == not_sampled[:2]
    for item in queue:  # start and end mark the mention in its sentence
        assert item.sentence[item.start : item.end] == item.text and item.url.endswith(item.article_id)

    record_verdicts(con, [Verdict(i.item_id, "correct", None, "ana", i.queue) for i in queue])
    again = review_queue(con, new=20, low=20, sample=20, seed=7)
    assert not {i.item_id for i in again} & set(ids)
    assert len(again) == len(FOUND) - 9 and {i.queue for i in again} == {"sample"}


def test_the_new_queue_holds_entities_first_seen_in_recent_runs(con: duckdb.DuckDBPyConnection) -> None:
    a3 = "Sweden bought the CV90 from no one."
    runs.start_run(con, "r2", "ingest", "model", "v1")
    rows = [
        ("a3", "Sweden", 0, "COUNTRY", "SWE", "name", 0.9, {}),
        ("a3", "CV90", 0, "WEAPON", "CV90", "name", 0.9, {}),
    ]
    found = [_mention(a3, row) for row in rows]
    load_batch(con, "r2", "v1", [_article("a3", a3)], mention_table(found, {"a3": a3}), [], DEFAULT_MODELS)
    fresh = review_queue(con, recent_runs=1, new=10, low=0, sample=0, seed=1)
    assert sorted(i.text for i in fresh) == ["CV90", "Sweden"]
    assert {i.queue for i in fresh} == {"new"}
    every = review_queue(con, recent_runs=5, new=50, low=0, sample=0, seed=1)  # fewer runs: all entities
    assert len(every) == len({(r[3], r[4]) for r in FOUND}) + 2


def test_precision_from_the_sample_queue_only(con: duckdb.DuckDBPyConnection) -> None:
    def verdict(article_id: str, words: str, kind: Kind, queue: Queue) -> Verdict:
        return Verdict(_item(con, article_id, words), kind, None, "ana", queue)

    record_verdicts(
        con,
        [
            verdict("a2", "Russia", "correct", "sample"),
            verdict("a2", "Poland", "correct", "sample"),
            verdict("a1", "Germany", "not_entity", "sample"),
            verdict("a2", "drone", "correct", "sample"),
            verdict("a1", "drones", "not_entity", "sample"),
            verdict("a1", "Johnny Smith", "not_entity", "low_confidence"),  # not counted
            verdict("a1", "Patriot", "not_entity", "new"),  # not counted
        ],
    )
    found = {(p.by, p.key): p for p in precision_estimates(con)}
    assert set(found) == {("label", "COUNTRY"), ("label", "WEAPON"), ("method", "gazetteer")}
    country, method = found["label", "COUNTRY"], found["method", "gazetteer"]
    assert (country.n, country.correct) == (3, 2) and (method.n, method.correct) == (5, 3)
    expected = wilson_interval(2, 3)
    assert (country.estimate, country.low, country.high) == (expected.estimate, expected.low, expected.high)
    assert found["label", "WEAPON"].estimate == 0.5


def test_exported_patch_applies_to_models(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    models = tmp_path / "copy" / "models"
    for name in FILES:
        (models / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DEFAULT_MODELS / name, models / name)
    _judge(con, "a1", "Johnny Smith", "not_entity")
    _judge(con, "a1", "drones", "not_entity")
    _judge(con, "a2", "John Smith", "wrong_norm", "John Q. Smith")
    patch = export_patch(con, models)
    assert '+{"name": "Johnny Smith", "aliases": [], "country": null, "kind": "other"' in patch
    assert (
        "# WEAPON 'drone' is a listed head" in patch
        and '"name": "John Q. Smith", "aliases": ["John Smith"]' in patch
    )
    (models.parent / "verdicts.patch").write_text(patch, encoding="utf-8")
    done = subprocess.run(
        ["git", "apply", "--check", "verdicts.patch"],
        cwd=models.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
