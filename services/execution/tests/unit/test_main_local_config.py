"""qinling.conf [local] options reach the local driver's settings; runtimes_dir is absolute;
an empty worker_host is this host's own address."""
import socket

from qinling_shared import config

from qinling_execution.__main__ import extra_config


def settings(tmp_path, local_lines=""):
    conf_file = tmp_path / "qinling.conf"
    conf_file.write_text(f"[DEFAULT]\nstate_path = {tmp_path}/state\n[local]\n{local_lines}")
    return extra_config(config.load(["--config-file", str(conf_file)]))["ORCHESTRATOR"][
        "settings"]


def test_runtimes_dir_defaults_to_the_runtimes_folder_of_the_working_directory(tmp_path,
                                                                             monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert settings(tmp_path)["runtimes_dir"] == str(tmp_path / "runtimes")


def test_a_relative_runtimes_dir_is_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert settings(tmp_path, "runtimes_dir = checkout/runtimes\n")["runtimes_dir"] == str(
        tmp_path / "checkout" / "runtimes")


def test_local_options_are_passed(tmp_path):
    local = settings(tmp_path, "runtimes_dir = /srv/qinling/runtimes\nworker_start_timeout = 3\n"
                               "require_isolation = true\n")
    assert local == {"state_dir": f"{tmp_path}/state/execution",
                     "runtimes_dir": "/srv/qinling/runtimes", "worker_start_timeout": 3,
                     "python_executable": "", "node_executable": "/usr/bin/node",
                     "require_isolation": True, "allow_network": False,
                     "container_engine": "unix:///var/run/docker.sock",
                     "max_unpacked_size": 512 * 1024 * 1024, "worker_host": "127.0.0.1"}


def test_an_empty_worker_host_is_the_address_of_this_hosts_name(tmp_path):
    assert settings(tmp_path, "worker_host =\n")["worker_host"] == socket.gethostbyname(
        socket.gethostname())
    assert settings(tmp_path, "worker_host = 10.1.2.3\n")["worker_host"] == "10.1.2.3"


def test_the_container_engine_may_be_turned_off(tmp_path):
    assert settings(tmp_path, "container_engine =\n")["container_engine"] == ""


def test_the_unpacked_size_bound_of_uploads_bounds_worker_caches_too(tmp_path):
    conf_file = tmp_path / "qinling.conf"
    conf_file.write_text("[storage]\nmax_unpacked_size = 1000\n")
    extra = extra_config(config.load(["--config-file", str(conf_file)]))
    assert extra["ORCHESTRATOR"]["settings"]["max_unpacked_size"] == 1000
