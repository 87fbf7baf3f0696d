"""Check in a real browser that a run's review artifacts show in the Prefect UI.

Starts a local Prefect server on 127.0.0.1 (state in a temporary folder), runs the bundled sample
ingest against it, opens the run's article-table artifact in headless Chromium (installing
Debian's package if missing), checks the rendered page shows the artifact's rows, and saves a
screenshot. Exit status 77 means Chromium is not available and could not be installed.

    .venv/bin/python -m scripts.browser_check [--screenshot docs/prefect-artifacts.png]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scripts import chromium

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NO_BROWSER = 77
KNOWN_TITLE = "North Korea fires solid-fuel missile with hypersonic warhead"
# What each artifact's page must show once the UI has rendered it (the sample's known article).
EXPECTED = {
    "newsint-ingest-articles": (KNOWN_TITLE, "Kim Jong Un", "Hwasong-18", "Defence Wire"),
    # The UI renders Markdown bold as its own element: the mention marked in its sentence, its
    # label after it, and the article's weapons counted.
    "newsint-ingest-evidence": (
        KNOWN_TITLE,
        'text--strong">Hwasong-18<',
        "[WEAPON]",
        "Weapons:",
    ),
    "newsint-run-summary": ("articles_new", "mentions WEAPON"),
}
PAGE_TIME = "--virtual-time-budget=15000"  # let the UI's JavaScript render before reading


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def api(base: str, path: str, body: dict[str, object] | None = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"{base}{path}",
        data=data,
        headers={"Content-Type": "application/json"},
        method="POST" if data else "GET",
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.loads(reply.read())


def wait_healthy(base: str, server: subprocess.Popen[bytes], seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"prefect server exited with status {server.returncode}")
        try:
            api(base, "/health")
            return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"prefect server not healthy after {seconds:g} s")


@contextmanager
def prefect_server(work: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A Prefect server with its UI on a free port; yields the UI's URL and the environment
    that points commands at it."""
    port = free_port()
    ui = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PREFECT_HOME": str(work / "prefect"),
        "PREFECT_API_URL": f"{ui}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    (work / "prefect").mkdir()
    with (work / "server.log").open("wb") as log:
        server = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_healthy(f"{ui}/api", server)
        yield ui, env
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def browse(browser: str, url: str, *extra: str) -> str:
    return chromium.run(browser, url, PAGE_TIME, *extra)


def check(screenshot: Path, work: Path, browser: str) -> str:
    """Run everything; returns the artifact page's URL. Raises with a reason when a check fails."""
    with prefect_server(work) as (ui, env):
        base = f"{ui}/api"
        run = subprocess.run(
            [str(BIN / "newsint"), "run", "--db", str(work / "newsint.duckdb")],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if run.returncode != 0 or "Traceback" in run.stdout + run.stderr:
            raise RuntimeError(f"sample run failed:\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")
        flow_runs = api(base, "/flow_runs/filter", {"limit": 5})
        assert isinstance(flow_runs, list) and len(flow_runs) == 1, flow_runs
        artifacts = api(
            base, "/artifacts/filter", {"artifacts": {"flow_run_id": {"any_": [flow_runs[0]["id"]]}}}
        )
        assert isinstance(artifacts, list)
        pages = {a["key"]: f"{ui}/artifacts/artifact/{a['id']}" for a in artifacts}
        for key, expected in EXPECTED.items():
            dom = browse(browser, pages[key], "--dump-dom")
            missing = [text for text in (key, *expected) if text not in dom]
            if missing:
                raise RuntimeError(f"the {key} artifact page does not show {missing}")
        page = pages["newsint-ingest-evidence"]
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        browse(browser, page, f"--screenshot={screenshot}", "--window-size=1400,1000")
        if not screenshot.exists() or screenshot.stat().st_size < 10_000:
            raise RuntimeError(f"no usable screenshot at {screenshot}")
        return page


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screenshot", type=Path, default=REPO / "docs" / "prefect-artifacts.png")
    args = parser.parse_args()
    browser = chromium.find_or_install()
    if browser is None:
        print("chromium is not installed and could not be installed (needs root and apt-get)")
        return NO_BROWSER
    with tempfile.TemporaryDirectory(prefix="newsint-browser-") as tmp:
        try:
            page = check(args.screenshot.resolve(), Path(tmp), browser)
        except (RuntimeError, AssertionError, StopIteration, OSError) as exc:
            log = Path(tmp) / "server.log"
            tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
            print(f"browser check failed: {exc!r}\n--- server log (tail) ---\n{tail}", file=sys.stderr)
            return 1
    print(
        f"ok: the run's articles, evidence and summary show in the UI ({page}); screenshot {args.screenshot}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
