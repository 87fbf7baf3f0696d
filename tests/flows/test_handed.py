from __future__ import annotations

import gc
import weakref

import pytest
from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows.handed import Handed


class Pages:
    """Stands for a batch's pages or tables: something whose lifetime a weak reference tells."""


@task(cache_policy=NO_CACHE)
def _handed() -> Handed[Pages]:
    return Handed(Pages())


@flow
def _run() -> bool:
    """Whether a task's result is still alive, in the flow run, once the flow let go of it."""
    result = _handed().take()
    alive = weakref.ref(result)
    del result
    gc.collect()
    return alive() is not None


def test_a_taken_result_is_not_kept_for_the_rest_of_the_flow_run(prefect_harness: None) -> None:
    # What the box is for: Prefect nearly always keeps a plain result (and so the box) to the end
    # of the flow run; not always, so that is not asserted. An emptied box is all it keeps.
    assert not _run()


def test_a_box_gives_its_value_once() -> None:
    box = Handed([1, 2])
    assert box.take() == [1, 2]
    with pytest.raises(RuntimeError):
        box.take()
