"""Large task results handed to the flow in a box it empties.

Prefect keeps what a task run returned, nearly always, until its flow run ends. A run over
20,000 articles would so keep every batch's pages and tables in memory; a box emptied once the
flow has taken its value keeps nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Handed(Generic[T]):
    value: T | None

    def take(self) -> T:
        """The value, once: the box is empty after."""
        if self.value is None:
            raise RuntimeError("this result was already taken")
        value, self.value = self.value, None
        return value
