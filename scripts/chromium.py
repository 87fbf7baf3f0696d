"""Debian's Chromium, headless and off the network: found (or installed) and run once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

# Without the background-networking flags Chromium keeps trying hosts this machine cannot reach.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def find_or_install(command: str = "chromium", package: str = "chromium") -> str | None:
    """The chromium binary (or another `command` of Debian's `package`, such as chromedriver from
    chromium-driver), installing the package when we are root and it is missing."""
    found = shutil.which(command)
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print(f"installing {package} with apt-get ...", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    lock = ["-o", "DPkg::Lock::Timeout=600"]  # another install may hold the dpkg lock for a while
    for step in (["apt-get", *lock, "update"], ["apt-get", *lock, "install", "-y", package]):
        if subprocess.run(step, env=env, capture_output=True, check=False).returncode != 0:
            return None
    return shutil.which(command)


def run(browser: str, url: str, *extra: str, timeout: float = 180) -> str:
    """Open `url` once with a fresh profile; returns stdout (the DOM with --dump-dom)."""
    with tempfile.TemporaryDirectory(prefix="newsint-chromium-") as profile:
        command = [browser, *FLAGS, f"--user-data-dir={profile}", *extra, url]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"chromium failed ({result.returncode}): {result.stderr[-500:]}")
    return result.stdout


def main() -> int:
    """`python -m scripts.chromium URL PNG [WIDTH,HEIGHT]`: a screenshot, for `make report`."""
    url, png, *size = sys.argv[1:]
    browser = find_or_install()
    if browser is None:
        print("chromium is not installed and could not be installed (needs root and apt-get)")
        return 1
    run(browser, url, f"--screenshot={png}", f"--window-size={size[0] if size else '1280,1600'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
