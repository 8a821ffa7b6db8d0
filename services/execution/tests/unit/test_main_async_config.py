"""qinling.conf [engine] async_* options reach the execution service as ASYNC_EXECUTIONS."""
from qinling_shared import config

from qinling_execution.__main__ import extra_config
from qinling_execution.execution_queue import policy_from
from qinling_execution.retries import RetryPolicy


def load(tmp_path, engine_lines=""):
    conf_file = tmp_path / "qinling.conf"
    conf_file.write_text(f"[DEFAULT]\nstate_path = {tmp_path}/state\n[engine]\n{engine_lines}")
    return extra_config(config.load(["--config-file", str(conf_file)]))


def test_defaults(tmp_path):
    extra = load(tmp_path)
    assert extra["ASYNC_EXECUTIONS"] == {"max_retries": 3, "base_delay": 1.0,
                                         "max_delay": 60.0, "concurrency": 0}
    assert policy_from(extra) == RetryPolicy()


def test_options_are_mapped(tmp_path):
    extra = load(tmp_path, "async_max_retries = 0\nasync_retry_delay = 0.5\n"
                           "async_retry_max_delay = 8\nasync_concurrency = 4\n")
    assert extra["ASYNC_EXECUTIONS"] == {"max_retries": 0, "base_delay": 0.5,
                                         "max_delay": 8.0, "concurrency": 4}
    assert policy_from(extra).levels() == [500, 1000, 2000, 4000, 8000]


def test_a_cap_below_the_first_delay_is_raised_to_it(tmp_path):
    extra = load(tmp_path, "async_retry_delay = 5\nasync_retry_max_delay = 2\n")
    assert policy_from(extra).levels() == [5000]
