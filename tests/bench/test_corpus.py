"""The benchmark's inputs: cycled copies must be distinct articles to newsint."""

from __future__ import annotations

from bench.corpus import article_paths, feed_xml
from bench.synthetic import MENTIONS_PER_ARTICLE, synthetic_mentions
from pipeline.feeds import parse_feed


def test_cycled_copies_are_distinct_articles() -> None:
    paths = [path for path, _ in article_paths(["p1", "p2", "p3"], 7)]
    entries, skipped = parse_feed(feed_xml("bench", "http://127.0.0.1:1", paths), "http://127.0.0.1:1/f.xml")
    assert skipped == 0
    assert len({e.article_id for e in entries}) == 7
    assert sum("/articles/p1.html" in e.url for e in entries) == 3  # copies 0, 1 and 2 of page p1


def test_synthetic_mentions_cover_every_label() -> None:
    articles, mentions = synthetic_mentions(3 * MENTIONS_PER_ARTICLE)
    flat = [m for ms in mentions.values() for m in ms]
    assert len(articles) == 3 and len(flat) == 3 * MENTIONS_PER_ARTICLE
    assert {m.label for m in flat} == {"PERSON", "COUNTRY", "WEAPON"}
    assert all(m.article_id in mentions for m in flat)
