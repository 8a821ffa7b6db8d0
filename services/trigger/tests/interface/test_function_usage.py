"""``function_usage`` over RPC: what the function service asks before deleting or updating."""
from nameko.standalone.rpc import ServiceRpcProxy

from qinling_trigger.service import TriggerService


def test_nothing_uses_a_function_yet(container_factory, rabbit_config, tmp_path):
    config = {**rabbit_config, "DATABASE_URL": f"sqlite:///{tmp_path}/trigger.sqlite"}
    container_factory(TriggerService, config).start()
    with ServiceRpcProxy("trigger", config) as trigger:
        assert trigger.function_usage("f1") == {"jobs": 0, "webhooks": 0, "event_triggers": 0}
        assert trigger.function_usage("f1", 2) == {"jobs": 0, "webhooks": 0, "event_triggers": 0}
        assert trigger.function_usage(function_id="f1", version=None) == \
            {"jobs": 0, "webhooks": 0, "event_triggers": 0}
