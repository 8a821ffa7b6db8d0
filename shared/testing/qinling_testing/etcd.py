"""A throwaway etcd server on free loopback ports, for tests and the test platform.

    with EtcdServer() as etcd:
        client = etcd3gw.Etcd3Client(host=etcd.host, port=etcd.port)

``EtcdServer(tls=True)`` serves https with a certificate of its own test CA and accepts only
clients with a certificate of that CA (``--client-cert-auth``); ``settings()`` and
``conf_options()`` give what a client (the ``[etcd]`` options) needs to reach it.
"""
import base64
import shutil
import tempfile
from pathlib import Path

import requests

from qinling_testing import ports, processes
from qinling_testing.certificates import make_tls_files


class EtcdError(RuntimeError):
    pass


def _b64(text):
    return base64.b64encode(text.encode()).decode()


class EtcdServer(processes.Managed):
    host = "127.0.0.1"

    def __init__(self, data_dir=None, executable=None, start_timeout=15.0, tls=False):
        """``tls``: serve https to clients with a certificate (made in ``dir / "tls"``)."""
        self.executable = executable or shutil.which("etcd") or "/usr/bin/etcd"
        self.start_timeout = start_timeout
        self._own_dir = data_dir is None
        self.dir = Path(tempfile.mkdtemp(prefix="qinling-etcd-") if data_dir is None else data_dir)
        self.log_path = self.dir / "etcd.log"
        self.tls = make_tls_files(self.dir / "tls", self.host) if tls else None
        self.port = self.peer_port = None
        self.proc = None

    @property
    def protocol(self):
        return "https" if self.tls else "http"

    @property
    def url(self):
        return f"{self.protocol}://{self.host}:{self.port}"

    def settings(self):
        """The ``[etcd]`` settings of a client (``qinling_shared.config.etcd_settings`` without
        the prefix): over TLS, the CA and the client certificate."""
        tls = self.tls
        return {"host": self.host, "port": self.port, "protocol": self.protocol,
                "ca_cert": str(tls.ca_cert) if tls else None,
                "cert_file": str(tls.client_cert) if tls else None,
                "cert_key": str(tls.client_key) if tls else None}

    def conf_options(self):
        """``settings()`` as the ``[etcd]`` section of a qinling.conf (unset ones left out)."""
        return {key: str(value) for key, value in self.settings().items() if value is not None}

    def requests_options(self):
        """``verify`` and ``cert`` for ``requests`` calls to this etcd (none over http)."""
        if not self.tls:
            return {}
        return {"verify": str(self.tls.ca_cert),
                "cert": (str(self.tls.client_cert), str(self.tls.client_key))}

    def read_prefix(self, prefix):
        """``[(key, value)]`` of every key under ``prefix`` (str), through the JSON gateway."""
        end = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        response = requests.post(self.url + "/v3/kv/range", timeout=5, **self.requests_options(),
                                 json={"key": _b64(prefix), "range_end": _b64(end)})
        response.raise_for_status()
        return [(base64.b64decode(kv["key"]).decode(), base64.b64decode(kv["value"]).decode())
                for kv in response.json().get("kvs", [])]

    def argv(self):
        client = f"{self.protocol}://{self.host}:{self.port}"
        peer = f"http://{self.host}:{self.peer_port}"
        tls = [] if not self.tls else [
            "--cert-file", self.tls.server_cert, "--key-file", self.tls.server_key,
            "--client-cert-auth", "--trusted-ca-file", self.tls.ca_cert]
        return [self.executable, "--name", "qinling-test", "--data-dir", self.dir / "data",
                "--logger", "zap", "--log-level", "warn",
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", f"qinling-test={peer}", *tls]

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
            self.proc, lambda: requests.get(self.url + "/health", timeout=1,
                                            **self.requests_options()).json().get("health")
            == "true", self.start_timeout)

    def stop(self):
        if self.proc is not None:
            processes.terminate([self.proc], grace=5)
            self.proc = None
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)
