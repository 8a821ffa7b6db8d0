from qinling_execution import scaling


def test_first_execution_needs_a_worker():
    assert scaling.needs_scale_up(running=1, workers=0, concurrency=3)


def test_three_concurrent_fit_one_worker_and_four_do_not():
    assert not scaling.needs_scale_up(running=3, workers=1, concurrency=3)
    assert scaling.needs_scale_up(running=4, workers=1, concurrency=3)


def test_six_concurrent_fit_two_workers():
    assert not scaling.needs_scale_up(running=6, workers=2, concurrency=3)


def test_pick_least_busy_then_by_name():
    assert scaling.pick_worker({"b": 1, "a": 2, "c": 1}) == "b"
