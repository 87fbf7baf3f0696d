from bench.limits import worker_batch


def test_a_batch_is_dealt_out_to_every_worker_process() -> None:
    # spaCy hands whole minibatches to its workers in turn: 64 texts in minibatches of 64 would
    # all go to the first of two processes.
    batch = worker_batch(64, 2, 64)
    assert -(-64 // batch) >= 2 * 4
    assert worker_batch(64, 1, 64) == 64
    assert worker_batch(3, 8, 64) == 1
    assert worker_batch(10_000, 2, 64) == 64
