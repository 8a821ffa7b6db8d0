"""The orchestrator contract (orchestrators/base.py), run against every driver.

A driver's test class inherits :class:`OrchestratorContract` and provides the fixture
``orchestrator`` (and may override :meth:`assert_gone`, to check that a stopped worker's
process or pod really is gone).
"""
import pytest

from qinling_execution.orchestrators import PoolInfo, Worker
from qinling_shared.exceptions import Conflict, InvalidInput, NotFound

IMAGE = "openstackqinling/python3-runtime:0.0.2"


class OrchestratorContract:
    @pytest.fixture
    def orchestrator(self):
        raise NotImplementedError("a driver's test class provides this fixture")

    def assert_gone(self, worker):
        """Driver-specific proof that ``worker`` no longer runs."""

    def start(self, orchestrator, name="w-1", runtime_id="rt-1", function_id="fn-1",
              version=0, image=IMAGE):
        return orchestrator.start_worker(runtime_id, image, function_id, version, name)

    def test_create_pool_is_idempotent(self, orchestrator):
        orchestrator.create_pool("rt-1", IMAGE)
        orchestrator.create_pool("rt-1", IMAGE)
        orchestrator.create_pool("rt-1", "python3")
        assert orchestrator.pool_info("rt-1") == PoolInfo(total=0, available=0)

    def test_an_unknown_image_is_refused(self, orchestrator):
        with pytest.raises(InvalidInput, match="no-such/image:1"):
            orchestrator.create_pool("rt-1", "no-such/image:1")
        with pytest.raises(NotFound):
            orchestrator.pool_info("rt-1")

    def test_pool_info_of_a_missing_pool_is_not_found(self, orchestrator):
        with pytest.raises(NotFound, match="rt-missing"):
            orchestrator.pool_info("rt-missing")

    def test_delete_pool_is_idempotent(self, orchestrator):
        orchestrator.create_pool("rt-1", IMAGE)
        orchestrator.delete_pool("rt-1")
        orchestrator.delete_pool("rt-1")
        with pytest.raises(NotFound):
            orchestrator.pool_info("rt-1")

    def test_start_worker_returns_a_described_worker(self, orchestrator):
        worker = self.start(orchestrator, function_id="fn-9", version=2)
        assert isinstance(worker, Worker)
        assert (worker.name, worker.runtime_id, worker.function_id, worker.function_version) == (
            "w-1", "rt-1", "fn-9", 2)
        assert worker.url.startswith("http")
        assert orchestrator.pool_info("rt-1") == PoolInfo(total=1, available=0)

    def test_start_worker_is_idempotent_by_name(self, orchestrator):
        first = self.start(orchestrator)
        assert self.start(orchestrator) == first
        assert orchestrator.list_workers() == [first]

    def test_a_name_taken_by_another_function_is_a_conflict(self, orchestrator):
        self.start(orchestrator)
        with pytest.raises(Conflict, match="w-1"):
            self.start(orchestrator, function_id="fn-other")

    @pytest.mark.parametrize("name", ["", "Upper", "under_score", "-dash", "x" * 64])
    def test_a_worker_name_must_be_a_dns_label(self, orchestrator, name):
        with pytest.raises(InvalidInput, match="Invalid worker name"):
            self.start(orchestrator, name=name)
        assert orchestrator.list_workers() == []

    def test_start_worker_refuses_an_unknown_image(self, orchestrator):
        with pytest.raises(InvalidInput):
            self.start(orchestrator, image="busybox")
        assert orchestrator.list_workers() == []

    def test_list_workers(self, orchestrator):
        one = self.start(orchestrator, name="w-1")
        two = self.start(orchestrator, name="w-2", function_id="fn-2", version=1)
        assert sorted(orchestrator.list_workers(), key=lambda w: w.name) == [one, two]
        assert one.url != two.url

    def test_stop_worker_is_idempotent(self, orchestrator):
        worker = self.start(orchestrator)
        orchestrator.stop_worker("w-1")
        orchestrator.stop_worker("w-1")
        orchestrator.stop_worker("never-started")
        assert orchestrator.list_workers() == []
        self.assert_gone(worker)

    def test_a_stopped_name_can_start_again(self, orchestrator):
        self.start(orchestrator)
        orchestrator.stop_worker("w-1")
        again = self.start(orchestrator, function_id="fn-new")
        assert orchestrator.list_workers() == [again]

    def test_delete_pool_stops_only_its_workers(self, orchestrator):
        doomed = self.start(orchestrator, name="w-1", runtime_id="rt-1")
        kept = self.start(orchestrator, name="w-2", runtime_id="rt-2")
        orchestrator.delete_pool("rt-1")
        assert orchestrator.list_workers() == [kept]
        self.assert_gone(doomed)

    def test_close_stops_every_worker(self, orchestrator):
        workers = [self.start(orchestrator, name=f"w-{n}") for n in range(2)]
        orchestrator.close()
        assert orchestrator.list_workers() == []
        for worker in workers:
            self.assert_gone(worker)

    def test_probe_names_the_driver_and_its_isolation(self, orchestrator):
        facts = orchestrator.probe()
        assert isinstance(facts["driver"], str) and isinstance(facts["isolation"], list)

    # -- idle workers (warm pools) ------------------------------------------------------------

    def start_idle(self, orchestrator, name="w-idle", runtime_id="rt-1", image=IMAGE):
        return orchestrator.start_idle_worker(runtime_id, image, name)

    def test_an_idle_worker_runs_no_function_and_counts_as_available(self, orchestrator):
        idle = self.start_idle(orchestrator)
        assert idle.idle and (idle.function_id, idle.function_version) == (None, None)
        assert (idle.name, idle.runtime_id) == ("w-idle", "rt-1") and idle.url.startswith("http")
        self.start(orchestrator, name="w-bound")
        assert orchestrator.pool_info("rt-1") == PoolInfo(total=2, available=1)
        assert sorted(w.name for w in orchestrator.list_workers()) == ["w-bound", "w-idle"]

    def test_start_idle_worker_is_idempotent_and_checks_its_input(self, orchestrator):
        first = self.start_idle(orchestrator)
        assert self.start_idle(orchestrator) == first
        with pytest.raises(InvalidInput, match="Invalid worker name"):
            self.start_idle(orchestrator, name="Bad_Name")
        with pytest.raises(InvalidInput):
            self.start_idle(orchestrator, name="w-2", image="busybox")
        assert orchestrator.list_workers() == [first]

    def test_binding_makes_an_idle_worker_a_functions_worker(self, orchestrator):
        idle = self.start_idle(orchestrator)
        bound = orchestrator.bind_worker("w-idle", "fn-1", 3)
        assert (bound.name, bound.url, bound.runtime_id) == (idle.name, idle.url, idle.runtime_id)
        assert (bound.function_id, bound.function_version, bound.idle) == ("fn-1", 3, False)
        assert orchestrator.list_workers() == [bound]
        assert orchestrator.pool_info("rt-1") == PoolInfo(total=1, available=0)

    def test_binding_again_is_idempotent_but_not_to_another_function(self, orchestrator):
        self.start_idle(orchestrator)
        bound = orchestrator.bind_worker("w-idle", "fn-1", 0)
        assert orchestrator.bind_worker("w-idle", "fn-1", 0) == bound
        with pytest.raises(Conflict, match="w-idle"):
            orchestrator.bind_worker("w-idle", "fn-1", 1)
        with pytest.raises(Conflict, match="w-idle"):
            orchestrator.bind_worker("w-idle", "fn-2", 0)

    def test_binding_an_unknown_or_stopped_worker_is_not_found(self, orchestrator):
        with pytest.raises(NotFound, match="never-started"):
            orchestrator.bind_worker("never-started", "fn-1", 0)
        idle = self.start_idle(orchestrator)
        orchestrator.stop_worker("w-idle")
        with pytest.raises(NotFound, match="w-idle"):
            orchestrator.bind_worker("w-idle", "fn-1", 0)
        self.assert_gone(idle)

    def test_delete_pool_stops_its_idle_workers(self, orchestrator):
        idle = self.start_idle(orchestrator)
        orchestrator.delete_pool("rt-1")
        assert orchestrator.list_workers() == []
        self.assert_gone(idle)
