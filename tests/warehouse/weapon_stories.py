"""Hand-written articles with the mentions and weapon events the extraction would give them, for
the warehouse's event tests. Offsets are found in the text, not typed, so they cannot drift."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

from pipeline.event_table import event_table
from pipeline.mention_table import mention_table
from pipeline.records import Article, Event, Mention
from pipeline.settings import DEFAULT_MODELS
from warehouse.db import open_warehouse
from warehouse.load import LoadStats, load_batch

# The surfaces these stories use, with the label and norm a mention of each carries.
NAMES = {
    "United States": ("COUNTRY", "USA"),
    "Washington": ("COUNTRY", "USA"),
    "Taiwan": ("COUNTRY", "TWN"),
    "Poland": ("COUNTRY", "POL"),
    "Germany": ("COUNTRY", "DEU"),
    "Ukraine": ("COUNTRY", "UKR"),
    "Russian": ("COUNTRY", "RUS"),
    "Romania": ("COUNTRY", "ROU"),
    "North Korea": ("COUNTRY", "PRK"),
    "Pyongyang": ("COUNTRY", "PRK"),
    "Harpoon": ("WEAPON", "Harpoon"),
    "F-16": ("WEAPON", "F-16"),
    "Reaper": ("WEAPON", "MQ-9 Reaper"),
    "Apache": ("WEAPON", "AH-64 Apache"),
    "Leopard 2": ("WEAPON", "Leopard 2"),
    "cruise missiles": ("WEAPON", "cruise missile"),
    "Hwasong-18": ("WEAPON", "Hwasong-18"),
    "solid-fuel engine": ("WEAPON", "engine"),
    "Patriot": ("WEAPON", "Patriot"),
}


@dataclass(frozen=True)
class Story:
    """An article as sentences; `said` are the events, built by `event` against its text."""

    article_id: str
    day: date
    sentences: tuple[str, ...]
    said: list[Event] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.sentences)

    def article(self, title: str = "Title") -> Article:
        at = datetime.combine(self.day, time(9), UTC)
        return Article(
            self.article_id,
            f"https://news.example/{self.article_id}",
            title,
            None,
            at,
            "feed",
            "News",
            "en",
            self.text,
            f"hash-{self.text}",
            "test",
            "ok",
            at,
        )

    def mentions(self) -> list[Mention]:
        """A mention for each listed surface in each sentence."""
        found = []
        for sentence in self.sentences:
            start = self.text.index(sentence)
            for surface, (label, norm) in NAMES.items():
                at = sentence.find(surface)
                while at >= 0:
                    found.append(
                        Mention(
                            self.article_id,
                            start + at,
                            start + at + len(surface),
                            surface,
                            label,
                            norm,
                            "gazetteer",
                            "name",
                            0.9,
                            sentence,
                            start,
                        )
                    )
                    at = sentence.find(surface, at + 1)
        return found

    def event(
        self,
        sentence: int,
        type_: str,
        surface: str,
        actors: tuple[str, ...],
        counterparts: tuple[str, ...] = (),
        status: str = "completed",
        quantity: int | None = None,
        value: tuple[float, str] | None = None,
        negated: bool = False,
    ) -> Story:
        """This story with one more event, about the weapon written `surface` in sentence
        number `sentence`."""
        text = self.sentences[sentence]
        start = self.text.index(text)
        at = start + text.index(surface)
        said = Event(
            self.article_id,
            start,
            start + len(text),
            text,
            type_,
            NAMES[surface][1],
            at,
            at + len(surface),
            surface,
            actors,
            counterparts,
            status,
            quantity,
            value[0] if value else None,
            value[1] if value else None,
            None,
            negated,
            "rule",
            "cue",
            0.8,
        )
        return Story(self.article_id, self.day, self.sentences, [*self.said, said])


def load(db: Path, stories: list[Story], run_id: str = "r1") -> LoadStats:
    """One batch of these stories, their mentions and their events."""
    mentions = mention_table(
        (m for s in stories for m in s.mentions()), {s.article_id: s.text for s in stories}
    )
    events = event_table(e for s in stories for e in s.said)
    with open_warehouse(db) as con:
        return load_batch(
            con, run_id, "v1", [s.article() for s in stories], mentions, [], DEFAULT_MODELS, events
        )


# The deals: approved in January, delivered in March; an F-16 sale that did not happen and a
# drone sale Washington denies, in the same article as the delivery.
HARPOON_SALE = Story(
    "t1",
    date(2024, 1, 10),
    ("The United States approved the sale of 60 Harpoon missiles to Taiwan for $1.1 billion.",),
).event(0, "transfer", "Harpoon", ("USA",), ("TWN",), "approved", 60, (1.1e9, "USD"))
HARPOON_DELIVERY = (
    Story(
        "t2",
        date(2024, 3, 5),
        (
            "Taiwan received the first Harpoon missiles from the United States on Monday.",
            "The United States did not sell F-16 jets to Taiwan this year.",
            "Washington denied selling Reaper drones to Taiwan.",
        ),
    )
    .event(0, "transfer", "Harpoon", ("USA",), ("TWN",), "completed")
    .event(1, "transfer", "F-16", ("USA",), ("TWN",), "completed", negated=True)
    .event(2, "transfer", "Reaper", ("USA",), ("TWN",), "denied")
)
EUROPE = (
    Story(
        "t3",
        date(2024, 3, 20),
        ("Poland ordered 96 Apache helicopters.", "Germany delivered 18 Leopard 2 tanks to Ukraine."),
    )
    .event(0, "acquisition", "Apache", ("POL",), (), "completed", 96)
    .event(1, "transfer", "Leopard 2", ("DEU",), ("UKR",), "completed", 18)
)
# One test written up by two articles on the same day, another in February, one only planned and
# one that did not happen.
LAUNCH = Story("k1", date(2024, 1, 14), ("North Korea test-fired two cruise missiles on Sunday.",)).event(
    0, "test", "cruise missiles", ("PRK",), (), "completed", 2
)
LAUNCH_AGAIN = Story(
    "k2", date(2024, 1, 14), ("Pyongyang launched two cruise missiles in a test, Seoul said.",)
).event(0, "test", "cruise missiles", ("PRK",), (), "claimed", 2)
HWASONG = (
    Story(
        "k3",
        date(2024, 2, 2),
        (
            "North Korea tested a Hwasong-18 missile.",
            "North Korea plans to test a solid-fuel engine.",
            "North Korea did not test Harpoon missiles.",
        ),
    )
    .event(0, "test", "Hwasong-18", ("PRK",))
    .event(1, "test", "solid-fuel engine", ("PRK",), (), "planned")
    .event(2, "test", "Harpoon", ("PRK",), negated=True)
)
# Who operates Patriot: the US deploys it (in Poland, which only hosts it), Ukraine fires it,
# Romania buys it.
PATRIOT = (
    Story(
        "d1",
        date(2024, 4, 11),
        (
            "The United States deployed Patriot batteries to Poland.",
            "Ukraine fired Patriot missiles at Russian aircraft.",
            "Romania bought Patriot batteries.",
        ),
    )
    .event(0, "deployment", "Patriot", ("USA",), ("POL",))
    .event(1, "use", "Patriot", ("UKR",), ("RUS",))
    .event(2, "acquisition", "Patriot", ("ROU",))
)
STORIES = [HARPOON_SALE, HARPOON_DELIVERY, EUROPE, LAUNCH, LAUNCH_AGAIN, HWASONG, PATRIOT]
