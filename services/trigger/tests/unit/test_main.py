import datetime

from qinling_shared import config

from qinling_trigger.__main__ import extra_config
from qinling_trigger.dependencies import JobSettings


class Container:
    def __init__(self, config):
        self.config = config


def settings_of(nameko_config):
    provider = JobSettings()
    provider.container = Container(nameko_config)
    provider.setup()
    return provider.get_dependency(None)


def test_trigger_options_reach_the_scheduler(tmp_path):
    conf_file = tmp_path / "qinling.conf"
    conf_file.write_text("[trigger]\njob_grace = 5\njob_catch_up = 2\n")
    extra = extra_config(config.load(["--config-file", str(conf_file)]))
    assert extra == {"TRIGGER": {"job_grace": 5, "job_catch_up": 2}}
    assert settings_of(extra) == {"grace": datetime.timedelta(seconds=5), "catch_up": 2}


def test_defaults_skip_missed_ticks_after_a_minute():
    assert extra_config(config.load([])) == {"TRIGGER": {"job_grace": 60, "job_catch_up": 0}}
    assert settings_of({}) == {"grace": datetime.timedelta(seconds=60), "catch_up": 0}
