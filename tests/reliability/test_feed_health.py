"""Feed health in the warehouse: failures back off exponentially, a dead feed is paused."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from pipeline.records import FeedResult
from pipeline.settings import Source
from warehouse import feeds
from warehouse.db import now, open_warehouse

HEALTH = "Feed health"
URL = "https://wire.example/feed.xml"
POLICY = feeds.FeedPolicy(backoff_seconds=60, backoff_max_seconds=300, pause_after=4, pause_seconds=86400)


def poll(
    db: Path, status: str, http_status: int | None, policy: feeds.FeedPolicy = POLICY
) -> tuple[timedelta | None, str | None, int]:
    """Record one poll of URL; returns (wait until next poll, paused reason, consecutive failures)."""
    error = None if status == "ok" else f"HTTP {http_status}"
    result = FeedResult(URL, "wire", status, error=error, http_status=http_status)
    with open_warehouse(db) as con:
        feeds.record_polls(con, "run", [(Source(name="wire", url=URL), URL)], [result])
        feeds.schedule_feeds(con, [result], policy)
        ((polled, until, reason, failures),) = con.execute(
            "SELECT last_polled_at, next_poll_at, paused_reason, consecutive_failures FROM feeds"
        ).fetchall()
    return (until - polled if until else None), reason, failures


@pytest.mark.case(HEALTH, "Consecutive failures", "wait 60 s, 120 s, 240 s (capped at 300 s), then paused")
def test_backoff_then_pause_then_recovery(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    waits = [poll(db, "error", 503) for _ in range(4)]
    assert waits[:3] == [
        (timedelta(seconds=60), None, 1),
        (timedelta(seconds=120), None, 2),
        (timedelta(seconds=240), None, 3),
    ]
    assert waits[3] == (timedelta(days=1), "4 failed polls in a row, last: HTTP 503", 4)
    with open_warehouse(db) as con:
        (held,) = feeds.feeds_on_hold(con, now()).values()
    assert held.startswith("paused (4 failed polls in a row, last: HTTP 503); next poll after ")
    assert poll(db, "ok", 200) == (None, None, 0)  # one good poll clears it all


def test_backoff_is_capped(tmp_path: Path) -> None:
    db, policy = tmp_path / "w.duckdb", feeds.FeedPolicy(60, 100, 10, 86400)
    waits = [poll(db, "error", 500, policy)[0] for _ in range(3)]
    assert waits == [timedelta(seconds=60), timedelta(seconds=100), timedelta(seconds=100)]


@pytest.mark.parametrize("status", [404, 410])
@pytest.mark.case(HEALTH, "Feed answers 404 or 410", "paused at once, reason 'gone'")
def test_gone_feed_paused_at_once(tmp_path: Path, status: int) -> None:
    wait, reason, failures = poll(tmp_path / "w.duckdb", "error", status)
    assert wait == timedelta(days=1) and failures == 1
    assert reason == f"gone: HTTP {status}"
