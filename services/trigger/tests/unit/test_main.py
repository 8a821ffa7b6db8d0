import datetime

from qinling_shared import config

from qinling_trigger.__main__ import extra_config
from qinling_trigger.dependencies import EventTriggerSettings, JobSettings


class Container:
    def __init__(self, config):
        self.config = config


def settings_of(provider_class, nameko_config):
    provider = provider_class()
    provider.container = Container(nameko_config)
    provider.setup()
    return provider.get_dependency(None)


def test_trigger_options_reach_the_scheduler_and_the_consumer(tmp_path):
    conf_file = tmp_path / "qinling.conf"
    conf_file.write_text(
        "[trigger]\njob_grace = 5\njob_catch_up = 2\nnotification_exchanges = nova, openstack\n"
        "notification_transport_url = rabbit://u:p@broker:5672/notify\n"
        "notification_queue = q1\nnotification_exchanges_durable = true\n")
    extra = extra_config(config.load(["--config-file", str(conf_file)]))
    assert extra == {
        "TRIGGER": {"job_grace": 5, "job_catch_up": 2,
                    "notification_exchanges": ["nova", "openstack"]},
        "NOTIFICATIONS": {"transport_url": "amqp://u:p@broker:5672/notify", "queue": "q1",
                          "durable_exchanges": True}}
    assert settings_of(JobSettings, extra) == {"grace": datetime.timedelta(seconds=5),
                                               "catch_up": 2}
    assert settings_of(EventTriggerSettings, extra) == {
        "default_exchanges": ("nova", "openstack")}


def test_defaults_skip_missed_ticks_and_listen_on_every_control_exchange():
    extra = extra_config(config.load([]))
    assert extra == {
        "TRIGGER": {"job_grace": 60, "job_catch_up": 0,
                    "notification_exchanges": ["nova", "cinder", "glance", "neutron",
                                               "openstack"]},
        "NOTIFICATIONS": {"transport_url": None, "queue": "qinling-trigger-notifications",
                          "durable_exchanges": False}}
    assert settings_of(JobSettings, {}) == {"grace": datetime.timedelta(seconds=60),
                                            "catch_up": 0}
    assert settings_of(EventTriggerSettings, {}) == {
        "default_exchanges": ("nova", "cinder", "glance", "neutron", "openstack")}
