"""Fixtures of the fault tests: a counter of function runs outside the platform, and a
function that reports each run to it, warm on the module's ``platform`` (each test module
starts its own platform, as the fault it injects needs it)."""
import pytest

from qinling_testing.run_counter import RunCounter, counted_function


@pytest.fixture(scope="module")
def counter():
    counter = RunCounter()
    yield counter
    counter.close()


@pytest.fixture(scope="module")
def function_id(platform, counter):
    """A function of ``run_counter.SOURCE``, warm on the module's platform
    (``run_counter.counted_function``)."""
    return counted_function(platform.url, counter)
