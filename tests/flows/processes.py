"""Watching the processes a command starts, and reading its output while it runs."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return int(sock.getsockname()[1])


def processes_with(marker: str) -> list[int]:
    """Live processes (not this one) whose command line or environment contains `marker`; a
    zombie has neither, so it does not count."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            seen = (entry / "cmdline").read_bytes() + (entry / "environ").read_bytes()
        except OSError:  # gone meanwhile
            continue
        if marker.encode() in seen:
            found.append(int(entry.name))
    return found


def servers_with(marker: str) -> list[int]:
    """Live Prefect servers (`prefect server start`, or uvicorn serving Prefect's API) with `marker`
    in their command line or environment."""
    return [pid for pid in processes_with(marker) if _is_server(pid)]


def _is_server(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"uvicorn" in command or (b"server" in command and b"start" in command)


def left_after(find: Callable[[], list[int]], timeout: float = 30) -> list[int]:
    """What `find` still finds after up to `timeout` seconds (nothing, at best)."""
    deadline = time.monotonic() + timeout
    while (left := find()) and time.monotonic() < deadline:
        time.sleep(0.5)
    return left


class Output:
    """A process's merged output, read in a thread so the test can wait for a line."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self._thread.start()

    def _read(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self.lines.append(line)

    def wait_for(self, pattern: str, timeout: float, process: subprocess.Popen[str]) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if found := re.search(pattern, line):
                    return found
            if process.poll() is not None and not self._thread.is_alive():
                break
            time.sleep(0.5)
        raise AssertionError(f"no line matching {pattern!r} within {timeout} s:\n{self.text}")

    @property
    def text(self) -> str:
        self._thread.join(timeout=5)
        return "".join(self.lines)
