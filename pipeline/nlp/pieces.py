"""Cutting a very long text into pieces the parser takes one at a time."""

from __future__ import annotations

# Where a piece may end, best first: between paragraphs, between lines, after a sentence, at a space.
BREAKS = ("\n\n", "\n", ". ", " ")


def text_pieces(text: str, limit: int) -> list[tuple[int, str]]:
    """(offset, piece) pairs covering `text` in order, each at most `limit` characters.

    A piece ends at the last paragraph break inside the limit, else the last line break, sentence
    end or space; only text with none of these in the second half of a window is cut mid-word.
    Most articles are one piece: the whole text at offset 0.
    """
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = next(
            (at + len(mark) for mark in BREAKS if (at := window.rfind(mark)) >= limit // 2),
            limit,
        )
        pieces.append((start, window[:cut]))
        start += cut
    pieces.append((start, text[start:]))
    return pieces
