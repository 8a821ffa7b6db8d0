"""A throwaway Swift all-in-one (swift 2.38 from PyPI) on free loopback ports.

One device, 1-replica rings, four processes (account, container, object, proxy) with
everything under one temp dir; tempauth (``test:tester``/``testing``) with fernet tokens, so no
memcached is needed (tempauth still logs "swift.cache could not be found" when it makes a
token: harmless)::

    with SwiftAIO() as swift:
        conn = swiftclient.Connection(swift.auth_url, swift.user, swift.key)
"""
import base64
import os
import pwd
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import requests

from qinling_testing import ports, processes

SERVERS = ("account", "container", "object")
READY_PROBE = "qinling-ready-probe"  # container written and removed by the start-up probe
# Swift reads /etc/swift/swift.conf by default: point it at ours in every server process.
SITECUSTOMIZE = "from swift.common import utils\nutils.SWIFT_CONF_FILE = {path!r}\n"
RINGS = """import sys
from swift.common.ring import RingBuilder
for name, port in zip(("account", "container", "object"), sys.argv[2:]):
    builder = RingBuilder(8, 1, 1)
    builder.add_dev({"region": 1, "zone": 1, "ip": "127.0.0.1", "port": int(port),
                     "device": "d1", "weight": 1})
    builder.rebalance()
    builder.get_ring().save(f"{sys.argv[1]}/{name}.ring.gz")
"""
SWIFT_CONF = """[swift-hash]
swift_hash_path_suffix = qinling-test
[storage-policy:0]
name = gold
default = yes
"""
COMMON = """[DEFAULT]
bind_ip = 127.0.0.1
bind_port = {port}
workers = 0
user = {user}
swift_dir = {dir}
devices = {dir}/srv
mount_check = false
disable_fallocate = true
log_level = WARNING
"""
BACKEND = "[pipeline:main]\npipeline = {name}-server\n[app:{name}-server]\nuse = egg:swift#{name}\n"
FILTERS = ("catch_errors", "gatekeeper", "healthcheck", "proxy-logging", "listing_formats",
           "tempauth", "copy", "dlo", "proxy-logging")
PROXY = f"""[pipeline:main]
pipeline = {' '.join(FILTERS)} proxy-server
[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin
fernet_key_1 = {{fernet_key}}
active_fernet_key_id = 1
""" + "".join(f"[filter:{f}]\nuse = egg:swift#{f.replace('-', '_')}\n"
              for f in dict.fromkeys(FILTERS) if f != "tempauth")


class SwiftError(RuntimeError):
    pass


class SwiftAIO(processes.Managed):
    host = "127.0.0.1"
    user, key = "test:tester", "testing"

    def __init__(self, bin_dir=None, start_timeout=30.0, proxy_port=None):
        """``proxy_port``: a fixed port for the proxy (default: a free one)."""
        self.bin_dir = Path(bin_dir or Path(sys.executable).parent)
        self.start_timeout = start_timeout
        self.dir = Path(tempfile.mkdtemp(prefix="qinling-swift-"))
        self.ports = dict(zip((*SERVERS, "proxy"), ports.free_ports(4)))
        if proxy_port:
            self.ports["proxy"] = int(proxy_port)
        self.procs = []

    @property
    def url(self):
        return f"http://{self.host}:{self.ports['proxy']}"

    @property
    def auth_url(self):
        """Tempauth (auth version 1) URL."""
        return self.url + "/auth/v1.0"

    def log_path(self, name):
        return self.dir / f"{name}.log"

    def write_files(self):
        (self.dir / "srv" / "d1").mkdir(parents=True)
        (self.dir / "site").mkdir()
        (self.dir / "swift.conf").write_text(SWIFT_CONF)
        (self.dir / "site" / "sitecustomize.py").write_text(
            SITECUSTOMIZE.format(path=str(self.dir / "swift.conf")))
        user = pwd.getpwuid(os.getuid()).pw_name
        fernet_key = base64.urlsafe_b64encode(os.urandom(32)).decode()
        for name, port in self.ports.items():
            body = (PROXY.format(fernet_key=fernet_key) if name == "proxy"
                    else BACKEND.format(name=name))
            (self.dir / f"{name}.conf").write_text(
                COMMON.format(port=port, user=user, dir=self.dir) + body)

    def start(self):
        self.write_files()
        env = {**os.environ, "PYTHONPATH": str(self.dir / "site")}
        rings = processes.spawn([sys.executable, "-c", RINGS, self.dir,
                                 *(self.ports[name] for name in SERVERS)],
                                self.log_path("rings"), env=env)
        if rings.wait(60) != 0:
            raise SwiftError("Swift rings not built:\n" + processes.tail(self.log_path("rings")))
        for name in (*SERVERS, "proxy"):
            self.procs.append(processes.spawn(
                [self.bin_dir / f"swift-{name}-server", self.dir / f"{name}.conf", "--verbose"],
                self.log_path(name), cwd=self.dir, env=env))
        self._wait_ready()
        return self

    def _wait_ready(self):
        """Poll until Swift stores an object (then remove it), up to ``start_timeout``.

        Auth and an account HEAD answer before the container and object servers do (the proxy
        autocreates accounts), so only a PUT that succeeds shows the whole path is ready.
        """
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if any(proc.poll() is not None for proc in self.procs):
                break
            try:
                if self._stores_an_object():
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise SwiftError("Swift did not start:\n" + self.log_tails())

    def _stores_an_object(self):
        """One probe: PUT a container and an object, read it back, delete both."""
        auth = requests.get(self.auth_url, timeout=2, headers={
            "X-Auth-User": self.user, "X-Auth-Key": self.key})
        if not auth.ok:
            return False
        container = auth.headers["X-Storage-Url"] + "/" + READY_PROBE
        headers = {"X-Auth-Token": auth.headers["X-Auth-Token"]}
        steps = (("PUT", container, b""), ("PUT", container + "/o", b"ready"),
                 ("GET", container + "/o", None), ("DELETE", container + "/o", None),
                 ("DELETE", container, None))
        for method, url, data in steps:
            if not requests.request(method, url, data=data, headers=headers, timeout=2).ok:
                return False
        return True

    def log_tails(self):
        return "\n".join(f"--- {name} ---\n{processes.tail(self.log_path(name))}"
                         for name in ("rings", *SERVERS, "proxy"))

    def stop(self):
        processes.terminate(self.procs, grace=5)
        self.procs = []
        shutil.rmtree(self.dir, ignore_errors=True)


def main(argv=None):
    """``scripts/swift-aio [PROXY_PORT]``: a Swift in the foreground until Ctrl-C/SIGTERM."""
    argv = sys.argv[1:] if argv is None else argv
    with SwiftAIO(proxy_port=argv[0] if argv else None) as swift:
        stop = {signal.SIGINT, signal.SIGTERM}
        signal.pthread_sigmask(signal.SIG_BLOCK, stop)  # after the servers started
        print(f"==> Swift ready; for qinling.conf:\n[swift]\nauth_url = {swift.auth_url}\n"
              f"auth_version = 1\nuser = {swift.user}\nkey = {swift.key}", flush=True)
        signal.sigwait(stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
