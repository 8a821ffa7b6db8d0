import pytest
from image_contract import ImageContract
from orchestrator_contract import IMAGE, OrchestratorContract

from qinling_execution.orchestrators.fake import LOCAL_IMAGES, FakeOrchestrator
from qinling_shared.exceptions import InvalidInput, Unavailable


class TestFakeOrchestrator(OrchestratorContract):
    @pytest.fixture
    def orchestrator(self):
        return FakeOrchestrator()

    def assert_gone(self, worker):
        assert worker.name not in self.current.workers

    @pytest.fixture(autouse=True)
    def _remember(self, orchestrator):
        self.current = orchestrator

    def test_workers_get_fake_urls(self, orchestrator):
        assert self.start(orchestrator, name="w-7").url == "http://fake-worker/w-7"

    def test_calls_are_recorded(self, orchestrator):
        self.start(orchestrator)
        orchestrator.stop_worker("w-1")
        assert orchestrator.calls == [
            ("start_worker", ("rt-1", IMAGE, "fn-1", 0, "w-1")),
            ("create_pool", ("rt-1", IMAGE)),
            ("stop_worker", ("w-1",)),
        ]

    def test_fail_next_start_fails_one_start(self, orchestrator):
        orchestrator.fail_next_start("never answered")
        with pytest.raises(Unavailable, match="never answered"):
            self.start(orchestrator)
        assert orchestrator.list_workers() == []
        assert self.start(orchestrator).name == "w-1"


class TestFakeImages(ImageContract):
    @pytest.fixture
    def orchestrator(self):
        return FakeOrchestrator()

    @pytest.fixture
    def image(self):
        return LOCAL_IMAGES[0]

    def leave_running(self, orchestrator, run):
        orchestrator.leave_container(run)

    def containers_of(self, orchestrator, execution_id):
        return [execution_id] if execution_id in orchestrator.containers else []

    def test_without_an_engine_image_functions_are_refused(self):
        orchestrator = FakeOrchestrator(container_engine=False)
        with pytest.raises(InvalidInput, match="need a container engine"):
            orchestrator.check_images()
        with pytest.raises(InvalidInput, match="need a container engine"):
            orchestrator.run_image(self.image_run(LOCAL_IMAGES[0]))
