"""``qinling-trigger``: run the trigger service."""
import warnings

warnings.filterwarnings("ignore", message=".*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

from qinling_nameko import service_main  # noqa: E402
from qinling_shared import config  # noqa: E402


def extra_config(conf):
    trigger = conf.trigger
    return {"TRIGGER": {"job_grace": trigger.job_grace, "job_catch_up": trigger.job_catch_up,
                        "notification_exchanges": list(trigger.notification_exchanges)},
            "NOTIFICATIONS": {
                "transport_url": (config.amqp_uri(trigger.notification_transport_url)
                                  if trigger.notification_transport_url else None),
                "queue": trigger.notification_queue,
                "durable_exchanges": trigger.notification_exchanges_durable}}


def load_classes():
    from qinling_trigger.service import TriggerService
    return [TriggerService]


def main():
    service_main.main("trigger", load_classes, extra_config)


if __name__ == "__main__":
    main()
