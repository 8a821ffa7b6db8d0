"""``qinling-function``: run the function service."""
import warnings

warnings.filterwarnings("ignore", message=".*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

from qinling_nameko import service_main  # noqa: E402
from qinling_shared import config  # noqa: E402


def extra_config(conf):
    return {"RESOURCE_LIMITS": config.resource_limits(conf),
            "FUNCTION": {"max_versions": conf.function.max_versions}}


def load_classes():
    from qinling_function.service import FunctionService
    return [FunctionService]


def main():
    service_main.main("function", load_classes, extra_config)


if __name__ == "__main__":
    main()
