"""``qinling-execution``: run the execution service."""
import warnings

warnings.filterwarnings("ignore", message=".*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import hashlib  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402

from qinling_execution import kubernetes_settings  # noqa: E402
from qinling_nameko import service_main  # noqa: E402
from qinling_shared import config, config_checks  # noqa: E402



def extra_config(conf):
    """The execution service's part of the container config, from ``qinling.conf``;
    ``ConfigError`` for an ``[etcd]`` option, or (with ``[engine] orchestrator = kubernetes``)
    a ``[kubernetes]`` one, it cannot start with."""
    etcd = config.etcd_settings(conf)
    config_checks.check_etcd(etcd)
    if conf.engine.orchestrator == "kubernetes":
        orchestrator = kubernetes_settings.checked(conf)
    else:
        orchestrator = local_settings(conf)
    return {
        "ETCD": etcd,
        "ENGINE": {"function_concurrency": conf.engine.function_concurrency,
                   "function_service_expiration": conf.engine.function_service_expiration,
                   "pool_size": conf.engine.pool_size,
                   "replica_id": conf.engine.replica_id or default_replica_id(conf)},
        "ASYNC_EXECUTIONS": {"max_retries": conf.engine.async_max_retries,
                             "base_delay": conf.engine.async_retry_delay,
                             "max_delay": max(conf.engine.async_retry_delay,
                                              conf.engine.async_retry_max_delay),
                             "concurrency": conf.engine.async_concurrency},
        "ORCHESTRATOR": {"name": conf.engine.orchestrator, "settings": orchestrator},
    }


def local_settings(conf):
    """The settings of the local orchestrator (and of the tests' fake one)."""
    return {
        "state_dir": os.path.join(config.state_path(conf), "execution"),
        "runtimes_dir": os.path.abspath(conf.local.runtimes_dir or "runtimes"),
        "worker_start_timeout": conf.local.worker_start_timeout,
        "python_executable": conf.local.python_executable,
        "node_executable": conf.local.node_executable,
        "require_isolation": conf.local.require_isolation,
        "allow_network": conf.local.allow_network,
        "container_engine": conf.local.container_engine,
        "max_unpacked_size": conf.storage.max_unpacked_size,
        "worker_host": worker_host(conf.local.worker_host),
    }


def worker_host(value):
    """``[local] worker_host``: an address as it is; empty, the address this host's name
    resolves to (a container's own address under Docker or Kubernetes)."""
    return value or socket.gethostbyname(socket.gethostname())


def default_replica_id(conf):
    """The host name and a digest of the state path: the same after a restart, different
    for two replicas on one host (each has its own state path)."""
    digest = hashlib.sha256(config.state_path(conf).encode()).hexdigest()[:8]
    return f"{socket.gethostname()}-{digest}"


def load_classes():
    from qinling_execution.service import ExecutionService
    return [ExecutionService]


def main():
    service_main.main("execution", load_classes, extra_config)


if __name__ == "__main__":
    main()
