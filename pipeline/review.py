"""What an analyst reviews after a run: rows per article and the evidence behind each mention.

Pure rendering: records in, table rows and Markdown out. Article text and titles come from the
web, so everything taken from them is escaped before it is put into Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from pipeline.norms.countries import country_name
from pipeline.records import Mention

LABEL_COLUMNS = {"PERSON": "people", "COUNTRY": "countries", "WEAPON": "weapons"}
# Markdown that can act mid-line: links, emphasis, code spans, strike-through, table cells.
# Line-start syntax (headings, lists) cannot trigger: escaped text always follows other text.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()|~])")


@dataclass(frozen=True)
class ReviewArticle:
    """An article as the review shows it, with its mentions in text order."""

    article_id: str
    url: str
    title: str | None
    site: str | None
    published_at: datetime | None
    mentions: tuple[Mention, ...]


def escape_md(text: str) -> str:
    """Text shown literally in Markdown: HTML and Markdown syntax escaped, on one line."""
    text = " ".join(text.split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


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
            names = (_shown(m, country_names) for m in article.mentions if m.label == label)
            row[column] = "; ".join(_distinct(names))
        rows.append(row)
    return rows


def evidence_markdown(articles: Sequence[ReviewArticle], max_articles: int = 100) -> str:
    """Per article, each mention in its sentence with its norm, method and confidence."""
    if not articles:
        return "# Evidence\n\nNo new or changed articles in this run.\n"
    parts = [f"# Evidence\n\n{len(articles)} new or changed articles.\n"]
    for article in articles[:max_articles]:
        parts.append(f"\n## {link(article.title, article.url)}\n")
        if not article.mentions:
            parts.append("\nNo people, countries or weapons found.\n")
            continue
        parts.append("\n")
        for m in article.mentions:
            norm = escape_md(m.norm) if m.norm else "*unresolved*"
            how = f"{escape_md(m.method)}, {m.confidence:.2f}"
            parts.append(f"- {m.label} {escape_md(m.text)} → {norm} ({how}): {marked_sentence(m)}\n")
    if len(articles) > max_articles:
        parts.append(f"\n{len(articles) - max_articles} more articles: query the `mentions` table.\n")
    return "".join(parts)


def _shown(mention: Mention, country_names: Mapping[str, str] | None) -> str:
    if mention.label == "COUNTRY" and mention.norm:
        return country_name(mention.norm, country_names)
    return mention.norm or mention.text


def _distinct(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
