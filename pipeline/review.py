"""What an analyst reviews after a run: rows per article and the evidence behind each mention.

Pure rendering: records in, table rows and Markdown out. Article text and titles come from the
web, so everything taken from them is escaped before it is put into Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from pipeline.norms.countries import country_name
from pipeline.records import Event, Mention

LABEL_COLUMNS = {"PERSON": "people", "COUNTRY": "countries", "WEAPON": "weapons"}
# Markdown that can act mid-line: links, emphasis, code spans, strike-through, table cells.
# Line-start syntax (headings, lists) is the caller's: see `line_start_safe`.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()|~])")
_SPACES = re.compile(r"\s+")
# What makes a line a heading, list item, rule or setext underline when it starts the line.
_LINE_START = re.compile(r"^([#+=-])")
_LINE_START_NUMBER = re.compile(r"^(\d+)([.)])")


@dataclass(frozen=True)
class ReviewArticle:
    """An article as the review shows it, with its mentions and weapon events in text order. The
    evidence is rendered from this record alone: what else the review comes to show of an article
    is a field here."""

    article_id: str
    url: str
    title: str | None
    site: str | None
    published_at: datetime | None
    mentions: tuple[Mention, ...]
    events: tuple[Event, ...] = ()


def escape_md(text: str) -> str:
    """Text shown literally in Markdown: HTML and Markdown syntax escaped, on one line."""
    return escape_inline(text).strip()


def escape_inline(text: str) -> str:
    """`escape_md` for a piece of a line: runs of whitespace become one space, kept at the ends so
    pieces escaped apart join as the text did."""
    text = _SPACES.sub(" ", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def line_start_safe(line: str) -> str:
    """An escaped line that starts a Markdown line (or a list item's or quote's content): text
    that would start a heading, list or rule there ("# 1", "- x", "3. y") is escaped as well."""
    return _LINE_START_NUMBER.sub(r"\1\\\2", _LINE_START.sub(r"\\\1", line))


def link(title: str | None, url: str) -> str:
    """A Markdown link whose text is escaped and whose target cannot close the link early."""
    target = url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    return f"[{escape_md(title or url)}]({target})"


def marked_sentence(mention: Mention) -> str:
    """The mention's sentence, escaped, with the mention itself in bold."""
    offset = mention.start - mention.sentence_start
    sentence = mention.sentence
    if sentence[offset : offset + len(mention.text)] != mention.text:
        offset = sentence.find(mention.text)
    if offset < 0:
        return escape_md(sentence)
    end = offset + len(mention.text)
    return f"{escape_md(sentence[:offset])} **{escape_md(mention.text)}** {escape_md(sentence[end:])}".strip()


def table_rows(
    articles: Iterable[ReviewArticle], country_names: Mapping[str, str] | None = None
) -> list[dict[str, str]]:
    """One row per article: linked title, source, date, and the distinct names per label;
    countries by the name an analyst knows them by (`country_names`, else pycountry's)."""
    rows = []
    for article in articles:
        row = {
            "title": link(article.title, article.url),
            "source": article.site or "",
            "published": article.published_at.date().isoformat() if article.published_at else "",
        }
        for label, column in LABEL_COLUMNS.items():
            names = (shown_name(m, country_names) for m in article.mentions if m.label == label)
            row[column] = "; ".join(_distinct(names))
        rows.append(row)
    return rows


def shown_name(mention: Mention, country_names: Mapping[str, str] | None) -> str:
    """What a mention stands for, as an analyst reads it: a country by its name, else the norm,
    else the text."""
    if mention.label == "COUNTRY" and mention.norm:
        return country_name(mention.norm, country_names)
    return mention.norm or mention.text


def _distinct(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
