"""Cutting long texts for the parser: pieces cover the text exactly, in order, within the limit."""

from __future__ import annotations

import pytest

from pipeline.nlp.pieces import text_pieces


def _covers(text: str, limit: int) -> list[tuple[int, str]]:
    pieces = text_pieces(text, limit)
    assert "".join(piece for _, piece in pieces) == text
    assert all(text[offset : offset + len(piece)] == piece for offset, piece in pieces)
    assert all(0 < len(piece) <= limit for _, piece in pieces)
    return pieces


def test_a_text_within_the_limit_is_one_piece() -> None:
    assert text_pieces("Short text.", 100) == [(0, "Short text.")]


def test_pieces_end_at_paragraph_breaks_first() -> None:
    paragraphs = ["First paragraph. It has two sentences.", "Second one here.", "Third and last."]
    pieces = _covers("\n\n".join(paragraphs), 60)
    assert [piece.strip() for _, piece in pieces] == [
        f"{paragraphs[0]}\n\n{paragraphs[1]}".strip(),
        paragraphs[2],
    ]


@pytest.mark.parametrize(
    ("text", "ends"),
    [
        ("first line of text\nsecond line of text\nthird line of text", "\n"),
        ("A sentence ends. Another sentence ends. And one more", ". "),
        ("words only and spaces between every one of them", " "),
    ],
)
def test_without_paragraphs_a_piece_ends_at_the_next_best_break(text: str, ends: str) -> None:
    pieces = _covers(text, 30)
    assert len(pieces) > 1 and all(piece.endswith(ends) for _, piece in pieces[:-1])


def test_a_text_without_breaks_is_cut_at_the_limit() -> None:
    pieces = _covers("x" * 250, 100)
    assert [offset for offset, _ in pieces] == [0, 100, 200]


def test_a_break_early_in_the_window_is_not_used() -> None:
    # A cut after 5 characters would make many tiny pieces: cut at the limit instead.
    pieces = _covers("Start. " + "y" * 200, 100)
    assert [len(piece) for _, piece in pieces] == [100, 100, 7]
