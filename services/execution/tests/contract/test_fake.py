import pytest
from orchestrator_contract import IMAGE, OrchestratorContract

from qinling_execution.orchestrators.fake import FakeOrchestrator
from qinling_shared.exceptions import Unavailable


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
