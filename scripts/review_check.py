"""Check in a real browser that an analyst can review mentions in the Prefect UI's form.

Starts a local Prefect server on 127.0.0.1 (state in a temporary folder), ingests the bundled
sample, starts `newsint review`, opens its paused run in headless Chromium driven by Selenium
(chromedriver from Debian's chromium-driver, installed if missing), presses Resume, judges two
mentions in the form and submits it, then checks the verdicts landed in DuckDB and the review's
summary shows in the UI. Exit status 77 means the browser or its driver is not available.

    .venv/bin/python -m scripts.review_check [--screenshots docs]

With --screenshots, saves review-form.png (the filled form) and review-evidence.png (the sample
run's evidence artifact, what the analyst reads beside it) in that folder.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from scripts import chromium
from scripts.browser_check import BIN, NO_BROWSER, REPO, api, prefect_server

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement

WAIT_SECONDS = 120  # for the UI to render, the run to pause or end: bounds, not measures
# The verdicts given, by the item's number in the form.
GIVEN = {1: "correct", 2: "not an entity"}
KINDS = {"not an entity": "not_entity", "correct": "correct"}


def driver(browser: str, driver_path: str) -> WebDriver:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser  # with the driver's path given, Selenium downloads nothing
    for flag in (*chromium.FLAGS, "--window-size=1400,1600"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(driver_path))


def paused_run(base: str, review: subprocess.Popen[str]) -> str:
    """The id of the review run once it waits for its form."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline and review.poll() is None:
        found = api(base, "/flow_runs/filter", {"flow_runs": {"state": {"type": {"any_": ["PAUSED"]}}}})
        if isinstance(found, list) and found:
            return str(found[0]["id"])
        time.sleep(1)
    raise RuntimeError(f"newsint review never paused for its form:\n{_output(review)}")


def fill_form(page: WebDriver, run_url: str, shot: Path | None) -> None:
    """Resume -> the form: the verdicts of GIVEN chosen, then Submit."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    wait = WebDriverWait(page, WAIT_SECONDS)
    page.get(run_url)
    wait.until(lambda p: _button(p, "Resume")).click()
    for number, choice in GIVEN.items():
        label = f"//span[@class='schema-form-property__label'][starts-with(normalize-space(.), '{number}. ')]"
        item = wait.until(lambda p, path=label: p.find_element(By.XPATH, path))
        box = item.find_element(
            By.XPATH, "./ancestor::div[contains(concat(' ', @class, ' '), ' schema-form-property ')][1]"
        )
        verdict = next(s for s in box.find_elements(By.TAG_NAME, "select") if s.is_displayed())
        Select(verdict).select_by_value(choice)
    _wait_for_text(page, "Review: batch 1 of")  # the description above the form
    if shot is not None:
        page.execute_script(
            "arguments[0].scrollTop = 0", page.find_element(By.CSS_SELECTOR, ".p-modal__body")
        )
        page.save_screenshot(str(shot))
    _button(page, "Submit").click()


def _button(page: WebDriver, text: str) -> WebElement | None:
    from selenium.webdriver.common.by import By

    return next((b for b in page.find_elements(By.TAG_NAME, "button") if b.text.strip() == text), None)


def _output(process: subprocess.Popen[str]) -> str:
    if process.poll() is None:
        return "(still running)"
    out, err = process.communicate()
    return f"{out[-1500:]}\n{err[-1500:]}"


def check(work: Path, browser: str, driver_path: str, shots: Path | None) -> str:
    """Run everything; returns the review run's page. Raises with a reason when a check fails."""
    db = work / "newsint.duckdb"
    with prefect_server(work) as (ui, env):
        base = f"{ui}/api"
        ingest = subprocess.run(
            [str(BIN / "newsint"), "run", "--db", str(db)],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if ingest.returncode != 0:
            raise RuntimeError(f"sample run failed:\n{ingest.stdout[-2000:]}\n{ingest.stderr[-2000:]}")
        command = [str(BIN / "newsint"), "review", "--db", str(db), "--batch", "5", "--timeout", "10"]
        command += ["--new", "2", "--low", "1", "--sample", "2", "--event-low", "0", "--event-sample", "0"]
        review = subprocess.Popen(
            command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            run_id = paused_run(base, review)
            page = driver(browser, driver_path)
            try:
                fill_form(page, f"{ui}/runs/flow-run/{run_id}", shots / "review-form.png" if shots else None)
                out, err = review.communicate(timeout=WAIT_SECONDS)
                if review.returncode != 0 or f"{len(GIVEN)} verdicts recorded" not in out:
                    raise RuntimeError(f"newsint review ended with {review.returncode}:\n{out}\n{err}")
                _check_verdicts(db)
                _check_artifacts(page, ui, base, run_id, shots)
            finally:
                page.quit()
        finally:
            if review.poll() is None:
                review.kill()
                review.wait()
    return f"{ui}/runs/flow-run/{run_id}"


def _check_verdicts(db: Path) -> None:
    with duckdb.connect(str(db), read_only=True) as con:
        given = sorted(r[0] for r in con.execute("SELECT verdict FROM verdicts").fetchall())
        hidden = con.execute(
            "SELECT count(*) FROM mentions_reviewed WHERE item_id IN "
            "(SELECT item_id FROM verdicts WHERE verdict = 'not_entity')"
        ).fetchall()
    if given != sorted(KINDS[choice] for choice in GIVEN.values()) or hidden != [(0,)]:
        raise RuntimeError(
            f"the warehouse holds verdicts {given}, {hidden[0][0]} judged no entity still counted"
        )


def _check_artifacts(page: WebDriver, ui: str, base: str, review_run: str, shots: Path | None) -> None:
    """The review's summary renders in the UI; the sample run's evidence page is screenshot."""
    artifacts = api(base, "/artifacts/filter", {"artifacts": {"key": {"any_": [SUMMARY, EVIDENCE]}}})
    assert isinstance(artifacts, list)
    pages: dict[str, Any] = {a["key"]: f"{ui}/artifacts/artifact/{a['id']}" for a in artifacts}
    page.get(pages[SUMMARY])
    _wait_for_text(page, f"{len(GIVEN)} verdicts recorded")
    if shots is not None:
        page.get(pages[EVIDENCE])
        _wait_for_text(page, "confidence")
        page.save_screenshot(str(shots / "review-evidence.png"))


SUMMARY, EVIDENCE = "newsint-review-summary", "newsint-ingest-evidence"


def _wait_for_text(page: WebDriver, text: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while text not in page.page_source:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{page.current_url} never showed {text!r}")
        time.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--screenshots", type=Path, help="Folder for review-form.png and review-evidence.png."
    )
    args = parser.parse_args()
    browser = chromium.find_or_install()
    driver_path = chromium.find_or_install("chromedriver", "chromium-driver") if browser else None
    if browser is None or driver_path is None:
        print("chromium or chromedriver is not installed and could not be (needs root and apt-get)")
        return NO_BROWSER
    try:
        import selenium  # noqa: F401
    except ImportError:
        print("selenium is not installed: pip install -e '.[dev]'")
        return NO_BROWSER
    shots = args.screenshots.resolve() if args.screenshots else None
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="newsint-review-") as tmp:
        try:
            page = check(Path(tmp), browser, driver_path, shots)
        except Exception as exc:
            log = Path(tmp) / "server.log"
            tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
            print(f"review check failed: {exc!r}\n--- server log (tail) ---\n{tail}", file=sys.stderr)
            return 1
    print(f"ok: the review form took {len(GIVEN)} verdicts in the UI and the warehouse holds them ({page})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
