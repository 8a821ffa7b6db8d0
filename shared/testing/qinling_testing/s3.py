"""A throwaway S3 server (moto 5 in server mode) on a free loopback port.

    with S3Server() as s3:
        boto3.client("s3", endpoint_url=s3.url, aws_access_key_id=s3.access_key, ...)

moto accepts any keys; its state lives in the process and vanishes with it.
"""
import shutil
import sys
import tempfile
from pathlib import Path

import requests

from qinling_testing import ports, processes


class S3Error(RuntimeError):
    pass


class S3Server(processes.Managed):
    host = "127.0.0.1"
    access_key, secret_key, region_name = "testing", "testing", "us-east-1"

    def __init__(self, bin_dir=None, start_timeout=20.0):
        self.executable = Path(bin_dir or Path(sys.executable).parent) / "moto_server"
        self.start_timeout = start_timeout
        self.dir = Path(tempfile.mkdtemp(prefix="qinling-s3-"))
        self.log_path = self.dir / "moto.log"
        self.port = None
        self.proc = None

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def start(self, attempts=3):
        """Start and wait until it answers; a new port is tried if another process took one."""
        if not self.executable.exists():
            raise S3Error(f"{self.executable} not found: install moto[server]")
        for _ in range(attempts):
            self.port = ports.free_port()
            self.proc = processes.spawn([self.executable, "-H", self.host, "-p", self.port],
                                        self.log_path, cwd=self.dir)
            if self._wait_ready():
                return self
        raise S3Error("moto_server did not start:\n" + processes.tail(self.log_path))

    def _wait_ready(self):
        return processes.wait_ready(
            self.proc, lambda: requests.get(self.url + "/moto-api/", timeout=1) is not None,
            self.start_timeout)

    def stop(self):
        if self.proc is not None:
            processes.terminate([self.proc], grace=5)
            self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)
