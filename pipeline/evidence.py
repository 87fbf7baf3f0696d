"""The evidence artifact: per article, what it names and the sentences that name it, marked inline,
in pages small enough for the artifact store.

Pure rendering like `review`: records in, Markdown out, everything taken from an article escaped.
An article's evidence is built from its `ReviewArticle` alone, as lists of lines (names with
counts, marked sentences): what else a review comes to show of an article is one more list.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence

from pipeline.norms.countries import country_name
from pipeline.records import Event, Mention
from pipeline.review import (
    LABEL_COLUMNS,
    ReviewArticle,
    escape_inline,
    escape_md,
    line_start_safe,
    link,
    shown_name,
)

# Below every gazetteer and model prior in models/pipeline.toml [confidence]: capitals read as
# their country ("Moscow said") and people found by rules alone, the mentions worth a second look.
LOW_CONFIDENCE = 0.75
TITLE_CHARS = 300  # a longer "title" is page junk, and must not crowd the evidence off its page
LEGEND = (
    "Each sentence that names a person, country or weapon, once, in text order: every mention in "
    "bold, then in brackets its label and, where it differs from the text, → the name it stands "
    f"for (→ ? when none was found). ⚠ marks a confidence below {LOW_CONFIDENCE:.2f}, with how the "
    "mention was found. Every mention's method and confidence are in the `mentions` table. Then "
    "each weapon event the article reports: its type, weapon, who acted → the other side, status, "
    "and the number of the sentence that says it.\n"
)
EMPTY = "# Evidence\n\nNo new or changed articles in this run.\n"

Names = Mapping[str, str] | None


def json_size(text: str) -> int:
    """Bytes `text` takes as a JSON string, non-ASCII as \\u escapes: the most any client sends."""
    return len(json.dumps(text))


def page_key(key: str, page: int) -> str:
    """The artifact key of a page: the first keeps `key`, so the UI's link to it stays the same."""
    return key if page == 1 else f"{key}-{page}"


def evidence_pages(
    articles: Sequence[ReviewArticle], key: str, max_bytes: int, country_names: Names = None
) -> list[tuple[str, str]]:
    """The evidence of `articles` as (artifact key, Markdown) pages, in article order, each at most
    `max_bytes` as a JSON string; every article is on one page, the first page says how many."""
    if not articles:
        return [(key, EMPTY)]
    budget = max_bytes - _header_reserve(len(articles), key)
    blocks = [article_evidence(a, budget, country_names) for a in articles]
    spans = _pack([json_size(b) - 2 for b in blocks], budget - 2)
    return [
        (
            page_key(key, n),
            _header(n, len(spans), span, len(articles), key) + "".join(blocks[span.start : span.stop]),
        )
        for n, span in enumerate(spans, start=1)
    ]


def article_evidence(article: ReviewArticle, max_bytes: int, country_names: Names = None) -> str:
    """An article's heading, then its entities by label with counts, then each sentence that names
    one, marked; lines past `max_bytes` (as a JSON string) are left to the warehouse."""
    head = f"\n## {link(_title(article.title), article.url)}\n\n{_source(article)}"
    if not article.mentions:
        return head + "No people, countries or weapons found.\n"
    entities = [f"- {line}\n" for line in entity_lines(article.mentions, country_names)]
    sentences = [f"1. {line}\n" for line in sentence_lines(article.mentions, country_names)]
    events = [f"- {line}\n" for line in event_lines(article, country_names)]
    said = ["\n**Weapon events:**\n\n", *events] if events else []
    return _fit(head, [*entities, "\n", *sentences, *said], max_bytes)


def entity_lines(mentions: Sequence[Mention], country_names: Names = None) -> list[str]:
    """Per label, the names mentioned with how often, most mentioned first (then first named)."""
    counts: dict[str, Counter[str]] = {}
    for m in mentions:
        counts.setdefault(m.label, Counter())[shown_name(m, country_names)] += 1
    labels = [*LABEL_COLUMNS, *sorted(set(counts) - set(LABEL_COLUMNS))]
    return [
        f"**{LABEL_COLUMNS.get(label, label).capitalize()}:** "
        + " · ".join(f"{escape_md(name)} ({n})" for name, n in counts[label].most_common())
        for label in labels
        if label in counts
    ]


def sentence_lines(mentions: Sequence[Mention], country_names: Names = None) -> list[str]:
    """Each sentence with mentions once, in text order, with all of its mentions marked."""
    return [marked_line(sentence, group, country_names) for (_, sentence), group in _sentences(mentions)]


def _sentences(mentions: Sequence[Mention]) -> list[tuple[tuple[int, str], list[Mention]]]:
    """The mentions grouped by sentence ((start, sentence), mentions), in text order: the order,
    and so the numbers, of `sentence_lines`."""
    by_sentence: dict[tuple[int, str], list[Mention]] = {}
    for m in mentions:
        by_sentence.setdefault((m.sentence_start, m.sentence), []).append(m)
    return sorted(by_sentence.items(), key=lambda item: item[0][0])


def event_lines(article: ReviewArticle, country_names: Names = None) -> list[str]:
    """One line per weapon event, in text order: type (negated ones said so), weapon, actors →
    counterparts by name, status, what the sentence gives of quantity, value and date, and the
    sentence: the number in `sentence_lines` of the one holding its weapon (the event's own
    sentence may be split otherwise), or quoted when none holds it."""
    spans = [(start, start + len(sentence)) for (start, sentence), _ in _sentences(article.mentions)]
    return [_event_line(e, _holding(spans, e.weapon_start), country_names) for e in article.events]


def _holding(spans: Sequence[tuple[int, int]], at: int) -> int | None:
    """The number (from 1) of the span holding offset `at`, if one does."""
    return next((n for n, (start, end) in enumerate(spans, 1) if start <= at < end), None)


def _event_line(event: Event, sentence: int | None, country_names: Names) -> str:
    what = f"**{event.type}**" + (" **negated**" if event.negated else "")
    facts = [f"{what} of {escape_md(event.weapon)}", _roles(event, country_names), event.status]
    if event.quantity is not None:
        facts.append(f"{event.quantity} units")
    if event.value_amount is not None:
        facts.append(f"{event.value_amount:,.0f} {escape_md(event.value_currency or '')}".strip())
    if event.when:
        facts.append(f"when {escape_md(event.when)}")
    where = f"sentence {sentence}" if sentence else f"“{escape_md(event.sentence)}”"
    return f"{' · '.join(facts)} ({where})"


def _roles(event: Event, country_names: Names) -> str:
    """'actors → counterparts' by display name, ? for a side nobody is named on."""
    actors = " and ".join(escape_md(country_name(c, country_names)) for c in event.actors) or "?"
    if not event.counterparts:
        return actors
    return f"{actors} → {' and '.join(escape_md(country_name(c, country_names)) for c in event.counterparts)}"


def marked_line(sentence: str, mentions: Sequence[Mention], country_names: Names = None) -> str:
    """The sentence escaped, each run of overlapping mentions in bold once, followed by what each
    of them is; a mention whose text is not in the sentence is listed after it."""
    spans, unplaced = _spans(sentence, mentions)
    parts: list[str] = []
    at = 0
    for start, end, group in spans:
        parts += [escape_inline(sentence[at:start]), _marked(sentence[start:end], group, country_names)]
        at = end
    parts.append(escape_inline(sentence[at:]))
    if unplaced:
        also = ", ".join(_marked(m.text, [m], country_names) for m in unplaced)
        parts.append(f" (also: {also})")
    return line_start_safe("".join(parts).strip())


def _spans(
    sentence: str, mentions: Sequence[Mention]
) -> tuple[list[tuple[int, int, list[Mention]]], list[Mention]]:
    """Runs of overlapping or nested mentions as (start, end, mentions, outermost first), and the
    mentions not found in the sentence."""
    located: list[tuple[int, int, Mention]] = []
    unplaced: list[Mention] = []
    for m in mentions:
        at = _offset(sentence, m)
        if at is None:
            unplaced.append(m)
        else:
            located.append((at, at + len(m.text), m))
    spans: list[tuple[int, int, list[Mention]]] = []
    for start, end, m in sorted(located, key=lambda x: (x[0], -x[1])):
        if spans and start < spans[-1][1]:
            first, last, group = spans[-1]
            spans[-1] = (first, max(last, end), [*group, m])
        else:
            spans.append((start, end, [m]))
    return spans, unplaced


def _offset(sentence: str, mention: Mention) -> int | None:
    """Where the mention's text is in its sentence: at its offsets, else its first occurrence."""
    if not mention.text:
        return None
    at = mention.start - mention.sentence_start
    if at >= 0 and sentence[at : at + len(mention.text)] == mention.text:
        return at
    found = sentence.find(mention.text)
    return found if found >= 0 else None


def _marked(text: str, group: Sequence[Mention], country_names: Names) -> str:
    notes = "; ".join(_note(m, text, country_names) for m in group)
    return f"**{escape_md(text)}** *\\[{notes}\\]*"


def _note(mention: Mention, span: str, country_names: Names) -> str:
    """'LABEL → name', the name left out when it is the text; a nested mention names its text."""
    note = mention.label if mention.text == span else f"{escape_md(mention.text)}: {mention.label}"
    name = shown_name(mention, country_names) if mention.norm else None
    if name is None:
        note += " → ?"
    elif name != mention.text:
        note += f" → {escape_md(name)}"
    if mention.confidence < LOW_CONFIDENCE:
        how = mention.method + (f"/{mention.kind}" if mention.kind else "")
        note += f", ⚠ {escape_md(how)} {mention.confidence:.2f}"
    return note


def _title(title: str | None) -> str | None:
    if title is None or len(title) <= TITLE_CHARS:
        return title
    return title[:TITLE_CHARS] + "…"


def _source(article: ReviewArticle) -> str:
    published = article.published_at.date().isoformat() if article.published_at else None
    parts = [escape_md(p) for p in (article.site, published) if p]
    return line_start_safe(" · ".join(parts)) + "\n\n" if parts else ""


def _fit(head: str, lines: Sequence[str], max_bytes: int) -> str:
    """`head` and as many of `lines` as fit in `max_bytes` as a JSON string, then what was left."""
    whole = head + "".join(lines)
    if json_size(whole) <= max_bytes:
        return whole
    room = max_bytes - json_size(head) - json_size(_cut(len(lines)))
    kept = 0
    for line in lines:
        room -= json_size(line) - 2
        if room < 0:
            break
        kept += 1
    return head + "".join(lines[:kept]) + _cut(sum(1 for line in lines[kept:] if line.strip()))


def _cut(left: int) -> str:
    see = "see `mentions` and `events`"
    return f"\n*{left} more lines of this article's evidence do not fit on a page: {see}.*\n"


def _pack(sizes: Sequence[int], budget: int) -> list[range]:
    """Consecutive items in pages of at most `budget` in all (an item larger alone has its own)."""
    pages: list[range] = []
    start = used = 0
    for i, size in enumerate(sizes):
        if i > start and used + size > budget:
            pages.append(range(start, i))
            start, used = i, 0
        used += size
    pages.append(range(start, len(sizes)))
    return pages


def _header(page: int, pages: int, span: range, total: int, key: str) -> str:
    if pages == 1:
        return f"# Evidence\n\n{total} new or changed articles.\n\n{LEGEND}"
    if page > 1:
        return (
            f"# Evidence, page {page} of {pages}\n\nArticles {span.start + 1}–{span.stop} of {total}; "
            f"page 1 is under the key `{key}`.\n\n{LEGEND}"
        )
    rest = (
        f"key `{page_key(key, 2)}`"
        if pages == 2
        else f"keys `{page_key(key, 2)}` to `{page_key(key, pages)}`"
    )
    return (
        f"# Evidence\n\n{total} new or changed articles on {pages} pages: articles 1–{span.stop} "
        f"here, the others under the {rest}.\n\n{LEGEND}"
    )


def _header_reserve(total: int, key: str) -> int:
    """The most a page's header can take: every number in it at its largest, `total`."""
    most = max(total, 3)
    return max(json_size(_header(page, most, range(most - 1, most), most, key)) - 2 for page in (1, most))
