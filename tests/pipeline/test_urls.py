from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.urls import article_id, canonical_url

BASE = "https://news.example.org/world/2024/06/ships"
# Names in config/tracking_params.txt that courlan's normalize_url leaves in place: only our list
# drops them, so a test using them fails if the list is not applied.
OURS_ONLY = ["ocid=msn", "cmpid=nl-0612", "ncid=rss", "smid=tw-share", "sr_share=twitter", "icid=hp"]
PREFIXED_OURS_ONLY = ["hsa_acc=42", "_hsenc=p2A", "_hsmi=99"]


@pytest.mark.parametrize(
    "variant",
    [
        f"{BASE}#comments",
        f"{BASE}?utm_source=rss&utm_medium=feed",
        f"{BASE}?fbclid=IwAR0abc123",
        f"{BASE}?utm_campaign=x#top",
        f"{BASE}?ocid=msn&icid=hp#top",
        f"{BASE}?cmpid=nl-0612&smid=tw-share&sr_share=twitter&ncid=rss",
        f"{BASE}?hsa_acc=42&_hsenc=p2A&spm=a2.b1",
        "https://NEWS.example.org/world/2024/06/ships",
    ],
)
def test_tracking_and_fragments_are_dropped(variant: str) -> None:
    assert canonical_url(variant) == BASE
    assert article_id(variant) == article_id(BASE)


def test_tracking_names_match_in_any_case_and_by_prefix() -> None:
    assert canonical_url(f"{BASE}?MC_cid=1&Spm=2&_hsenc=x&__twitter_impression=true") == BASE


def test_our_list_drops_what_courlan_keeps() -> None:
    from courlan import normalize_url

    for param in OURS_ONLY + PREFIXED_OURS_ONLY:
        assert param in normalize_url(f"{BASE}?{param}", strict=False)  # else this test proves nothing
        assert canonical_url(f"{BASE}?{param}") == BASE, param


def test_meaningful_query_params_are_kept() -> None:
    url = "https://news.example.org/story.php?id=4471&utm_source=twitter#para-3"
    assert canonical_url(url) == "https://news.example.org/story.php?id=4471"
    assert "p=12" in canonical_url("https://blog.example.org/?p=12&fbclid=zz")
    tracked = "https://news.example.org/story.php?ocid=msn&id=4471&_hsmi=99&icid=hp"
    assert canonical_url(tracked) == "https://news.example.org/story.php?id=4471"
    assert article_id(tracked) == article_id("https://news.example.org/story.php?id=4471")
    assert article_id(tracked) != article_id("https://news.example.org/story.php?id=4472&ocid=msn")


def test_only_starred_names_drop_by_prefix() -> None:
    """'spm' and 'smid' are whole names: a parameter that merely starts with them is kept."""
    url = "https://news.example.org/view.php?spmode=2&smidx=7&spm=a2&smid=nl"
    assert canonical_url(url) == "https://news.example.org/view.php?smidx=7&spmode=2"


def test_different_articles_get_different_ids() -> None:
    ids = {
        article_id(BASE),
        article_id("https://news.example.org/world/2024/06/planes"),
        article_id("https://news.example.org/story.php?id=1"),
        article_id("https://news.example.org/story.php?id=2"),
    }
    assert len(ids) == 4
    assert all(len(i) == 16 for i in ids)


def test_file_urls_keep_their_path(tmp_path: Path) -> None:
    page = tmp_path / "some dir" / "story.html"
    uri = page.as_uri()
    assert canonical_url(uri + "#section") == uri
    assert "some%20dir/story.html" in canonical_url(uri)
    assert article_id(uri) != article_id((tmp_path / "other.html").as_uri())


def test_article_named_by_an_unusual_query_param_keeps_it() -> None:
    first = "https://www.koreaherald.com/view.php?ud=20240101000123&utm_medium=rss&cmpid=nl"
    second = "https://www.koreaherald.com/view.php?ud=20240102000456"
    assert canonical_url(first) == "https://www.koreaherald.com/view.php?ud=20240101000123"
    assert article_id(first) != article_id(second)
