from __future__ import annotations

import gc
import os
import signal
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from pipeline.forks import PartFailed, Workers, in_chunks, in_forks, split
from tests.pipeline.test_parse_host import gone


def test_parts_are_consecutive_balanced_and_never_empty() -> None:
    items = [5, 1, 1, 1, 1, 1, 5, 5]
    parts = split(items, 2, weight=lambda n: n)
    assert [n for part in parts for n in part] == items
    assert len(parts) == 2
    totals = [sum(part) for part in parts]
    assert max(totals) - min(totals) <= max(items)
    assert split(items, 20, weight=lambda n: n) == [[n] for n in items]
    assert split([], 2, weight=lambda n: n) == []
    # One heavy item first still leaves the rest to the other part.
    assert split([100, 1, 1], 2, weight=lambda n: n) == [[100], [1, 1]]


def _pids(part: Sequence[int]) -> list[tuple[int, int]]:
    return [(n * 10, os.getpid()) for n in part]


def test_each_part_runs_in_its_own_process_and_results_keep_their_order() -> None:
    results = in_forks(_pids, list(range(7)), 3, timeout=30)
    values = [value for part in results for value, _ in part]
    pids = {pid for part in results for _, pid in part}
    assert values == [n * 10 for n in range(7)]
    assert len(results) == 3
    assert len(pids) == 3
    assert os.getpid() not in pids


def test_one_process_works_here() -> None:
    (result,) = in_forks(_pids, [1, 2], 1, timeout=30)
    assert {pid for _, pid in result} == {os.getpid()}


def _fails_on_three(part: Sequence[int]) -> list[int]:
    if 3 in part:
        raise ValueError("three is not welcome")
    return list(part)


def test_a_part_that_raises_fails_the_call_with_its_reason() -> None:
    with pytest.raises(PartFailed, match="ValueError: three is not welcome"):
        in_forks(_fails_on_three, [1, 2, 3, 4], 2, timeout=30)


def _dies(part: Sequence[int]) -> list[int]:
    os.kill(os.getpid(), signal.SIGKILL)
    return list(part)


def test_a_part_whose_process_dies_fails_the_call() -> None:
    with pytest.raises(PartFailed, match="died"):
        in_forks(_dies, [1, 2], 2, timeout=30)


def _hangs(part: Sequence[int]) -> list[int]:
    with open(f"{part[0]}.pid", "w", encoding="utf-8") as handle:
        handle.write(str(os.getpid()))
    time.sleep(600)
    return list(part)


def test_a_part_over_its_time_is_killed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PartFailed, match="ran over 1 s"):
        in_forks(_hangs, [1, 2], 2, timeout=1)
    for name in ("1.pid", "2.pid"):
        pid = int((tmp_path / name).read_text(encoding="utf-8"))
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_a_stream_is_parsed_a_chunk_at_a_time_in_order() -> None:
    seen: list[int] = []

    def stream() -> Iterator[int]:
        for n in range(10):
            seen.append(n)
            yield n

    parts = in_chunks(_pids, stream(), 2, timeout=30, chunk=4)
    first = next(parts)
    assert seen == [0, 1, 2, 3]  # only the first chunk was read to hand back its first part
    values = [value for part in [first, *parts] for value, _ in part]
    assert values == [n * 10 for n in range(10)]


def test_the_parent_s_objects_are_frozen_only_while_children_start() -> None:
    # The children see this process's objects frozen (their collector leaves those pages alone);
    # this process collects its own garbage as before once they have started.
    frozen = in_forks(lambda part: [gc.get_freeze_count() for _ in part], [1, 2], 2, timeout=30)
    assert all(count > 0 for part in frozen for count in part)
    assert gc.get_freeze_count() == 0


def test_workers_are_kept_between_calls_and_replaced_after_their_share() -> None:
    workers = Workers(_pids, 2, recycle=10, weight=lambda n: n)
    try:
        calls = [workers.run([[n], [n]], timeout=30) for n in (1, 9, 1)]
    finally:
        workers.close()
    pids = [{pid for part in call for _, pid in part} for call in calls]
    assert [value for part in calls[1] for value, _ in part] == [90, 90]
    assert pids[0] == pids[1] and len(pids[0]) == 2 and os.getpid() not in pids[0]
    # Each had handled 10 after the second call: both were replaced.
    assert len(pids[2]) == 2 and not pids[2] & pids[1]


def test_more_parts_than_workers_are_handed_out_as_workers_come_free() -> None:
    workers = Workers(_pids, 2, recycle=1_000, weight=lambda n: 1)
    try:
        results = workers.run([[n] for n in range(7)], timeout=30)
    finally:
        workers.close()
    assert [value for part in results for value, _ in part] == [n * 10 for n in range(7)]
    assert len({pid for part in results for _, pid in part}) == 2


def test_a_worker_that_dies_or_hangs_fails_the_call_and_the_next_call_gets_a_new_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    workers = Workers(_dies_or_hangs_on_negative, 2, recycle=1_000, weight=lambda n: 1)
    try:
        with pytest.raises(PartFailed, match="died"):
            workers.run([[-1], [1]], timeout=30)
        with pytest.raises(PartFailed, match="ran over 1 s"):
            workers.run([[-2], [2]], timeout=1)
        hung = int((tmp_path / "hung.pid").read_text(encoding="utf-8"))
        with pytest.raises(ProcessLookupError):
            os.kill(hung, 0)
        assert [value for part in workers.run([[3], [4]], timeout=30) for value, _ in part] == [30, 40]
    finally:
        workers.close()


def _dies_or_hangs_on_negative(part: Sequence[int]) -> list[tuple[int, int]]:
    if -1 in part:
        os.kill(os.getpid(), signal.SIGKILL)
    if -2 in part:
        Path("hung.pid").write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(600)
    return _pids(part)


def _timed(part: Sequence[int]) -> list[tuple[int, int, float, float]]:
    """Each item sleeps its value in tenths of a second: (item, pid, start, end)."""
    start = time.monotonic()
    time.sleep(sum(part) / 10)
    return [(n, os.getpid(), start, time.monotonic()) for n in part]


def test_a_worker_done_with_one_job_starts_the_next_while_the_other_finishes() -> None:
    workers = Workers(_timed, 2, recycle=1_000, weight=lambda n: 1)
    try:
        first = workers.submit([[10], [0]], timeout=30)  # 1 s and nothing
        second = workers.submit([[1], [2]], timeout=30)
        while not (first.finished and second.finished):
            workers.wait([], 0.5)
        (slow,), (quick,) = first.outcome()
        (a,), (b,) = second.outcome()
    finally:
        workers.close()
    assert [slow[0], quick[0], a[0], b[0]] == [10, 0, 1, 2]
    # The second job's parts ran on the worker the quick part freed, before the slow one ended.
    assert a[1] == b[1] == quick[1] != slow[1]
    assert a[2] < slow[3] and b[2] < slow[3]


def test_a_job_that_fails_or_runs_over_ends_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    workers = Workers(_dies_or_hangs_on_negative, 2, recycle=1_000, weight=lambda n: 1)
    try:
        hangs = workers.submit([[-2], [1]], timeout=1)
        fine = workers.submit([[2], [3]], timeout=30)
        dies = workers.submit([[4], [-1]], timeout=30)
        after = workers.submit([[5], [6]], timeout=30)
        while not all(job.finished for job in (hangs, fine, dies, after)):
            workers.wait([], 0.5)
        with pytest.raises(PartFailed, match="ran over 1 s"):
            hangs.outcome()
        with pytest.raises(PartFailed, match="died"):
            dies.outcome()
        assert [value for part in fine.outcome() for value, _ in part] == [20, 30]
        assert [value for part in after.outcome() for value, _ in part] == [50, 60]
    finally:
        workers.close()
    hung = int((tmp_path / "hung.pid").read_text(encoding="utf-8"))
    assert gone(hung)


def test_a_worker_whose_parent_is_gone_stops(tmp_path: Path) -> None:
    # A parent killed outright closes nothing in time; its workers must not live on.
    script = tmp_path / "orphan.py"
    script.write_text(
        "import os, sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parents[2])!r})\n"
        "from pipeline.forks import Workers\n"
        "workers = Workers(lambda part: [os.getpid()], 1, recycle=100, weight=lambda n: 1)\n"
        "print(workers.run([[1]], timeout=30)[0][0], flush=True)\n"
        "os._exit(0)\n",
        encoding="utf-8",
    )
    import subprocess
    import sys

    output = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    worker = int(output.stdout.strip())
    for _ in range(50):
        if gone(worker):
            break
        time.sleep(0.1)
    else:
        os.kill(worker, signal.SIGKILL)
        pytest.fail("the worker outlived its parent")
