"""The local driver's image functions on the real Docker engine: the image contract, plus
what only real containers show (their limits, labels, and that none is left)."""
import json
import subprocess
import time

import eventlet
import pytest
from image_contract import ImageContract
from local_harness import host_facts  # noqa: F401 - a fixture

from qinling_execution.orchestrators.base import container_name
from qinling_execution.orchestrators.local.containers import LABEL_EXECUTION, LABEL_FUNCTION
from qinling_execution.orchestrators.local.driver import LocalOrchestrator
from qinling_shared.exceptions import InvalidInput, Unavailable
from qinling_testing.container_images import args_image  # noqa: F401 - a fixture
from qinling_testing.docker_engine import docker_engine  # noqa: F401 - a fixture
from qinling_testing.runtime_servers import RUNTIMES_DIR

pytestmark = pytest.mark.filterwarnings("ignore:Using fork:DeprecationWarning")


def docker(*args):
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=True,
                          timeout=60).stdout


def local_orchestrator(tmp_path, facts, engine):
    return LocalOrchestrator(str(tmp_path / "state"), RUNTIMES_DIR, facts=facts,
                             container_engine=engine)


class TestLocalImages(ImageContract):
    @pytest.fixture
    def orchestrator(self, tmp_path, host_facts, docker_engine):  # noqa: F811
        orchestrator = local_orchestrator(tmp_path, host_facts, docker_engine)
        self.left = []
        yield orchestrator
        orchestrator.close()
        for name in self.left:  # left by a test that failed before they were collected
            subprocess.run(["docker", "rm", "-f", name], capture_output=True, timeout=60)

    @pytest.fixture
    def image(self, args_image):  # noqa: F811
        return args_image

    def leave_running(self, orchestrator, run):
        self.left.append(container_name(run.execution_id))
        docker("run", "-d", "--name", container_name(run.execution_id),
               "--label", f"{LABEL_EXECUTION}={run.execution_id}", run.image, *run.args)

    def containers_of(self, orchestrator, execution_id):
        return docker("ps", "-a", "-q", "--filter",
                      f"label={LABEL_EXECUTION}={execution_id}").split()

    def test_the_container_has_the_runs_limits_and_labels(self, orchestrator, image):
        run = self.image_run(image, "sleep", "30", timeout=60)
        running = eventlet.spawn(orchestrator.run_image, run)
        name = container_name(run.execution_id)
        deadline = time.monotonic() + 20
        while not self.containers_of(orchestrator, run.execution_id):
            assert time.monotonic() < deadline
            eventlet.sleep(0.05)
        (seen,) = json.loads(docker("inspect", name))
        orchestrator.cancel_image(run.execution_id)
        running.wait()
        host = seen["HostConfig"]
        assert (host["Memory"], host["MemorySwap"], host["NanoCpus"], host["PidsLimit"]) == (
            run.memory_size, run.memory_size, 100 * 10**6, 128)
        assert host["SecurityOpt"] == ["no-new-privileges"]
        assert host["CapDrop"] == ["ALL"]
        assert host["NetworkMode"] == "none"
        assert host["LogConfig"]["Type"] == "json-file"
        assert seen["Config"]["Labels"] == {LABEL_EXECUTION: run.execution_id,
                                            LABEL_FUNCTION: "fn-1"}
        assert seen["Config"]["Cmd"] == ["sleep", "30"]

    def test_runs_wait_side_by_side_under_eventlet(self, orchestrator, image):
        """The SDK's requests are green: eight 2-second runs take about 2 s, not 16."""
        started = time.monotonic()
        runs = [self.image_run(image, "sleep", "2", str(n)) for n in range(8)]
        threads = [eventlet.spawn(orchestrator.run_image, run) for run in runs]
        outcomes = [thread.wait() for thread in threads]
        assert time.monotonic() - started < 8
        assert [o["logs"] for o in outcomes] == [f"sleep\n2\n{n}\n" for n in range(8)]
        assert all(o["success"] for o in outcomes)
        assert all(self.containers_of(orchestrator, r.execution_id) == [] for r in runs)

    def test_a_container_that_cannot_start_fails_clearly(self, orchestrator, image):
        run = self.image_run(image)
        outcome = orchestrator.run_image(
            run.__class__(**{**run.__dict__, "image": "qinling-test/Bad Name"}))
        assert outcome["success"] is False
        assert outcome["output"].startswith("Function execution failed: The container of "
                                            "image qinling-test/Bad Name could not start: ")

    def test_the_probe_names_the_engine(self, orchestrator, docker_engine):  # noqa: F811
        assert orchestrator.probe()["container_engine"] == docker_engine


def test_without_an_engine_configured_image_functions_are_refused(tmp_path, host_facts):  # noqa: F811
    orchestrator = local_orchestrator(tmp_path, host_facts, "")
    try:
        with pytest.raises(InvalidInput) as refused:
            orchestrator.check_images()
        assert str(refused.value) == ("Image functions need a container engine: none is "
                                      "configured ([local] container_engine).")
        with pytest.raises(InvalidInput):
            orchestrator.run_image(TestLocalImages.image_run("any"))
        assert orchestrator.cancel_image("exec-1") is False
        assert orchestrator.image_executions() == []
    finally:
        orchestrator.close()


def test_an_engine_that_does_not_answer_is_named(tmp_path, host_facts):  # noqa: F811
    url = f"unix://{tmp_path}/no-engine.sock"
    orchestrator = local_orchestrator(tmp_path, host_facts, url)
    try:
        with pytest.raises(InvalidInput) as refused:
            orchestrator.check_images()
        assert str(refused.value) == (f"Image functions need a container engine: none "
                                      f"answers at {url} ([local] container_engine).")
        with pytest.raises(Unavailable, match=f"The container engine at {url} failed"):
            orchestrator.run_image(TestLocalImages.image_run("any"))
        assert orchestrator.image_executions() == []  # nothing to reap there
    finally:
        orchestrator.close()
