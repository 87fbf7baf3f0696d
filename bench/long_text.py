"""Entity finding on one long text: seconds and characters per second at growing lengths.

    .venv/bin/python -m bench.long_text [--lengths 10000,100000,200000,1000000]

The text is the bundled sample articles' text, repeated to each length. Linear cost shows as a
steady rate; a cost that grows with the square of the length shows as a rate falling tenfold
from 10k to 100k characters. `spaCy alone` is the same pipeline's `nlp.pipe` over the same pieces,
without turning its entities into mentions: the library's own cost on this text.
"""

from __future__ import annotations

import argparse
import time
from itertools import cycle

import trafilatura

from pipeline import REPO_ROOT
from pipeline.entities import Extractor
from pipeline.nlp.pieces import text_pieces
from pipeline.settings import Settings


def sample_text() -> str:
    pages = sorted((REPO_ROOT / "sample" / "articles").glob("*.html"))
    texts = (trafilatura.extract(page.read_text(encoding="utf-8")) for page in pages)
    return "\n\n".join(text for text in texts if text)


def text_of_length(source: str, length: int) -> str:
    paragraphs = cycle(source.split("\n\n"))
    parts: list[str] = []
    size = 0
    while size < length:
        parts.append(next(paragraphs))
        size += len(parts[-1]) + 2
    return "\n\n".join(parts)[:length]


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--lengths", default="10000,100000,200000,1000000")
    args = parser.parse_args()
    extractor = Extractor.from_settings(Settings())
    source = sample_text()
    list(extractor.extract([("warm-up", source[:5000])]))
    print(f"{'characters':>12} {'mentions':>9} {'seconds':>8} {'chars/s':>9} {'spaCy alone s':>14}")
    for length in (int(n) for n in args.lengths.split(",")):
        text = text_of_length(source, length)
        started = time.perf_counter()
        ((_, mentions),) = extractor.extract([("long", text)])
        took = time.perf_counter() - started
        started = time.perf_counter()
        pieces = (piece for _, piece in text_pieces(text, extractor.max_chars))
        with extractor.nlp.memory_zone():
            for _ in extractor.nlp.pipe(pieces):
                pass
        alone = time.perf_counter() - started
        print(f"{len(text):>12,} {len(mentions):>9,} {took:>8.2f} {len(text) / took:>9,.0f} {alone:>14.2f}")


if __name__ == "__main__":
    main()
