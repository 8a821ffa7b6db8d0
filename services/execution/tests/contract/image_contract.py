"""The orchestrator contract for image functions (``orchestrators/base.py``: ``check_images``,
``run_image``, ``cancel_image``), run against every driver that runs them.

A driver's test class inherits :class:`ImageContract` and provides the fixtures
``orchestrator`` and ``image`` (an image the driver runs as the tests' program:
``qinling_testing.container_images``), and the driver-specific :meth:`leave_running` (start
a run's container as a delivery that died would have left it) and :meth:`containers_of`.
"""
import time
import uuid

import eventlet
import pytest

from qinling_execution.orchestrators import ImageRun

MEMORY = 33554432
MISSING_IMAGE = "qinling-test/no-such-image:1"


class ImageContract:
    @pytest.fixture
    def orchestrator(self):
        raise NotImplementedError("a driver's test class provides this fixture")

    @pytest.fixture
    def image(self):
        raise NotImplementedError("a driver's test class provides this fixture")

    def leave_running(self, orchestrator, run):
        """Start the container of ``run`` and leave it, awaited by nobody."""
        raise NotImplementedError

    def containers_of(self, orchestrator, execution_id):
        """The containers of ``execution_id`` there are now (running or not)."""
        raise NotImplementedError

    @staticmethod
    def image_run(image, *args, timeout=5, memory_size=MEMORY, execution_id=None):
        return ImageRun(execution_id=execution_id or f"exec-{uuid.uuid4().hex[:12]}",
                        function_id="fn-1", image=image, args=tuple(args), cpu=100,
                        memory_size=memory_size, timeout=timeout)

    def test_check_images_passes_where_they_run(self, orchestrator):
        assert orchestrator.check_images() is None

    def test_the_arguments_are_echoed_in_the_logs(self, orchestrator, image):
        run = self.image_run(image, "Hello", "Qinling")
        outcome = orchestrator.run_image(run)
        assert (outcome["success"], outcome["output"], outcome["logs"]) == (
            True, None, "Hello\nQinling\n")
        assert isinstance(outcome["duration"], float) and 0 <= outcome["duration"] < 5
        assert self.containers_of(orchestrator, run.execution_id) == []

    def test_no_arguments_no_logs(self, orchestrator, image):
        outcome = orchestrator.run_image(self.image_run(image))
        assert (outcome["success"], outcome["logs"]) == (True, "")

    def test_memory_within_the_limit_is_fine(self, orchestrator, image):
        assert orchestrator.run_image(self.image_run(image, "eat", "8"))["success"] is True

    def test_memory_beyond_the_limit_is_killed(self, orchestrator, image):
        run = self.image_run(image, "eat", "64")
        outcome = orchestrator.run_image(run)
        assert (outcome["success"], outcome["output"]) == (
            False, "Function execution failed because of too much resource consumption")
        assert self.containers_of(orchestrator, run.execution_id) == []

    def test_a_container_is_killed_at_its_timeout(self, orchestrator, image):
        run = self.image_run(image, "sleep", "30", timeout=1)
        started = time.monotonic()
        outcome = orchestrator.run_image(run)
        assert time.monotonic() - started < 10
        assert (outcome["success"], outcome["output"], outcome["duration"]) == (
            False, "Function execution timeout.", 1)
        assert outcome["logs"] == "sleep\n30\n"
        assert self.containers_of(orchestrator, run.execution_id) == []

    def test_an_exit_status_is_named(self, orchestrator, image):
        outcome = orchestrator.run_image(self.image_run(image, "exit", "3"))
        assert (outcome["success"], outcome["output"]) == (
            False, "Function execution failed: its container exited with status 3.")

    def test_an_image_that_cannot_be_had_fails_clearly(self, orchestrator):
        run = self.image_run(MISSING_IMAGE)
        outcome = orchestrator.run_image(run)
        assert outcome["success"] is False
        assert outcome["output"].startswith(
            f"Image {MISSING_IMAGE} is not on the container engine and could not be pulled: ")
        assert self.containers_of(orchestrator, run.execution_id) == []

    def test_a_run_again_attaches_to_the_container_left_running(self, orchestrator, image):
        left = self.image_run(image, "sleep", "2", "left")
        started = time.monotonic()
        self.leave_running(orchestrator, left)
        again = self.image_run(image, "sleep", "1", "again", execution_id=left.execution_id)
        outcome = orchestrator.run_image(again)
        assert outcome["success"] is True
        assert outcome["logs"] == "sleep\n2\nleft\n"  # the left container's, once
        assert 1.5 < outcome["duration"] < 4
        assert time.monotonic() - started < 6
        assert self.containers_of(orchestrator, left.execution_id) == []

    def test_a_run_again_collects_a_container_that_ended(self, orchestrator, image):
        left = self.image_run(image, "exit", "4", "left")
        self.leave_running(orchestrator, left)
        outcome = orchestrator.run_image(self.image_run(image, execution_id=left.execution_id))
        assert outcome["output"] == "Function execution failed: its container exited with " \
                                    "status 4."
        assert outcome["logs"] == "exit\n4\nleft\n"
        assert self.containers_of(orchestrator, left.execution_id) == []

    def test_cancel_kills_a_running_container(self, orchestrator, image):
        run = self.image_run(image, "sleep", "30", timeout=60)
        started = time.monotonic()
        running = eventlet.spawn(orchestrator.run_image, run)
        while not orchestrator.cancel_image(run.execution_id):  # until its container runs
            assert time.monotonic() - started < 20
            eventlet.sleep(0.05)
        outcome = running.wait()
        assert time.monotonic() - started < 20
        assert outcome["success"] is False
        assert "exited with status 137" in outcome["output"]
        assert self.containers_of(orchestrator, run.execution_id) == []

    def test_containers_there_are_listed_and_removed(self, orchestrator, image):
        run = self.image_run(image, "sleep", "30", timeout=60)
        self.leave_running(orchestrator, run)
        assert run.execution_id in orchestrator.image_executions()
        orchestrator.remove_image(run.execution_id)
        orchestrator.remove_image(run.execution_id)  # idempotent
        assert run.execution_id not in orchestrator.image_executions()
        assert self.containers_of(orchestrator, run.execution_id) == []

    def test_cancel_of_nothing_running_is_false(self, orchestrator):
        assert orchestrator.cancel_image("exec-never-ran") is False
