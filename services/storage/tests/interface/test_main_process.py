"""``python -m qinling_storage`` from a qinling.conf, as operators run it."""
import os
import signal
import subprocess
import sys
import time

import pytest
import requests
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.utils import find_free_port
from zip_samples import make_zip


def wait_until_listening(url, process, deadline):
    while time.monotonic() < deadline:
        assert process.poll() is None, "storage service exited early"
        try:
            return requests.get(url, timeout=1)
        except requests.ConnectionError:
            time.sleep(0.1)  # polling a port that has no event to wait on
    pytest.fail("storage service did not listen in time")


def test_service_runs_from_qinling_conf_and_stops_on_sigterm(rabbit_config, tmp_path):
    port = find_free_port()
    conf = tmp_path / "qinling.conf"
    conf.write_text(
        f"[DEFAULT]\ntransport_url = {rabbit_config['AMQP_URI']}\nstate_path = {tmp_path}/state\n"
        f"[storage]\nhttp_port = {port}\nurl = http://127.0.0.1:{port}\n")
    log = tmp_path / "storage.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "qinling_storage", "--config-file", str(conf)],
        stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_listening(f"{base}/v1/nothing", process, time.monotonic() + 30)
        data = make_zip()
        response = requests.put(f"{base}/v1/packages", params={"project_id": "p"},
                                data=data, timeout=10)
        assert response.status_code == 201
        key = response.json()["key"]
        assert (tmp_path / "state" / "packages" / key).is_file()
        assert os.stat(tmp_path / "state" / "storage-signing.key").st_mode & 0o777 == 0o600
        with ServiceRpcProxy("storage", {"AMQP_URI": rabbit_config["AMQP_URI"]}) as storage:
            assert requests.get(storage.sign_url(key), timeout=10).content == data
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    assert process.returncode == 0, log.read_text()[-2000:]
