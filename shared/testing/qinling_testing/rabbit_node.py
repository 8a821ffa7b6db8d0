"""A RabbitMQ node the fault tests may restart (``rabbitmqctl stop_app`` / ``start_app``).

By default the machine's own broker (127.0.0.1:5672, management on 15672, plain
``rabbitmqctl``). Environment variables point it at another node, e.g. a private one that
disturbs nobody else's tests while a fault test is developed::

    QINLING_FAULT_RABBITMQCTL="env HOME=/tmp/qfault rabbitmqctl -n qfault@localhost"
    QINLING_FAULT_AMQP_PORT=5682  QINLING_FAULT_MGMT_PORT=15682

A restart runs in a shell of its own session, ``stop_app; start_app``: even if the test
process dies in between, the broker is started again.
"""
import os
import shlex
import socket
import subprocess
import time

import requests

from qinling_testing.rabbit import RabbitVhost

CTL_ENV = "QINLING_FAULT_RABBITMQCTL"
AMQP_PORT_ENV = "QINLING_FAULT_AMQP_PORT"
MGMT_PORT_ENV = "QINLING_FAULT_MGMT_PORT"


class RabbitNode:
    def __init__(self, ctl="rabbitmqctl", amqp_port=5672, mgmt_port=15672, host="127.0.0.1"):
        self.ctl = shlex.split(ctl) if isinstance(ctl, str) else list(ctl)
        self.host, self.amqp_port, self.mgmt_port = host, int(amqp_port), int(mgmt_port)

    @classmethod
    def from_environment(cls, environ=os.environ):
        return cls(environ.get(CTL_ENV, "rabbitmqctl"), environ.get(AMQP_PORT_ENV, 5672),
                   environ.get(MGMT_PORT_ENV, 15672))

    @property
    def management_url(self):
        return f"http://{self.host}:{self.mgmt_port}"

    def vhost(self):
        """A fresh ``RabbitVhost`` of this node (not created yet)."""
        return RabbitVhost(management_url=self.management_url, amqp_host=self.host,
                           amqp_port=self.amqp_port)

    def is_up(self):
        """Whether the node takes AMQP connections and answers its management API."""
        try:
            socket.create_connection((self.host, self.amqp_port), timeout=1).close()
            response = requests.get(f"{self.management_url}/api/overview",
                                    auth=("guest", "guest"), timeout=2)
        except (OSError, requests.RequestException):
            return False
        return response.ok

    def wait_up(self, timeout=60.0):
        deadline = time.monotonic() + timeout
        while not self.is_up():
            if time.monotonic() >= deadline:
                raise TimeoutError(f"RabbitMQ on {self.host}:{self.amqp_port} is not up "
                                   f"after {timeout:g} s")
            time.sleep(0.1)

    def ensure_up(self, timeout=60.0):
        """Start the node's app if it does not answer (a test that died while it was
        stopped), then wait until it does."""
        if not self.is_up():
            subprocess.run([*self.ctl, "start_app"], capture_output=True, timeout=timeout)
        self.wait_up(timeout)

    def restart(self):
        """Begin ``stop_app; start_app`` in a session of its own; the ``Popen`` of it."""
        ctl = shlex.join(self.ctl)
        return subprocess.Popen(
            ["sh", "-c", f"{ctl} stop_app >/dev/null; {ctl} start_app >/dev/null"],
            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
