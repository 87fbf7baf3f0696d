"""The review artifacts and the review form as an analyst sees them: the Prefect UI in headless Chromium."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = [pytest.mark.flow, pytest.mark.model]

NO_BROWSER = 77  # scripts.browser_check: chromium missing and not installable


def test_prefect_ui_shows_the_run_artifacts(tmp_path: Path) -> None:
    shot = tmp_path / "artifacts.png"
    result = subprocess.run(
        [sys.executable, "-m", "scripts.browser_check", "--screenshot", str(shot)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if result.returncode == NO_BROWSER:
        pytest.skip(f"browser check not run: {result.stdout.strip()}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the run's articles, evidence and summary show in the UI" in result.stdout
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_analyst_reviews_mentions_in_the_prefect_ui_form(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scripts.review_check", "--screenshots", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if result.returncode == NO_BROWSER:
        pytest.skip(f"review check not run: {result.stdout.strip()}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the review form took 2 verdicts in the UI and the warehouse holds them" in result.stdout
    for name in ("review-form.png", "review-evidence.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
