"""The counts a run reports, in the logs, the runs table and the UI."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class RunSummary:
    run_id: str
    flow: str = "ingest"
    pipeline_version: str = ""
    feeds_polled: int = 0
    feeds_not_modified: int = 0
    feeds_failed: int = 0
    articles_new: int = 0
    articles_changed: int = 0
    articles_unchanged: int = 0
    articles_failed: int = 0
    mentions: int = 0
    events: int = 0
    # Not columns of the runs table: counts() keeps only the int fields above.
    failed_feeds: list[tuple[str, str]] = field(default_factory=list)
    mentions_per_label: dict[str, int] = field(default_factory=dict)
    duration_seconds: float = 0.0
    fresh_articles: list[str] = field(default_factory=list)

    def add_batch(
        self, new: int, changed: int, unchanged: int, failed: int, mentions: int, events: int = 0
    ) -> None:
        self.articles_new += new
        self.articles_changed += changed
        self.articles_unchanged += unchanged
        self.articles_failed += failed
        self.mentions += mentions
        self.events += events

    def outcome(self) -> str:
        """What an ingest run did, in one line, as `newsint run` and `newsint serve` print it."""
        return (
            f"{self.articles_new} new, {self.articles_changed} changed, {self.articles_failed} failed"
            f" articles; {self.mentions} mentions; {self.events} weapon events;"
            f" {self.feeds_failed} of {self.feeds_polled} feeds failed"
        )

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if isinstance(v, int)}
