"""``qinling-execution``: run the execution service."""
import warnings

warnings.filterwarnings("ignore", message=".*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import os  # noqa: E402

from qinling_shared import config, service_main  # noqa: E402


def extra_config(conf):
    return {
        "ETCD": config.etcd_settings(conf),
        "ENGINE": {"function_concurrency": conf.engine.function_concurrency,
                   "function_service_expiration": conf.engine.function_service_expiration},
        "ORCHESTRATOR": {"name": conf.engine.orchestrator, "settings": {
            "state_dir": os.path.join(config.state_path(conf), "execution"),
            "worker_start_timeout": conf.local.worker_start_timeout,
            "python_executable": conf.local.python_executable,
        }},
    }


def load_classes():
    from qinling_execution.service import ExecutionService
    return [ExecutionService]


def main():
    service_main.main("execution", load_classes, extra_config)


if __name__ == "__main__":
    main()
