"""Fuzzing the parsing path (feed bytes -> entries, page bytes -> article) with real feeds as seeds."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.articles import ExtractionError, extract_article
from pipeline.feeds import FeedError, parse_feed
from pipeline.records import FeedEntry
from tests.conftest import shared_file
from tests.reliability.conftest import Ledger

FUZZ = "Fuzzing"
WEB_FEED = "https://fuzz.example/feed.xml"
ENTRY = FeedEntry("fuzz", "https://fuzz.example/a", WEB_FEED, "t", None, None, None)
AT = datetime(2024, 1, 1, tzinfo=UTC)


def seeds() -> list[bytes]:
    """Every feed listed in the shared benchmark manifest, read in place."""
    manifest = shared_file("benchmarks/feeds/manifest.jsonl")
    files = [json.loads(line)["file"] for line in manifest.read_text(encoding="utf-8").splitlines() if line]
    return [(manifest.parent / name).read_bytes() for name in files]


@st.composite
def mutated(draw: st.DrawFn, corpus: list[bytes]) -> bytes:
    """A seed feed cut, spliced with random bytes, or with bytes flipped; or plain random bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=4000))
    data = bytearray(draw(st.sampled_from(corpus)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        how = draw(st.sampled_from(["cut", "insert", "flip", "repeat"]))
        if how == "cut":
            data = data[:at]
        elif how == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64) | st.sampled_from(TOKENS))
        elif how == "flip" and at < len(data):
            data[at] ^= draw(st.integers(1, 255))
        elif how == "repeat":
            data[at:at] = data[max(0, at - 200) : at] * draw(st.integers(1, 20))
    return bytes(data)


# Fragments that stress a feed parser's edge cases: entities, CDATA, encodings, DOCTYPEs.
TOKENS = [
    b"&",
    b"&amp;",
    b"&#0;",
    b"&#xD800;",
    b"&undefined;",
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"\xef\xbb\xbf",
    b'<?xml version="1.0" encoding="shift_jis"?>',
    b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>",
    b"<item>",
    b"</item>",
    b"<link>",
    b"javascript:alert(1)",
    b"\x00",
    b"\xff\xfe",
    b"<entry>",
    b"</feed>",
]


@pytest.mark.case(FUZZ, "Random and mutated feeds and pages from ../shared/benchmarks/feeds", "no crash")
def test_parsing_path_never_crashes(ledger: Ledger) -> None:
    corpus = seeds()

    @settings(
        max_examples=300,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(mutated(corpus))
    def check(body: bytes) -> None:
        ledger.inputs_tried += 1
        try:
            entries, skipped = parse_feed(body, WEB_FEED)
        except FeedError:
            entries, skipped = [], 0
        assert skipped >= 0
        assert all(e.url.startswith(("http://", "https://")) for e in entries)
        try:
            article = extract_article(body, ENTRY, AT, ["en"])
        except ExtractionError:
            return
        assert article.text and article.status in ("ok", "non_english", "teaser")

    check()
