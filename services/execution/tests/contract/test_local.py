"""The local driver: the contract, plus what only real processes can show."""
import os
import stat
import subprocess
import sys
import textwrap
import time

import pytest
from local_harness import gone, host_facts  # noqa: F401 - host_facts is a fixture
from orchestrator_contract import IMAGE, OrchestratorContract

from qinling_execution.orchestrators.local.driver import LocalOrchestrator
from qinling_execution.orchestrators.local.process import ping
from qinling_execution.worker_client import WorkerClient
from qinling_shared.exceptions import Unavailable
from qinling_testing.runtime_servers import RUNTIMES_DIR

# subprocess forks to exec the zygote and the probe; eventlet warns about any fork.
pytestmark = pytest.mark.filterwarnings("ignore:Using fork:DeprecationWarning")


def pid_of(orchestrator, name):
    return orchestrator._workers[name][1].pid


def fake_python(tmp_path, script):
    """An executable the driver runs in place of the interpreter."""
    path = tmp_path / "fake-python"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


class TestLocalOrchestrator(OrchestratorContract):
    @pytest.fixture
    def orchestrator(self, tmp_path, host_facts):
        orchestrator = LocalOrchestrator(str(tmp_path / "state"), RUNTIMES_DIR, facts=host_facts)
        yield orchestrator
        orchestrator.close()

    def assert_gone(self, worker):
        assert not ping(worker.url, timeout=1.0)

    def test_a_worker_runs_functions(self, orchestrator, functions_package):
        worker = self.start(orchestrator)
        client = WorkerClient()
        url, sha256 = functions_package
        result = client.execute(worker.url, {
            "execution_id": "e-local", "function_id": "fn-1", "function_version": 0,
            "entry": "hello.main", "input": {"name": "local"}, "timeout": 5, "cpu": 100,
            "memory_size": 33554432, "package_url": url, "package_sha256": sha256})
        client.close()
        assert (result["output"], result["success"]) == ("Hello, local", True)

    def test_workers_listen_on_the_worker_host(self, tmp_path, host_facts):
        # another replica reaches them there (127.0.0.2: any address of this host would do)
        orchestrator = LocalOrchestrator(str(tmp_path / "state"), RUNTIMES_DIR,
                                         facts=host_facts, worker_host="127.0.0.2")
        try:
            worker = self.start(orchestrator)
            assert worker.url.startswith("http://127.0.0.2:")
            assert ping(worker.url, timeout=5.0)
            assert not ping(worker.url.replace("127.0.0.2", "127.0.0.1"), timeout=1.0)
        finally:
            orchestrator.close()

    def test_a_package_the_init_cannot_fetch_is_reported(self, orchestrator, package_server):
        worker = self.start(orchestrator)
        url = f"{package_server.base}/missing.zip"
        client = WorkerClient()
        result = client.execute(worker.url, {
            "execution_id": "e-missing", "entry": "hello.main", "timeout": 5,
            "package_url": url, "package_sha256": "0" * 64})
        client.close()
        assert (result["output"], result["success"]) == (
            f"Failed to download function package from {url}, "
            "error: HTTP Error 404: Not Found", False)

    def test_stop_reaps_the_process_and_removes_its_files(self, orchestrator, tmp_path):
        self.start(orchestrator)
        pid = pid_of(orchestrator, "w-1")
        workers_dir = tmp_path / "state" / "workers"
        assert sorted(os.listdir(workers_dir)) == ["w-1", "w-1.log"]
        orchestrator.stop_worker("w-1")
        assert gone(pid)
        assert os.listdir(workers_dir) == []

    def test_close_ends_every_process(self, orchestrator):
        self.start(orchestrator, name="w-1")
        self.start(orchestrator, name="w-2")
        pids = [pid_of(orchestrator, "w-1"), pid_of(orchestrator, "w-2")]
        orchestrator.close()
        assert all(gone(pid) for pid in pids)

    def test_a_crashed_worker_is_dropped_and_started_again(self, orchestrator):
        first = self.start(orchestrator)
        process = orchestrator._workers["w-1"][1]
        os.kill(process.pid, 9)
        assert gone(process.pid)
        assert orchestrator.list_workers() == []
        again = self.start(orchestrator)
        assert again.url != first.url and ping(again.url, timeout=1.0)

    def test_the_environment_is_minimal(self, orchestrator):
        self.start(orchestrator)
        with open(f"/proc/{pid_of(orchestrator, 'w-1')}/environ", "rb") as environ:
            names = sorted(item.split(b"=")[0] for item in environ.read().split(b"\0") if item)
        assert names == [b"LANG", b"MALLOC_ARENA_MAX", b"PATH"]

    def test_a_worker_that_exits_gives_unavailable_with_its_output(self, tmp_path, host_facts):
        python = fake_python(tmp_path, "echo 'cannot import the runtime' >&2\nexit 3\n")
        orchestrator = LocalOrchestrator(str(tmp_path / "state"), RUNTIMES_DIR,
                                         python_executable=python, facts=host_facts)
        with pytest.raises(Unavailable, match="status 3.*cannot import the runtime"):
            self.start(orchestrator)
        assert orchestrator.list_workers() == []
        orchestrator.close()

    def test_a_silent_worker_gives_unavailable_after_the_start_timeout(self, tmp_path,
                                                                        host_facts):
        python = fake_python(tmp_path, "echo 'stuck' >&2\nexec sleep 30\n")
        orchestrator = LocalOrchestrator(str(tmp_path / "state"), RUNTIMES_DIR,
                                         worker_start_timeout=0.5,
                                         python_executable=python, facts=host_facts)
        started = time.monotonic()
        with pytest.raises(Unavailable, match=r"within 0.5 s.*stuck"):
            self.start(orchestrator)
        assert time.monotonic() - started < 4
        orchestrator.close()

    def test_a_missing_interpreter_gives_unavailable(self, tmp_path, host_facts):
        orchestrator = LocalOrchestrator(str(tmp_path / "state"), RUNTIMES_DIR, facts=host_facts,
                                         python_executable=str(tmp_path / "no-python"))
        with pytest.raises(Unavailable, match="no-python"):
            self.start(orchestrator)
        orchestrator.close()

    def test_workers_of_a_dead_service_end_on_their_own_after_lingering(self, tmp_path):
        script = textwrap.dedent(f"""
            import os, sys
            from qinling_execution.orchestrators.local.driver import LocalOrchestrator
            orchestrator = LocalOrchestrator({str(tmp_path / "state")!r}, {str(RUNTIMES_DIR)!r},
                                             orphan_linger=2.0)
            orchestrator.start_worker("rt-1", {IMAGE!r}, "fn-1", 0, "w-1")
            print(orchestrator._workers["w-1"][1].pid, flush=True)
            os._exit(0)  # no close(): nothing stops the worker
        """)
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        assert not gone(int(done.stdout), timeout=1.0)  # an orphan, for the linger
        assert gone(int(done.stdout), timeout=10.0)
