"""The whole platform as real processes, isolated from a ``make run`` on the same machine.

Its own temp dir (state_path, logs, qinling.conf), RabbitMQ vhost, etcd and ports::

    with Platform() as platform:
        platform.wait_healthy(60)
        requests.get(platform.url + "/v1/runtimes")

or, started and healthy within ``START_TIMEOUT`` (what a test's fixture wants)::

    with healthy_platform(conf_overrides={...}) as platform:
        ...
"""
import configparser
import contextlib
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from qinling_testing import health, ports, processes
from qinling_testing.etcd import EtcdServer
from qinling_testing.rabbit import RabbitVhost
from qinling_testing.runtime_servers import RUNTIMES_DIR

SERVICES = ("storage", "function", "execution", "trigger", "api")
START_TIMEOUT = 90.0    # seconds a whole platform may take to start and answer /healthz
STOPPING_SIGNALS = (signal.SIGTERM, signal.SIGKILL, signal.SIGINT)


class PlatformError(RuntimeError):
    pass


@contextlib.contextmanager
def healthy_platform(timeout=START_TIMEOUT, **options):
    """A ``Platform(**options)`` started and healthy within ``timeout`` (else
    ``PlatformError`` with the logs, everything stopped), stopped on exit."""
    with Platform(**options) as platform:
        platform.wait_healthy(timeout)
        yield platform


class Platform:
    def __init__(self, conf_overrides=None, bin_dir=None, rabbit=None, keep_files=None,
                 grace=10.0, runtimes_dir=RUNTIMES_DIR, files=None, etcd_tls=False):
        """``conf_overrides``: ``{section: {option: value}}`` added to the generated qinling.conf.

        ``files``: ``{name: text}`` written beside qinling.conf, where the services look for
        files it names by a relative path (e.g. ``[oslo_policy] policy_file``).

        ``runtimes_dir`` is the ``[local] runtimes_dir`` of the execution service.
        ``etcd_tls``: etcd serves https to clients with a certificate of its test CA, and
        ``[etcd]`` names the CA and the client certificate (``EtcdServer(tls=True)``).

        ``bin_dir`` holds the ``qinling-*`` commands (default: beside this interpreter).
        ``keep_files`` keeps the temp dir after ``stop`` (default: env QINLING_KEEP_PLATFORM set).
        """
        if keep_files is None:
            keep_files = bool(os.environ.get("QINLING_KEEP_PLATFORM"))
        self.bin_dir = Path(bin_dir or Path(sys.executable).parent)
        self.dir = Path(tempfile.mkdtemp(prefix="qinling-platform-"))
        self.conf_path = self.dir / "qinling.conf"
        self.conf_overrides = conf_overrides or {}
        self.files = files or {}
        self.runtimes_dir = Path(runtimes_dir)
        self.rabbit = rabbit or RabbitVhost()
        self.etcd = EtcdServer(data_dir=self.dir / "etcd", tls=etcd_tls)
        self.api_port, self.storage_port = ports.free_ports(2)
        self.keep_files, self.grace = keep_files, grace
        self.procs, self._groups = {}, set()
        self._vhost_made = False

    @property
    def url(self):
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def pids(self):
        return {name: proc.pid for name, proc in self.procs.items()}

    def log_path(self, name):
        return self.dir / "logs" / f"{name}.log"

    # -- lifecycle ------------------------------------------------------------------------

    def start_all(self):
        (self.dir / "logs").mkdir(parents=True, exist_ok=True)
        (self.dir / "etcd").mkdir(exist_ok=True)
        self.rabbit.create()
        self._vhost_made = True
        self.etcd.start()
        self.write_conf()
        for name in SERVICES:
            self.start(name)
        return self

    def start(self, name):
        """Start one service (again, e.g. after ``kill``)."""
        if name not in SERVICES:
            raise ValueError(f"unknown service {name!r}; one of {', '.join(SERVICES)}")
        if name in self.procs and self.procs[name].poll() is None:
            raise PlatformError(f"{name} is already running (pid {self.procs[name].pid})")
        command = self.bin_dir / f"qinling-{name}"
        if not command.exists():
            raise PlatformError(f"{command} not found: run scripts/bootstrap")
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        proc = processes.spawn([command, "--config-file", self.conf_path],
                               self.log_path(name), cwd=self.dir, env=env)
        self.procs[name] = proc
        self._groups.add(proc.pid)
        return proc.pid

    def kill(self, name, sig=signal.SIGKILL):
        """Send ``sig`` to one service; SIGTERM/SIGKILL/SIGINT also wait for it to exit."""
        proc = self.procs[name]
        proc.send_signal(sig)
        if sig in STOPPING_SIGNALS:
            processes.wait_or_kill(proc, self.grace)
            del self.procs[name]

    def wait_healthy(self, timeout=60.0):
        """Wait for ``/healthz`` to answer 200; raise PlatformError with the logs if not."""
        try:
            return health.wait(self.url, timeout, check=self._check_alive)
        except TimeoutError as error:
            raise PlatformError(f"{error}\n{self.log_tails()}") from None

    def _check_alive(self):
        dead = {name: proc.returncode for name, proc in self.procs.items()
                if proc.poll() is not None}
        if dead:
            summary = ", ".join(f"{name} exited with {rc}" for name, rc in dead.items())
            raise PlatformError(f"{summary}\n{self.log_tails()}")

    def stop(self):
        """Stop every process (SIGTERM, then SIGKILL after the grace), drop the vhost."""
        running = [self.procs[name] for name in reversed(SERVICES) if name in self.procs]
        processes.terminate(running, grace=self.grace)
        for pgid in self._groups:
            processes.kill_group(pgid)
        self.procs.clear()
        self.etcd.stop()
        if self._vhost_made:
            self.rabbit.delete()
            self._vhost_made = False
        if not self.keep_files:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start_all()
        except BaseException as error:
            tails = self.log_tails()
            self.stop()
            if isinstance(error, Exception) and not isinstance(error, PlatformError):
                raise PlatformError(f"platform failed to start: {error}\n{tails}") from error
            raise

    def __exit__(self, *exc_info):
        self.stop()

    # -- files ----------------------------------------------------------------------------

    def write_conf(self):
        conf = configparser.ConfigParser(interpolation=None)
        conf.read_dict({
            "DEFAULT": {"transport_url": self.rabbit.transport_url,
                        "state_path": str(self.dir / "state"),
                        "qinling_endpoint": self.url},
            "api": {"host": "127.0.0.1", "port": str(self.api_port)},
            "storage": {"http_host": "127.0.0.1", "http_port": str(self.storage_port),
                        "url": f"http://127.0.0.1:{self.storage_port}"},
            "etcd": self.etcd.conf_options(),
            "local": {"runtimes_dir": str(self.runtimes_dir)},
        })
        conf.read_dict({section: {k: str(v) for k, v in values.items()}
                        for section, values in self.conf_overrides.items()})
        with open(self.conf_path, "w") as f:
            conf.write(f)
        for name, text in self.files.items():
            (self.dir / name).write_text(text)

    def log_tails(self, lines=30):
        logs = [(name, self.log_path(name)) for name in SERVICES]
        logs.append(("etcd", self.etcd.log_path))
        return "\n".join(f"--- {name} ({path}) ---\n{processes.tail(path, lines)}"
                         for name, path in logs if path.exists())
