"""What the NLP stage hands the warehouse writer for a batch: its mentions and weapon events as
Arrow tables, built where the batch was parsed (see `pipeline.mention_table`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa

from pipeline.event_table import event_table
from pipeline.forks import in_forks
from pipeline.mention_table import mention_table
from pipeline.records import Event, Mention

if TYPE_CHECKING:
    from pipeline.entities import Extractor


@dataclass(frozen=True)
class Findings:
    mentions: pa.Table
    events: pa.Table


def findings(parsed: Iterable[tuple[str, list[Mention], list[Event]]], texts: Mapping[str, str]) -> Findings:
    """`Extractor.analyse` output as the two tables, read once; `texts` maps each article id to
    the text it parsed."""
    mentions: list[Mention] = []
    events: list[Event] = []
    for _, found, said in parsed:
        mentions += found
        events += said
    return Findings(mention_table(mentions, texts), event_table(events))


def batch_findings(
    extractor: Extractor, items: Sequence[tuple[str, str]], processes: int, timeout: float
) -> Findings:
    """A batch's (id, text) pairs parsed in `processes` forked processes at once, each turning its
    part into tables before handing them back, so that work is spread over the cores too."""
    parts = in_forks(
        lambda part: findings(extractor.analyse(part), dict(part)),
        items,
        processes,
        timeout,
        weight=text_length,
    )
    return concat(parts)


def text_length(item: tuple[str, str]) -> int:
    """An (id, text) pair's weight when a batch is cut into parts: a parse costs about as much
    as its text is long."""
    return len(item[1])


def concat(parts: Sequence[Findings]) -> Findings:
    """Several batches' findings as one, in order (an empty sequence gives empty tables)."""
    if not parts:
        return findings([], {})
    return Findings(
        pa.concat_tables([p.mentions for p in parts]), pa.concat_tables([p.events for p in parts])
    )
