"""A throwaway etcd server on free loopback ports, for tests and the test platform.

    with EtcdServer() as etcd:
        client = etcd3gw.Etcd3Client(host=etcd.host, port=etcd.port)
"""
import shutil
import tempfile
from pathlib import Path

import requests

from qinling_testing import ports, processes


class EtcdError(RuntimeError):
    pass


class EtcdServer(processes.Managed):
    host = "127.0.0.1"

    def __init__(self, data_dir=None, executable=None, start_timeout=15.0):
        self.executable = executable or shutil.which("etcd") or "/usr/bin/etcd"
        self.start_timeout = start_timeout
        self._own_dir = data_dir is None
        self.dir = Path(tempfile.mkdtemp(prefix="qinling-etcd-") if data_dir is None else data_dir)
        self.log_path = self.dir / "etcd.log"
        self.port = self.peer_port = None
        self.proc = None

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def argv(self):
        client, peer = f"http://{self.host}:{self.port}", f"http://{self.host}:{self.peer_port}"
        return [self.executable, "--name", "qinling-test", "--data-dir", self.dir / "data",
                "--logger", "zap", "--log-level", "warn",
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", f"qinling-test={peer}"]

    def start(self, attempts=3):
        """Start and wait for ``/health``; new ports are tried if another process took one."""
        if not Path(self.executable).exists():
            raise EtcdError(f"etcd not found at {self.executable}: run scripts/infra")
        for _ in range(attempts):
            self.port, self.peer_port = ports.free_ports(2)
            self.proc = processes.spawn(self.argv(), self.log_path, cwd=self.dir)
            if self._wait_healthy():
                return self
        raise EtcdError("etcd did not start:\n" + processes.tail(self.log_path))

    def _wait_healthy(self):
        return processes.wait_ready(
            self.proc, lambda: requests.get(self.url + "/health", timeout=1).json().get("health")
            == "true", self.start_timeout)

    def stop(self):
        if self.proc is not None:
            processes.terminate([self.proc], grace=5)
            self.proc = None
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)
