"""``qinling-trigger``: run the trigger service."""
import warnings

warnings.filterwarnings("ignore", message=".*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

from qinling_nameko import service_main  # noqa: E402


def extra_config(conf):
    return {"TRIGGER": {"job_grace": conf.trigger.job_grace,
                        "job_catch_up": conf.trigger.job_catch_up}}


def load_classes():
    from qinling_trigger.service import TriggerService
    return [TriggerService]


def main():
    service_main.main("trigger", load_classes, extra_config)


if __name__ == "__main__":
    main()
