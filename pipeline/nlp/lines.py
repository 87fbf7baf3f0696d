"""A line break ends a sentence, and so does a dateline: a headline, a dateline or a list item is
never parsed as one sentence with the words after it, which would otherwise fill its roles."""

from __future__ import annotations

import bisect
import re

from spacy.language import Language
from spacy.tokens import Doc

# A dateline at the start of a line: "LONDON —", "KYIV (Reuters) -", "BEIRUT, Lebanon, March 3 —".
DATELINE = re.compile(
    r"[ \t]*[A-Z][A-Z.'’ -]{2,30}?(?:,[ \t]*[A-Z][\w.' -]{1,30}){0,2}"
    r"[ \t]*(?:\([^)\n]{1,30}\)[ \t]*)?[—–-]{1,2}\s"
)
LINE_BREAKS = "newsint_line_breaks"


@Language.component(LINE_BREAKS)
def line_breaks(doc: Doc) -> Doc:
    """Mark the first word of each line, and the first after a line's dateline, as a sentence
    start; runs before the parser, which keeps boundaries already set."""
    text = doc.text
    starts = [t.idx for t in doc]
    lines = [0, *(m.end() for m in re.finditer(r"\n", text))]
    for line in lines:
        dateline = DATELINE.match(text, line)
        for at in (line, dateline.end() if dateline else None):
            i = bisect.bisect_left(starts, at) if at is not None else len(doc)
            while i < len(doc) and doc[i].is_space:
                i += 1
            if 0 < i < len(doc):
                doc[i].is_sent_start = True
    return doc
