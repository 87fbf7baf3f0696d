"""The benchmark corpus: the 181 real news pages of ../shared, and feeds that list them."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from pipeline import REPO_ROOT

PAGES_DIR = REPO_ROOT.parent / "shared" / "benchmarks" / "article_extraction" / "html"


def load_pages(folder: Path = PAGES_DIR) -> dict[str, bytes]:
    """Page id -> HTML bytes; raises with a clear message when the shared data is absent."""
    files = sorted(folder.glob("*.html.gz"))
    if not files:
        raise SystemExit(f"benchmark pages not found under {folder}: put ../shared beside the checkout")
    return {path.name.removesuffix(".html.gz"): gzip.decompress(path.read_bytes()) for path in files}


def article_paths(page_ids: list[str], count: int) -> list[tuple[str, str]]:
    """`count` (URL path, page id) pairs, cycling through the pages; each copy has its own URL."""
    return [
        (
            f"/articles/{page_ids[i % len(page_ids)]}.html?copy={i // len(page_ids)}",
            page_ids[i % len(page_ids)],
        )
        for i in range(count)
    ]


def feed_xml(title: str, base: str, paths: list[str]) -> bytes:
    """An RSS 2.0 feed listing the given article paths."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    items = "".join(
        f"<item><title>Article {n}</title><link>{escape(base + path)}</link>"
        f"<guid>{escape(base + path)}</guid>"
        f"<pubDate>{format_datetime(start + timedelta(minutes=n))}</pubDate></item>"
        for n, path in enumerate(paths)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>{escape(base)}/</link><description>benchmark</description>"
        f"{items}</channel></rss>"
    ).encode()
