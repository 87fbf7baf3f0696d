"""A Dask scheduler and its workers started apart from the flow, as a user runs them elsewhere."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bench.orchestrator import _free_port

DASK = str(Path(sys.executable).parent / "dask")


def worker_command(address: str) -> list[str]:
    """One single-threaded worker process, as `nlp_cluster` asks of the workers it is given."""
    return [
        DASK,
        "worker",
        address,
        "--host",
        "127.0.0.1",
        "--nworkers",
        "1",
        "--nthreads",
        "1",
        "--no-dashboard",
    ]


@contextmanager
def dask_cluster(logs: Path, workers: int = 2, timeout: float = 180.0) -> Iterator[str]:
    """`dask scheduler` and `workers` `dask worker` processes on 127.0.0.1; yields the scheduler's
    address once every worker has joined it."""
    from distributed import Client

    logs.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = [DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"]
    with ExitStack() as stack:
        commands = [scheduler] + [worker_command(address) for _ in range(workers)]
        for n, command in enumerate(commands):
            log = stack.enter_context((logs / f"dask-{n}.log").open("wb"))
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
            stack.callback(_stop, process)
        with Client(address, timeout=timeout) as client:
            client.wait_for_workers(workers, timeout=timeout)
        yield address


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
