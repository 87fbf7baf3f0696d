"""Backfill inputs: sitemaps, URL lists, folders of saved pages and text; cron settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from pipeline.backfill import SitemapError, folder_items, read_url_list, sitemap_locations, url_entries
from pipeline.settings import SourceGroup

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def test_sitemaps_and_indexes() -> None:
    urlset = (
        f"<urlset {NS}><url><loc> https://a.example/1 </loc></url><url><loc>ftp://x/2</loc></url></urlset>"
    )
    assert sitemap_locations(urlset.encode()) == (["https://a.example/1"], [])
    index = f"<sitemapindex {NS}><sitemap><loc>https://a.example/s1.xml</loc></sitemap></sitemapindex>"
    assert sitemap_locations(index.encode()) == ([], ["https://a.example/s1.xml"])
    laughs = f'<!DOCTYPE urlset [<!ENTITY a "aaaa">]><urlset {NS}><url><loc>&a;</loc></url></urlset>'
    for bad in (b"<html><body>hi</body></html>", b"not xml", laughs.encode()):
        with pytest.raises(SitemapError):
            sitemap_locations(bad)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_sitemap_entities_are_never_expanded(encoding: str) -> None:
    # Billion laughs: ten levels of ten references, a billion "lol"s if expanded. In UTF-16 the
    # declaration is not ASCII bytes, so a byte search for a DOCTYPE cannot see it: the parser must.
    levels = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)]
    prolog = f'<?xml version="1.0" encoding="{encoding}"?><!DOCTYPE urlset [{"".join(levels)}]>'
    body = f"{prolog}<urlset {NS}><url><loc>https://a.example/&l9;</loc></url></urlset>"
    with pytest.raises(SitemapError, match="a DOCTYPE is not allowed"):
        sitemap_locations(body.encode(encoding))


def test_url_lists_drop_comments_and_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "urls.txt"
    path.write_text("# c\nhttps://a.example/x?utm_source=rss\n\nhttps://a.example/x\n", encoding="utf-8")
    entries = url_entries(read_url_list(path), "backfill")
    assert [e.url for e in entries] == ["https://a.example/x"]


def test_folder_splits_pages_from_texts(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.html").write_text("<html></html>", encoding="utf-8")
    (tmp_path / "b.txt").write_text("text", encoding="utf-8")
    (tmp_path / "c.pdf").write_bytes(b"%PDF")
    pages, texts = folder_items(tmp_path)
    assert [e.url for e in pages] == [(tmp_path / "sub" / "a.html").as_uri()]
    assert texts == [tmp_path / "b.txt"]
    with pytest.raises(NotADirectoryError):
        folder_items(tmp_path / "b.txt")


def test_cron_strings_are_validated() -> None:
    assert SourceGroup(cron="*/15 * * * *").cron == "*/15 * * * *"
    for bad in ("61 * * * *", "every hour", "* * * * * *"):
        with pytest.raises(ValidationError, match="cron"):
            SourceGroup(cron=bad)
