from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server import FaultServer

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SAMPLE = REPO / "sample"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer(SAMPLE) as running:
        yield running


def shared_file(relative: str) -> Path:
    """A file under ../shared, or skip the test saying what is missing."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"{path} is absent: this test reads shared data from ../shared beside the checkout")
    return path
