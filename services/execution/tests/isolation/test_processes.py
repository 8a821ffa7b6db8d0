"""A function cannot see other workers' processes, nor look into its own worker's (which hold
the worker's sockets): real workers of the local driver, Python and Node.js."""
import errno

import pytest
from local_harness import execute, host_facts  # noqa: F401 - a fixture

from qinling_execution.orchestrators.local.driver import LocalOrchestrator
from qinling_testing.runtime_servers import RUNTIMES_DIR

pytestmark = pytest.mark.filterwarnings("ignore:Using fork:DeprecationWarning")

PEEK_PY = '''\
import os


def attempt(action):
    try:
        action()
        return "allowed"
    except OSError as exc:
        return exc.errno


def main(pids=(), **kwargs):
    worker = os.getppid()
    return {"visible": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
            "me": os.getpid(), "others": [os.path.exists(f"/proc/{p}") for p in pids],
            "environ": attempt(lambda: open(f"/proc/{worker}/environ").read()),
            "fds": attempt(lambda: os.listdir(f"/proc/{worker}/fd")),
            "mem": attempt(lambda: open(f"/proc/{worker}/mem", "rb").read(1)),
            "init": attempt(lambda: os.listdir("/proc/1/fd"))}
'''
PEEK_JS = '''\
const fs = require('fs');
const attempt = (action) => { try { action(); return 'allowed'; } catch (e) { return e.code; } };
exports.main = () => ({
  fds: attempt(() => fs.readdirSync(`/proc/${process.ppid}/fd`)),
  mem: attempt(() => fs.readFileSync(`/proc/${process.ppid}/mem`)),
  init: attempt(() => fs.readdirSync('/proc/1/fd')),
});
'''


@pytest.fixture(scope="module")
def package(package_server):
    return package_server.add("peek.zip", {"peek.py": PEEK_PY, "peek.js": PEEK_JS})


@pytest.fixture(scope="module")
def driver(tmp_path_factory, host_facts):  # noqa: F811
    orchestrator = LocalOrchestrator(str(tmp_path_factory.mktemp("processes")), RUNTIMES_DIR,
                                     facts=host_facts)
    yield orchestrator
    orchestrator.close()


def test_python_functions_see_only_their_worker_and_cannot_look_into_it(driver, package):
    other = driver.start_worker("rt", "python3", "fn-other", 0, "w-other")
    worker = driver.start_worker("rt", "python3", "fn-peek", 0, "w-peek")
    other_pid = driver._workers["w-other"][1].pid
    seen = execute(worker.url, package, "peek.main", {"pids": [other_pid]})["output"]
    # Its own pid namespace, where /proc shows only what it may inspect: itself. Its worker's
    # processes (not dumpable: they switched uid) are not even listed.
    assert seen["visible"] == [seen["me"]] and seen["others"] == [False], seen
    assert (seen["environ"], seen["fds"], seen["mem"], seen["init"]) == (
        errno.ENOENT, errno.ENOENT, errno.ENOENT, errno.ENOENT)
    assert other.url != worker.url


def test_nodejs_functions_cannot_look_into_their_worker(driver, package):
    worker = driver.start_worker("rt-node", "nodejs", "fn-peek-js", 0, "w-peek-js")
    seen = execute(worker.url, package, "peek.main")["output"]
    assert seen == {"fds": "ENOENT", "mem": "ENOENT", "init": "ENOENT"}
