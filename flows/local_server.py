"""The Prefect server a command reports to when PREFECT_API_URL is not set.

`newsint serve` needs a server with a scheduler (Prefect's temporary server has none, so nothing
served would ever run): it reuses one that already answers on the UI's port (`make ui`, or an
earlier serve) or starts `prefect server start` there, with the UI's state, and stops only what it
started. A one-off run gets a temporary server like the one Prefect would start, except that the
kernel stops it when the run's process dies, even by SIGKILL: Prefect's own is stopped at exit only,
so a killed run left it running. Nothing here imports Prefect at module level: the CLI starts a
server before Prefect reads its settings, and the two start-ups overlap.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import REPO_ROOT

if TYPE_CHECKING:
    from fastapi import FastAPI

HOST = "127.0.0.1"
UI_PORT_VARIABLE = "NEWSINT_UI_PORT"
UI_HOME_VARIABLE = "NEWSINT_UI_HOME"
# The first start on a new home migrates its database: tens of seconds on two busy cores.
STARTUP_TIMEOUT_SECONDS = 120
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# Loopback only: a proxy from the environment must not see these requests.
_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ServerError(RuntimeError):
    """The local Prefect server did not start or is misconfigured; the message says why."""


@dataclass
class LocalServer:
    """A Prefect server on 127.0.0.1. `process` is set when this process started it, and only
    then does `stop` stop it: a reused server belongs to whoever started it."""

    port: int
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def wait_until_healthy(self, timeout: float = STARTUP_TIMEOUT_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while not answers(self.port):
            if self.process is not None and self.process.poll() is not None:
                raise ServerError(
                    f"the Prefect server for {self.url} exited with status {self.process.returncode}"
                    + self._log_tail()
                )
            if time.monotonic() > deadline:
                raise ServerError(f"the Prefect server for {self.url} did not answer in {timeout:.0f} s")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _log_tail(self) -> str:
        if self.log is None or not self.log.exists():
            return ""
        lines = self.log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        return ":\n" + "\n".join(lines[-15:]) + f"\n(full log: {self.log})"


def ui_port() -> int:
    """The UI's port: NEWSINT_UI_PORT, else 4200 (as scripts/ui.sh)."""
    value = os.environ.get(UI_PORT_VARIABLE) or "4200"
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ServerError(f"{UI_PORT_VARIABLE}={value!r} is not a port number")
    return int(value)


def ui_home() -> Path:
    """The UI server's PREFECT_HOME: NEWSINT_UI_HOME (relative to the checkout, as scripts/ui.sh
    reads it), else data/prefect-ui."""
    return REPO_ROOT / (os.environ.get(UI_HOME_VARIABLE) or "data/prefect-ui")


def answers(port: int) -> bool:
    """Whether a Prefect server answers its health check on 127.0.0.1:`port`."""
    try:
        with _LOOPBACK.open(f"http://{HOST}:{port}/api/health", timeout=2) as reply:
            return bool(reply.status == 200)
    except OSError:  # refused, reset, timed out, or an HTTP error status
        return False


@contextmanager
def ui_server(settings: Mapping[str, str]) -> Iterator[LocalServer]:
    """The server `make ui` runs, with its scheduler: reused if one answers on the UI's port, else
    started here (its output in <home>/server.log) and stopped on leaving. `settings`: Prefect
    variables for its process alone, beside the UI's own PREFECT_HOME."""
    port, home = ui_port(), ui_home()
    if answers(port):
        yield LocalServer(port)
        return
    home.mkdir(parents=True, exist_ok=True)
    log = home / "server.log"
    command = ["-m", "prefect", "server", "start", "--host", HOST, "--port", str(port)]
    environment = {
        **os.environ,
        **settings,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    }
    with log.open("ab") as output:
        server = LocalServer(port, _start(command, env=environment, stdout=output, stderr=output), log)
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def temporary_server(settings: Mapping[str, str]) -> Iterator[LocalServer]:
    """An API server for one run, without UI or scheduler (what Prefect starts when no API URL is
    set), stopped on leaving. `settings`: Prefect variables for its process alone (PREFECT_HOME,
    where its state goes). Its socket is bound here and handed over, so its address is known at
    once and no other process can take the port meanwhile."""
    with socket.create_server((HOST, 0)) as listening:
        fd = listening.fileno()
        command = ["-m", "uvicorn", "--fd", str(fd), "--factory", f"{__name__}:temporary_app"]
        command += ["--lifespan", "on", "--log-level", "error"]
        environment = {**os.environ, **settings}
        server = LocalServer(listening.getsockname()[1], _start(command, env=environment, pass_fds=(fd,)))
    try:
        yield server
    finally:
        server.stop()


def temporary_app() -> FastAPI:
    """The app `temporary_server` runs (uvicorn's --factory): Prefect's API, as its own temporary
    server builds it."""
    from prefect.server.api.server import create_app

    return create_app(ephemeral=True, final=True)


def _start(arguments: list[str], **options: Any) -> subprocess.Popen[bytes]:
    # -P: modules come from the installed packages, never from a `flows/` in the caller's folder.
    # A process group of its own: Ctrl-C reaches this process alone, which can still report the
    # interrupted run to the server before stopping it.
    return subprocess.Popen(
        [sys.executable, "-P", *arguments],
        stdin=subprocess.DEVNULL,
        process_group=0,
        preexec_fn=_dies_with(os.getpid()),
        **options,
    )


def _dies_with(parent: int) -> Callable[[], None] | None:
    """A preexec_fn asking Linux to send the child SIGTERM when `parent` dies, however it dies
    (prctl PR_SET_PDEATHSIG); elsewhere, None. The signal comes when the thread that started the
    child ends: servers are started from the main thread, before Prefect starts any other."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork, not in the child

    def tie() -> None:
        prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM))
        if os.getppid() != parent:  # the parent died before the call: no signal will come
            os._exit(1)

    return tie
