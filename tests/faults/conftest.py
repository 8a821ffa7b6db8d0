"""Fixtures of the fault tests: a counter of function runs outside the platform, and a
function that reports each run to it, warm on the module's ``platform`` (each test module
starts its own platform, as the fault it injects needs it)."""
import pytest

from qinling_testing.api_client import ApiClient
from qinling_testing.packages import zip_package
from qinling_testing.run_counter import SOURCE, RunCounter


@pytest.fixture(scope="module")
def counter():
    counter = RunCounter()
    yield counter
    counter.close()


@pytest.fixture(scope="module")
def function_id(platform, counter):
    """A function of ``run_counter.SOURCE``, run once (input ``n`` -1) so that a worker and
    the services' caches are ready before the fault."""
    api = ApiClient(platform.url)
    try:
        runtime = api.create_runtime()
        assert runtime.status_code == 201, runtime.text
        api.wait_for_status(f"/v1/runtimes/{runtime.json()['id']}", {"available"})
        function = api.create_function(runtime.json()["id"], name="counted",
                                       package=zip_package({"main.py": SOURCE}))
        assert function.status_code == 201, function.text
        warm = api.execute(function.json()["id"], {"n": -1, "counter": counter.url})
        assert warm.status_code == 201, warm.text
        assert warm.json()["status"] == "success", warm.json()
    finally:
        api.close()
    return function.json()["id"]
