from qinling_shared import config

from qinling_function.__main__ import extra_config


def test_extra_config_maps_max_versions(tmp_path):
    conf_file = tmp_path / "qinling.conf"
    conf_file.write_text("[function]\nmax_versions = 4\n")
    extra = extra_config(config.load(["--config-file", str(conf_file)]))
    assert extra["FUNCTION"] == {"max_versions": 4}
    assert extra["RESOURCE_LIMITS"]["max_cpu"] == 300
    assert extra_config(config.load([]))["FUNCTION"] == {"max_versions": 10}
