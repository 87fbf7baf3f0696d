"""The evidence artifact: each sentence once with its mentions marked, entities counted per label,
web text kept literal, and pages that stay under the artifact store's limit."""

from __future__ import annotations

import json
import random
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from flows.artifacts import EVIDENCE_PAGE_BYTES
from pipeline.evidence import (
    article_evidence,
    entity_lines,
    event_lines,
    evidence_pages,
    marked_line,
    sentence_lines,
)
from pipeline.records import Event, Mention
from pipeline.review import ReviewArticle, escape_md, line_start_safe

KEY = "newsint-ingest-evidence"
AT = datetime(2024, 1, 14, 8, 45, tzinfo=UTC)
# What marking adds to a sentence: bold around a run of mentions, and the note after it.
MARKING = re.compile(r"(?<!\\)\*\*(.*?)\*\* \*\\\[(?:[^\\]|\\[^\]])*\\\]\*")


def mention(
    sentence: str,
    text: str,
    label: str,
    norm: str | None,
    *,
    at: int = 0,
    nth: int = 0,
    method: str = "gazetteer",
    kind: str | None = "name",
    confidence: float = 0.9,
) -> Mention:
    """A mention of the `nth` occurrence of `text` in `sentence`, which starts at `at` in the article."""
    start = -1
    for _ in range(nth + 1):
        start = sentence.index(text, start + 1)
    return Mention(
        "a1", at + start, at + start + len(text), text, label, norm, method, kind, confidence, sentence, at
    )


def event(
    sentence: str,
    at: int,
    type_: str,
    weapon_text: str,
    actors: tuple[str, ...],
    counterparts: tuple[str, ...] = (),
    **fields: Any,
) -> Event:
    """An event about the first `weapon_text` of `sentence`, which starts at `at` in the article;
    completed and not negated unless `fields` say otherwise."""
    start = at + sentence.index(weapon_text)
    end = start + len(weapon_text)
    plain = Event(
        "a1",
        at,
        at + len(sentence),
        sentence,
        type_,
        weapon_text,
        start,
        end,
        weapon_text,
        actors,
        counterparts,
        "completed",
        None,
        None,
        None,
        None,
        False,
        "rule",
        "cue",
        0.8,
    )
    return replace(plain, **fields)


def unmarked(line: str) -> str:
    """A marked line without its bold and notes: the escaped sentence, if marking kept it whole."""
    return MARKING.sub(r"\1", line)


def test_a_sentence_is_shown_once_with_every_mention_marked() -> None:
    first = "Kim Jong Un watched the Hwasong-18 launch with Russian officers."
    second = "Later Kim praised the missile and Russia."
    at = len(first) + 1
    mentions = (
        mention(first, "Kim Jong Un", "PERSON", "Kim Jong Un"),
        mention(first, "Hwasong-18", "WEAPON", "Hwasong-18", method="pattern", kind=None, confidence=0.75),
        mention(first, "Russian", "COUNTRY", "RUS", kind="adjective", confidence=0.85),
        mention(second, "Kim", "PERSON", "Kim Jong Un", at=at, method="model", kind="short_form"),
        mention(second, "Russia", "COUNTRY", "RUS", at=at),
    )
    lines = sentence_lines(mentions, {"RUS": "Russia"})
    assert lines == [
        "**Kim Jong Un** *\\[PERSON\\]* watched the **Hwasong-18** *\\[WEAPON\\]* launch with"
        " **Russian** *\\[COUNTRY → Russia\\]* officers.",
        "Later **Kim** *\\[PERSON → Kim Jong Un\\]* praised the missile and **Russia** *\\[COUNTRY\\]*.",
    ]
    ((_, page),) = evidence_pages(
        [ReviewArticle("a1", "https://x.example/a", "T", "S", AT, mentions[::-1])], KEY, 10_000
    )
    assert page.count("watched the") == 1 and page.count("praised the missile") == 1
    assert page.index("watched the") < page.index("praised the missile")  # text order, whatever given


def test_overlapping_and_nested_mentions_leave_the_sentence_whole() -> None:
    sentence = "Jordan Peterson saw the Hwasong-18 ICBM launch, a North Korean Hwasong-18 test."
    mentions = [
        mention(sentence, "Jordan Peterson", "PERSON", "Jordan Peterson", method="model", kind=None),
        mention(sentence, "Jordan", "COUNTRY", "JOR"),  # nested
        mention(sentence, "Hwasong-18 ICBM", "WEAPON", "Hwasong-18"),
        mention(sentence, "ICBM launch", "WEAPON", None, method="pattern", kind=None),  # overlaps its end
        mention(sentence, "North Korean", "COUNTRY", "PRK", kind="adjective"),
        mention(sentence, "Korean", "PERSON", None, method="model", kind=None),  # same end, shorter
        mention(sentence, "Hwasong-18", "WEAPON", "Hwasong-18", nth=1),
    ]
    line = marked_line(sentence, mentions)
    assert unmarked(line) == escape_md(sentence)
    assert "**Jordan Peterson** *\\[PERSON; Jordan: COUNTRY\\]*" in line
    assert (
        "**Hwasong-18 ICBM launch** *\\[Hwasong-18 ICBM: WEAPON → Hwasong-18; ICBM launch: WEAPON → ?\\]*"
    ) in line
    assert "**North Korean** *\\[COUNTRY → North Korea; Korean: PERSON → ?\\]*" in line
    assert line.endswith("?\\]* **Hwasong-18** *\\[WEAPON\\]* test.")  # a run of one after a run of two


def test_a_mention_whose_offsets_miss_is_found_in_its_sentence_or_listed_after_it() -> None:
    sentence = "Tokyo and Seoul agreed."
    shifted = Mention("a1", 2, 7, "Seoul", "COUNTRY", "KOR", "gazetteer", "capital", 0.7, sentence, 0)
    absent = Mention("a1", 0, 5, "Osaka", "COUNTRY", "JPN", "gazetteer", "city", 0.9, sentence, 0)
    line = marked_line(sentence, [shifted, absent])
    assert line == (
        "Tokyo and **Seoul** *\\[COUNTRY → South Korea, ⚠ gazetteer/capital 0.70\\]* agreed."
        " (also: **Osaka** *\\[COUNTRY → Japan\\]*)"
    )


def test_text_from_the_web_stays_literal() -> None:
    sentence = "# 1. <script>alert(1)</script> [click](javascript:x) a|b **loud** `rm` Evil said."
    evil = mention(sentence, "Evil", "PERSON", "Evil](javascript:alert(1)) <img src=x>", method="model")
    title = "<b>Drones</b> [x](javascript:alert(1)) | cell"
    article = ReviewArticle("a1", "https://x.example/a(b) c", title, "- Site|Name", AT, (evil,))
    ((_, page),) = evidence_pages([article], KEY, 10_000)
    assert "<script" not in page and "<b>" not in page and "<img" not in page
    assert page.count("](") == 1 and "](https://x.example/a%28b%29%20c)" in page  # the article's link only
    body = page[page.index("\n## ") :]  # the article's part of the page
    assert "a\\|b" in body and "\\| cell" in body and "`" not in body.replace("\\`", "")
    lines = body.splitlines()
    assert "\\- Site\\|Name · 2024-01-14" in lines  # not a list item
    (item,) = [line for line in lines if line.startswith("1. ")]
    assert item.startswith("1. \\# 1. &lt;script&gt;")  # the list item's text, not a heading in it
    note = "**Evil** *\\[PERSON → Evil\\]\\(javascript:alert\\(1\\)\\) &lt;img src=x&gt;\\]*"
    assert item[3:].replace(note, "Evil") == line_start_safe(escape_md(sentence))


def test_entities_are_grouped_by_label_with_counts() -> None:
    first = "North Korean and Russian officials met Kim Jong Un in Pyongyang."
    second = "Kim showed Russia the Hwasong-18 and a second Hwasong-18."
    at = len(first) + 1
    mentions = (
        mention(first, "North Korean", "COUNTRY", "PRK", kind="adjective"),
        mention(first, "Russian", "COUNTRY", "RUS", kind="adjective"),
        mention(first, "Kim Jong Un", "PERSON", "Kim Jong Un"),
        mention(first, "Pyongyang", "COUNTRY", "PRK", kind="capital", confidence=0.7),
        mention(second, "Kim", "PERSON", "Kim Jong Un", at=at, method="model"),
        mention(second, "Russia", "COUNTRY", "RUS", at=at),
        mention(second, "Hwasong-18", "WEAPON", "Hwasong-18", at=at),
        mention(second, "Hwasong-18", "WEAPON", "Hwasong-18", at=at, nth=1),
        mention(second, "Kim", "PERSON", None, at=at, method="model"),  # unresolved: by its text
    )
    assert entity_lines(mentions, {"RUS": "Russia"}) == [
        "**People:** Kim Jong Un (2) · Kim (1)",
        "**Countries:** North Korea (2) · Russia (2)",
        "**Weapons:** Hwasong-18 (2)",
    ]
    block = article_evidence(ReviewArticle("a1", "https://x.example/a", "T", "Wire", AT, mentions), 10_000)
    assert block.index("**People:**") < block.index("\n1. ")  # the summary, then the sentences
    assert "\nWire · 2024-01-14\n" in block


def test_an_article_without_mentions_says_so() -> None:
    block = article_evidence(ReviewArticle("a1", "https://x.example/a", None, None, None, ()), 10_000)
    assert "## [https://x.example/a](https://x.example/a)" in block
    assert "No people, countries or weapons found." in block
    assert evidence_pages([], KEY, 10_000) == [
        (KEY, "# Evidence\n\nNo new or changed articles in this run.\n")
    ]


def _article(i: int, rng: random.Random, sentences: int) -> ReviewArticle:
    """An article of `sentences` sentences, with web text that grows when escaped and JSON-encoded."""
    words = ["the", "missile", "test", "officials", "said", "a|b", "[x](y)", "<b>", "naïve", "“quoted”", "\\"]
    mentions: list[Mention] = []
    events: list[Event] = []
    at = 0
    for _ in range(sentences):
        filler = " ".join(rng.choice(words) for _ in range(rng.randint(5, 40)))
        sentence = f"Kim Jong Un told Japan {filler} about the Hwasong-18."
        mentions += [
            mention(sentence, "Kim Jong Un", "PERSON", "Kim Jong Un", at=at),
            mention(sentence, "Japan", "COUNTRY", "JPN", at=at),
            mention(sentence, "Hwasong-18", "WEAPON", "Hwasong-18", at=at, method="pattern", kind=None),
        ]
        events.append(event(sentence, at, "test", "Hwasong-18", ("PRK",), when=rng.choice(words)))
        at += len(sentence) + 1
    return ReviewArticle(
        f"a{i}", f"https://news.example/{i}", f"Story {i}", "Wire", AT, tuple(mentions), tuple(events)
    )


def test_a_500_article_run_splits_into_pages_under_the_limit() -> None:
    rng = random.Random(7)
    articles = [_article(i, rng, rng.randint(1, 40)) for i in range(500)]
    pages = evidence_pages(articles, KEY, EVIDENCE_PAGE_BYTES)
    assert len(pages) > 1
    assert [key for key, _ in pages] == [KEY] + [f"{KEY}-{n}" for n in range(2, len(pages) + 1)]
    for _, page in pages:
        assert len(json.dumps(page).encode()) <= EVIDENCE_PAGE_BYTES
        assert len(json.dumps(page, ensure_ascii=False).encode()) <= EVIDENCE_PAGE_BYTES
    text = "".join(page for _, page in pages)
    links = [int(n) for n in re.findall(r"\]\(https://news\.example/(\d+)\)", text)]
    assert links == list(range(500))  # every article once, in the run's order
    assert f"500 new or changed articles on {len(pages)} pages" in pages[0][1]
    assert f"# Evidence, page {len(pages)} of {len(pages)}" in pages[-1][1]
    assert "more lines of this article" not in text  # no article alone needs more than a page


def test_an_article_larger_than_a_page_is_cut_to_fit() -> None:
    rng = random.Random(3)
    big = _article(1, rng, 200)
    big = ReviewArticle(
        big.article_id, big.url, "x" * 10_000, big.site, big.published_at, big.mentions, big.events
    )
    articles = [_article(0, rng, 3), big, _article(2, rng, 3)]
    pages = evidence_pages(articles, KEY, 20_000)
    assert len(pages) == 3 and all(len(json.dumps(page)) <= 20_000 for _, page in pages)
    text = "".join(page for _, page in pages)
    assert [int(n) for n in re.findall(r"\]\(https://news\.example/(\d+)\)", text)] == [0, 1, 2]
    assert re.search(r"\*\d+ more lines of this article's evidence do not fit on a page", pages[1][1])
    assert "x" * 300 + "…" in text and "x" * 301 not in text  # a junk title is shortened


def test_each_event_is_a_line_naming_its_sentence_by_number() -> None:
    first = "North Korea did not test a Hwasong-18 on Sunday."
    second = "The United States approved the sale of 60 Harpoon missiles to Taiwan in 2024."
    unnamed = "The [deal] was | signed."
    at = len(first) + 1
    mentions = (
        mention(first, "North Korea", "COUNTRY", "PRK"),
        mention(first, "Hwasong-18", "WEAPON", "Hwasong-18"),
        mention(second, "United States", "COUNTRY", "USA", at=at),
        mention(second, "Harpoon", "WEAPON", "Harpoon", at=at),
        mention(second, "Taiwan", "COUNTRY", "TWN", at=at),
    )
    events = (
        event(first, 0, "test", "Hwasong-18", ("PRK",), negated=True),
        event(
            second,
            at,
            "transfer",
            "Harpoon",
            ("USA",),
            ("TWN",),
            status="approved",
            quantity=60,
            value_amount=1.1e9,
            value_currency="USD",
            when="2024",
        ),
        event(unnamed, 500, "transfer", "deal", ()),
        # Segmented otherwise than the mentions' sentence: named by the one holding its weapon.
        event(f"So. {second}", at - 4, "deployment", "Harpoon", ("USA",)),
    )
    article = ReviewArticle("a1", "https://x.example/a", "T", "S", AT, mentions, events)
    lines = event_lines(article, {"PRK": "N. Korea"})
    assert lines[0] == "**test** **negated** of Hwasong-18 · N. Korea · completed (sentence 1)"
    assert lines[1] == (
        "**transfer** of Harpoon · United States → Taiwan · approved · 60 units · 1,100,000,000 USD"
        " · when 2024 (sentence 2)"
    )
    # A sentence the numbered list does not hold is quoted, escaped.
    assert lines[2] == f"**transfer** of deal · ? · completed (“{escape_md(unnamed)}”)"
    assert lines[3] == "**deployment** of Harpoon · United States · completed (sentence 2)"
    block = article_evidence(article, 10_000, {"PRK": "N. Korea"})
    assert block.index("1. ") < block.index("**Weapon events:**") < block.index(f"- {lines[0]}")
    assert event_lines(ReviewArticle("a1", "u", None, None, None, mentions), None) == []
    assert "Weapon events" not in article_evidence(
        ReviewArticle("a1", "u", None, None, None, mentions), 10_000
    )
