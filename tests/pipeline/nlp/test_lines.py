"""Sentence starts set before the parser: each line, and the words after a line's dateline."""

from __future__ import annotations

import spacy

from pipeline.nlp.lines import LINE_BREAKS


def _starts(text: str) -> list[str]:
    nlp = spacy.blank("en")
    nlp.add_pipe(LINE_BREAKS)
    doc = nlp(text)
    return [t.text for t in doc if t.is_sent_start]


def test_each_line_and_the_words_after_a_dateline_start_a_sentence() -> None:
    text = "Chile buys new frigates\n\nSANTIAGO (Reuters) - The navy signed a deal. It costs more."
    # the first token is a start by definition; "It" is the parser's to decide
    assert _starts(text) == ["Chile", "SANTIAGO", "The"]


def test_a_dateline_with_a_country_and_a_dash_counts_and_a_sentence_alone_is_untouched() -> None:
    assert _starts("RIGA, Latvia — Troops arrived.\nThey stayed.") == ["RIGA", "Troops", "They"]
    assert _starts("Latvia bought tanks - and more - in 2024.") == ["Latvia"]
