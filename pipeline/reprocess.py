"""What changed when the models changed: old and new mentions of the same texts, compared.

A mention is the same mention when its span and label match; its norm may still differ (a
gazetteer now maps it elsewhere). Reviewing these counts and examples comes before trusting
an update to models/.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.forks import in_forks
from pipeline.records import Mention
from pipeline.review import escape_md, marked_sentence

if TYPE_CHECKING:
    from pipeline.entities import Extractor
    from pipeline.findings import Findings

KINDS = ("added", "removed", "changed_norm")
LABELS = ("PERSON", "COUNTRY", "WEAPON")


@dataclass(frozen=True)
class Change:
    kind: str  # added | removed | changed_norm
    label: str
    old: Mention | None
    new: Mention | None

    @property
    def mention(self) -> Mention:
        found = self.new or self.old
        assert found is not None
        return found


@dataclass
class ChangeReport:
    """Counts per label and kind of change, with the first few examples of each."""

    examples_per_kind: int = 3
    articles: int = 0
    articles_changed: int = 0
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    examples: dict[tuple[str, str], list[Change]] = field(default_factory=dict)

    def add(self, changes: Sequence[Change]) -> None:
        """Fold one article's changes in."""
        self.articles += 1
        self.articles_changed += bool(changes)
        for change in changes:
            key = (change.label, change.kind)
            self.counts[key] = self.counts.get(key, 0) + 1
            kept = self.examples.setdefault(key, [])
            if len(kept) < self.examples_per_kind:
                kept.append(change)

    def merge(self, other: ChangeReport) -> None:
        self.articles += other.articles
        self.articles_changed += other.articles_changed
        for key, count in other.counts.items():
            self.counts[key] = self.counts.get(key, 0) + count
            kept = self.examples.setdefault(key, [])
            kept.extend(other.examples.get(key, [])[: self.examples_per_kind - len(kept)])

    def count(self, label: str, kind: str) -> int:
        return self.counts.get((label, kind), 0)

    def rows(self) -> list[dict[str, str | int]]:
        """One row per label: how many mentions were added, removed, or changed norm."""
        labels = sorted(set(LABELS) | {label for label, _ in self.counts})
        return [{"label": label, **{kind: self.count(label, kind) for kind in KINDS}} for label in labels]


def diff_mentions(old: Iterable[Mention], new: Iterable[Mention]) -> list[Change]:
    """Changes from `old` to `new` for one article, in text order."""
    before = {(m.start, m.end, m.label): m for m in old}
    after = {(m.start, m.end, m.label): m for m in new}
    changes = [Change("removed", key[2], m, None) for key, m in before.items() if key not in after]
    for key, m in after.items():
        previous = before.get(key)
        if previous is None:
            changes.append(Change("added", key[2], None, m))
        elif previous.norm != m.norm:
            changes.append(Change("changed_norm", key[2], previous, m))
    return sorted(changes, key=lambda c: (c.mention.start, c.mention.end, c.label))


def reparse(
    extractor: Extractor,
    texts: Sequence[tuple[str, str]],
    before: Mapping[str, list[Mention]],
    processes: int,
    timeout: float,
) -> tuple[ChangeReport, Findings]:
    """Stored texts parsed again in `processes` forked processes: what changed against the
    mentions stored `before`, and the new tables."""
    # Imported here: the report's readers (the artifacts of every run) need no pyarrow.
    from pipeline.findings import concat, findings, text_length

    def part(items: Sequence[tuple[str, str]]) -> tuple[ChangeReport, Findings]:
        parsed = list(extractor.analyse(items))
        report = ChangeReport()
        for article_id, mentions, _ in parsed:
            report.add(diff_mentions(before.get(article_id, []), mentions))
        return report, findings(parsed, dict(items))

    parts = in_forks(part, texts, processes, timeout, weight=text_length)
    report = ChangeReport()
    for changes, _ in parts:
        report.merge(changes)
    return report, concat([found for _, found in parts])


def report_markdown(
    report: ChangeReport,
    old_versions: Sequence[str],
    new_version: str,
    unmatched_verdicts: int = 0,
    unmatched_event_verdicts: int = 0,
) -> str:
    """The change report: a table per label, then examples with their sentences; and how many
    analysts' verdicts found no mention, or no weapon event, to apply to afterwards."""
    was = ", ".join(f"`{v}`" for v in old_versions) or "none"
    lines = [
        "# Reprocessing: what changed\n",
        f"Pipeline version {was} → `{new_version}`: {report.articles} articles re-run, "
        f"{report.articles_changed} with changed mentions.\n",
        "| label | added | removed | changed norm |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {r['label']} | {r['added']} | {r['removed']} | {r['changed_norm']} |" for r in report.rows()
    ]
    if unmatched_verdicts:
        lines.append(
            f"\n**{unmatched_verdicts} verdicts no longer find their mention**: they are kept and listed"
            " in the `verdicts_unmatched` view.\n"
        )
    if unmatched_event_verdicts:
        lines.append(
            f"\n**{unmatched_event_verdicts} verdicts no longer find their weapon event**: they are kept"
            " and listed in the `event_verdicts_unmatched` view.\n"
        )
    for (label, kind), changes in sorted(report.examples.items()):
        lines.append(f"\n## {label}: {kind.replace('_', ' ')} ({report.count(label, kind)})\n")
        lines += [f"- {_example(change)}" for change in changes]
    return "\n".join(lines) + "\n"


def _example(change: Change) -> str:
    old = change.old.norm if change.old else None
    new = change.new.norm if change.new else None
    norms = {
        "added": f"norm {_norm(new)}",
        "removed": f"was {_norm(old)}",
        "changed_norm": f"{_norm(old)} → {_norm(new)}",
    }[change.kind]
    return f"{escape_md(change.mention.text)} ({norms}): {marked_sentence(change.mention)}"


def _norm(norm: str | None) -> str:
    return f"**{escape_md(norm)}**" if norm else "*unresolved*"
