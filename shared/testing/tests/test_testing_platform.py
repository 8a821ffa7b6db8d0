"""Platform's process handling, with stand-in ``qinling-*`` commands (the real services have
their own end-to-end tests): vhost, etcd, config, health wait, kill/restart, stop, failures."""
import configparser
import os
import signal
import sys

import pytest
import requests

from qinling_testing.platform import SERVICES, Platform, PlatformError, healthy_platform

FAKE_SERVICE = """\
import signal, sys
print("fake {name} up", flush=True)
if "{name}" == __import__("os").environ.get("FAKE_CRASH"):
    print("boom: cannot start", flush=True)
    sys.exit(3)
signal.pause()
"""

FAKE_API = """\
import configparser, http.server, os, sys
conf = configparser.ConfigParser(interpolation=None)
conf.read(sys.argv[2])
status = int(os.environ.get("FAKE_HEALTH", "200"))

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"checks": {"etcd": "ok", "function": "down"}}' if status != 200 else b"{}"
        self.send_response(status if self.path == "/healthz" else 404)
        self.end_headers()
        self.wfile.write(body)

print("fake api up", flush=True)
http.server.HTTPServer(("127.0.0.1", int(conf["api"]["port"])), Handler).serve_forever()
"""


@pytest.fixture
def fake_bin(tmp_path):
    for name in SERVICES:
        script = tmp_path / f"qinling-{name}"
        source = FAKE_API if name == "api" else FAKE_SERVICE.format(name=name)
        script.write_text(f"#!{sys.executable}\n{source}")
        script.chmod(0o755)
    return tmp_path


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie is not alive
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


def vhost_status(platform):
    rabbit = platform.rabbit
    return requests.get(f"{rabbit.management_url}/api/vhosts/{rabbit.name}",
                        auth=rabbit.auth, timeout=5).status_code


def test_platform_starts_restarts_and_stops_everything(fake_bin):
    with Platform(bin_dir=fake_bin, conf_overrides={"engine": {"function_concurrency": 1}}) \
            as platform:
        platform.wait_healthy(10)
        conf = configparser.ConfigParser(interpolation=None)
        conf.read(platform.conf_path)
        assert conf["DEFAULT"]["transport_url"].endswith("/" + platform.rabbit.name)
        assert conf["etcd"]["port"] == str(platform.etcd.port)
        assert conf["api"]["port"] == str(platform.api_port)
        assert conf["engine"]["function_concurrency"] == "1"
        assert vhost_status(platform) == 200
        assert "fake storage up" in platform.log_path("storage").read_text()
        pids = platform.pids
        assert sorted(pids) == sorted(SERVICES) and all(map(alive, pids.values()))

        platform.kill("function")
        assert "function" not in platform.pids and not alive(pids["function"])
        platform.wait_healthy(10)  # a deliberately killed service is not a failure
        new_pid = platform.start("function")
        assert new_pid != pids["function"] and alive(new_pid)
        pids, workdir = platform.pids, platform.dir
    assert not any(map(alive, pids.values()))
    assert vhost_status(platform) == 404
    assert not workdir.exists()


def test_a_platform_with_etcd_over_tls_writes_its_certificates_into_qinling_conf(fake_bin):
    with Platform(bin_dir=fake_bin, etcd_tls=True) as platform:
        conf = configparser.ConfigParser(interpolation=None)
        conf.read(platform.conf_path)
        etcd = platform.etcd.conf_options()
        assert {key: conf["etcd"][key] for key in etcd} == etcd
        assert etcd["protocol"] == "https" and etcd["cert_file"].endswith("client.crt")
        assert platform.etcd.read_prefix("/qinling/") == []   # up, over TLS


def test_a_crashing_service_fails_the_wait_with_its_log(fake_bin, monkeypatch):
    monkeypatch.setenv("FAKE_CRASH", "execution")
    with Platform(bin_dir=fake_bin) as platform:
        with pytest.raises(PlatformError, match="execution exited with 3") as error:
            platform.wait_healthy(10)
    assert "boom: cannot start" in str(error.value)


def test_an_unhealthy_platform_times_out_saying_what_is_down(fake_bin, monkeypatch):
    monkeypatch.setenv("FAKE_HEALTH", "503")
    with Platform(bin_dir=fake_bin) as platform:
        with pytest.raises(PlatformError, match="down: function") as error:
            platform.wait_healthy(1)
    assert "fake api up" in str(error.value)


def test_a_healthy_platform_is_yielded_healthy_and_stopped_after(fake_bin):
    with healthy_platform(10, bin_dir=fake_bin) as platform:
        assert requests.get(f"{platform.url}/healthz", timeout=5).status_code == 200
        pids, workdir = platform.pids, platform.dir
        assert sorted(pids) == sorted(SERVICES) and all(map(alive, pids.values()))
    assert not any(map(alive, pids.values()))
    assert vhost_status(platform) == 404
    assert not workdir.exists()


def test_a_platform_that_is_not_healthy_in_time_is_stopped(fake_bin, monkeypatch):
    monkeypatch.setenv("FAKE_HEALTH", "503")
    stopped, real_stop = [], Platform.stop

    def stop(platform):
        stopped.append((platform.pids, platform.dir))
        real_stop(platform)

    monkeypatch.setattr(Platform, "stop", stop)
    with pytest.raises(PlatformError, match="down: function"):
        with healthy_platform(1, bin_dir=fake_bin):
            pytest.fail("a platform that is not healthy was yielded")
    [(pids, workdir)] = stopped
    assert sorted(pids) == sorted(SERVICES) and not any(map(alive, pids.values()))
    assert not workdir.exists()


def test_missing_commands_fail_the_start_and_clean_up(tmp_path):
    platform = Platform(bin_dir=tmp_path)
    with pytest.raises(PlatformError, match="qinling-storage not found"):
        with platform:
            pass
    assert vhost_status(platform) == 404
    assert platform.etcd.proc is None
    assert not platform.dir.exists()


def test_signals_that_do_not_stop_leave_the_service_tracked(fake_bin):
    with Platform(bin_dir=fake_bin) as platform:
        platform.wait_healthy(10)
        platform.kill("trigger", signal.SIGSTOP)
        assert "trigger" in platform.pids
        platform.kill("trigger", signal.SIGCONT)
        with pytest.raises(ValueError, match="unknown service"):
            platform.start("nope")
        with pytest.raises(PlatformError, match="already running"):
            platform.start("trigger")
