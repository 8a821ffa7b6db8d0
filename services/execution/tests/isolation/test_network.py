"""A function cannot open a network connection unless the operator allows it: real workers of
the local driver (Python and Node.js), a listener on the host's loopback as the target."""
import errno
import socket

import pytest
from local_harness import execute, host_facts  # noqa: F401 - a fixture

from qinling_execution.orchestrators.local.driver import LocalOrchestrator
from qinling_testing.runtime_servers import RUNTIMES_DIR

pytestmark = pytest.mark.filterwarnings("ignore:Using fork:DeprecationWarning")

CONNECT_PY = '''\
import socket


def main(host, port, **kwargs):
    try:
        socket.create_connection((host, port), timeout=3).close()
        return "connected"
    except OSError as exc:
        return exc.errno
'''
CONNECT_JS = '''\
const net = require('net');
exports.main = (context, input) => new Promise((resolve) => {
  const sock = net.connect(input.port, input.host);
  sock.setTimeout(3000, () => { sock.destroy(); resolve('timeout'); });
  sock.on('connect', () => { sock.destroy(); resolve('connected'); });
  sock.on('error', (error) => resolve(error.code));
});
'''
UNROUTABLE = "10.255.255.1"  # any address off the host: an empty namespace has no route


@pytest.fixture(scope="module")
def package(package_server):
    return package_server.add("connect.zip", {"connect.py": CONNECT_PY, "connect.js": CONNECT_JS})


@pytest.fixture(scope="module")
def listener():
    """A service on the host's loopback, as the platform's own services are."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield sock.getsockname()[1]
    sock.close()


def connect(driver, package, runtime, host, port):
    entry = "connect.main"
    worker = driver.start_worker(f"rt-{runtime}", runtime, f"fn-{runtime}", 0, f"w-{runtime}")
    result = execute(worker.url, package, entry, {"host": host, "port": port})
    assert result["success"] is True, result
    return result["output"]


@pytest.fixture(scope="module")
def isolated(tmp_path_factory, host_facts):  # noqa: F811
    driver = LocalOrchestrator(str(tmp_path_factory.mktemp("isolated")), RUNTIMES_DIR,
                               facts=host_facts)
    yield driver
    driver.close()


def test_python_functions_cannot_reach_the_host(isolated, package, listener):
    assert connect(isolated, package, "python3", "127.0.0.1", listener) == errno.ECONNREFUSED


def test_python_functions_have_no_route_out(isolated, package):
    assert connect(isolated, package, "python3", UNROUTABLE, 80) == errno.ENETUNREACH


def test_nodejs_functions_cannot_reach_the_host_or_beyond(isolated, package, listener):
    assert connect(isolated, package, "nodejs", "127.0.0.1", listener) == "ECONNREFUSED"
    assert connect(isolated, package, "nodejs", UNROUTABLE, 80) == "ENETUNREACH"


def test_allow_network_lets_functions_connect(tmp_path, host_facts, package,  # noqa: F811
                                              listener):
    driver = LocalOrchestrator(str(tmp_path), RUNTIMES_DIR, facts=host_facts, allow_network=True)
    try:
        assert connect(driver, package, "python3", "127.0.0.1", listener) == "connected"
        assert connect(driver, package, "nodejs", "127.0.0.1", listener) == "connected"
    finally:
        driver.close()
