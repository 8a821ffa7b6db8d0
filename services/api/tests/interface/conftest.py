"""A real RabbitMQ vhost per test, nameko services as subprocesses, and a cuttable link.

The vhost is made through the management API, as nameko's ``rabbit_config`` does, without
its eventlet machinery: this process stays plain asyncio.
"""
import pathlib
import random
import string
import subprocess
import sys
import urllib.parse

import pytest

from broker import USER, Link, amqp_uri, management
from qinling_api.rpc import RpcClient

ECHO_SERVICE = pathlib.Path(__file__).with_name("echo_service.py")


@pytest.fixture
def vhost():
    name = "qinling_api_test_" + "".join(random.choices(string.ascii_lowercase, k=10))
    quoted = urllib.parse.quote(name, safe="")
    management("PUT", f"vhosts/{quoted}")
    management("PUT", f"permissions/{quoted}/{USER}",
               {"configure": ".*", "write": ".*", "read": ".*"})
    yield name
    management("DELETE", f"vhosts/{quoted}")


@pytest.fixture
def start_service(vhost):
    """``start_service(name)`` runs echo_service.py as ``name``; all are killed at the end."""
    processes = []

    def start(name="echo"):
        process = subprocess.Popen([sys.executable, str(ECHO_SERVICE), amqp_uri(vhost), name],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.fixture
async def link():
    link = Link()
    link.port = await link.start()
    yield link
    await link.close()


@pytest.fixture
async def rpc_client(vhost):
    client = await RpcClient(amqp_uri(vhost), timeout=10, probe_interval=0.5,
                             reconnect_interval=0.2).connect()
    yield client
    await client.close()
