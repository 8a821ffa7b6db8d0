"""Helpers for the local driver's tests: the host probe (run once), executions, processes.

Test modules import the fixtures they use (``from local_harness import host_facts``).
"""
import http.client
import json
import os
import sys
import time
import uuid
from urllib.parse import urlsplit

import pytest

from qinling_execution.orchestrators.local.zygotes import run_probe

MEMORY = 33554432


@pytest.fixture(scope="session")
def host_facts(tmp_path_factory):
    """The host probe's facts, probed once per test session."""
    scratch = tmp_path_factory.mktemp("probe-root")
    facts = run_probe(sys.executable, str(scratch))
    assert "error" not in facts, facts
    return facts


def execute(url, package, entry, fn_input=None, timeout=5, cpu=100, memory_size=MEMORY,
            execution_id=None):
    """POST /execute to a worker; the decoded result. ``package``: ``(url, sha256)``. A
    worker runs an execution id once: without ``execution_id`` a new one is made."""
    package_url, sha256 = package
    execution_id = execution_id or f"exec-{uuid.uuid4().hex[:12]}"
    body = {"execution_id": execution_id, "function_id": "fn", "function_version": 0,
            "entry": entry, "input": fn_input, "timeout": timeout, "cpu": cpu,
            "memory_size": memory_size, "package_url": package_url, "package_sha256": sha256}
    where = urlsplit(url)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=timeout + 30)
    try:
        connection.request("POST", "/execute", json.dumps(body),
                           {"Content-Type": "application/json"})
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    assert response.status == 200, data
    return json.loads(data)


def gone(pid, timeout=5.0):
    """True once ``pid`` no longer exists (its parent has reaped it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.01)
    return False
