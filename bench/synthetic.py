"""Synthetic data at scale: mentions for the loader, a large warehouse for the queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipeline.records import Article, Mention
from warehouse.aggregates import rebuild_aggregates
from warehouse.db import open_warehouse

COUNTRIES = [
    "USA",
    "UKR",
    "RUS",
    "CHN",
    "JPN",
    "KOR",
    "PRK",
    "IRN",
    "ISR",
    "GBR",
    "FRA",
    "DEU",
    "POL",
    "TUR",
    "IND",
    "PAK",
    "SYR",
    "IRQ",
    "TWN",
    "PHL",
]
WEAPONS = [
    "drone",
    "ballistic missile",
    "cruise missile",
    "MIM-104 Patriot",
    "M142 HIMARS",
    "tank",
    "artillery shell",
    "Shahed-136",
    "F-35A Lightning II",
    "interceptor",
]
MENTIONS_PER_ARTICLE = 100


def synthetic_mentions(rows: int) -> tuple[list[Article], dict[str, list[Mention]]]:
    """`rows` mentions over rows/100 articles, with realistic labels, norms and sentences."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    articles, mentions = [], {}
    for a in range(max(1, rows // MENTIONS_PER_ARTICLE)):
        article_id = f"bench{a:08d}"
        articles.append(
            Article(
                article_id,
                f"https://bench.example/{a}",
                f"Article {a}",
                None,
                start + timedelta(hours=a),
                "feed",
                "bench",
                "en",
                "text",
                f"h{a}",
                "bench",
                "ok",
                start,
            )
        )
        batch = []
        for i in range(MENTIONS_PER_ARTICLE):
            label, norm = _pick(a * MENTIONS_PER_ARTICLE + i)
            batch.append(
                Mention(
                    article_id,
                    i * 10,
                    i * 10 + 6,
                    norm,
                    label,
                    norm,
                    "gazetteer",
                    "name",
                    0.9,
                    "A sentence of the article.",
                    (i // 5) * 50,
                )
            )
        mentions[article_id] = batch
    return articles, mentions


def _pick(n: int) -> tuple[str, str]:
    kind = n % 3
    if kind == 0:
        return "COUNTRY", COUNTRIES[(n * 7919) % len(COUNTRIES)]
    if kind == 1:
        return "WEAPON", WEAPONS[(n * 104729) % len(WEAPONS)]
    return "PERSON", f"Person {(n * 31) % 5000}"


def build_warehouse(db: Path, articles: int, mentions: int) -> None:
    """A migrated warehouse with `articles` articles over the last year and `mentions` mentions."""
    per = max(1, mentions // articles)
    countries = "[" + ", ".join(f"'{c}'" for c in COUNTRIES) + "]"
    weapons = "[" + ", ".join(f"'{w}'" for w in WEAPONS) + "]"
    with open_warehouse(db) as con:
        con.execute(f"""
            INSERT INTO articles (article_id, url, title, published_at, published_method, site,
                language, status, text, content_hash, extraction, fetched_at, run_id, pipeline_version)
            SELECT 'a' || i, 'https://bench.example/' || i, 'Article ' || i,
                   now() - INTERVAL (i % 365) DAY - INTERVAL (i % 24) HOUR, 'feed', 'bench', 'en',
                   'ok', 'text', md5(i::VARCHAR), 'bench', now(), 'bench', 'bench'
            FROM range({articles}) t(i)
        """)
        con.execute(f"""
            INSERT INTO mentions (article_id, start_char, end_char, text, label, norm, entity_id,
                method, kind, confidence, sentence, sentence_start, sentence_no, pipeline_version, run_id,
                entity_norm, item_id)
            WITH m AS (
                SELECT i, 'a' || (i // {per}) AS article_id,
                       CASE i % 3 WHEN 0 THEN 'COUNTRY' WHEN 1 THEN 'WEAPON' ELSE 'PERSON' END AS label,
                       CASE i % 3
                           WHEN 0 THEN {countries}[1 + (hash(i) % {len(COUNTRIES)})::INTEGER]
                           WHEN 1 THEN {weapons}[1 + (hash(i + 1) % {len(WEAPONS)})::INTEGER]
                           ELSE 'Person ' || (hash(i + 2) % 5000)
                       END AS norm
                FROM range({mentions}) t(i)
            )
            SELECT article_id, (i % {per}) * 10, (i % {per}) * 10 + 6, norm, label, norm,
                   lower(label) || ':' || norm, 'gazetteer', 'name', 0.9, 'A sentence.',
                   ((i % {per}) // 5) * 50, (i % {per}) // 5, 'bench', 'bench', norm,
                   mention_item_id(article_id, label, 'text', (i % {per}) * 10, (i % {per}) * 10 + 6)
            FROM m
        """)
        con.execute("""
            INSERT INTO entities (entity_id, label, norm, name, aliases, first_seen_at, last_seen_at)
            SELECT DISTINCT entity_id, label, norm, norm, [norm], now(), now() FROM mentions
        """)
        rebuild_aggregates(con)  # the loader's own SQL, over every mention at once
