"""``qinling_testing.rabbit_node``: which node a fault test restarts, and how the restart
survives the test process."""
import os

from qinling_testing.rabbit import RabbitVhost
from qinling_testing.rabbit_node import RabbitNode

# A stand-in for rabbitmqctl: notes each command, and the session it ran in.
FAKE_CTL = """#!/bin/sh
echo "$1 $(ps -o sid= -p $$ | tr -d ' ')" >> "$(dirname "$0")/calls"
"""


def test_the_machines_broker_by_default_another_node_from_the_environment():
    default = RabbitNode.from_environment({})
    assert (default.ctl, default.amqp_port, default.mgmt_port) == (["rabbitmqctl"], 5672, 15672)
    private = RabbitNode.from_environment({
        "QINLING_FAULT_RABBITMQCTL": "env HOME=/tmp/q rabbitmqctl -n q@localhost",
        "QINLING_FAULT_AMQP_PORT": "5682", "QINLING_FAULT_MGMT_PORT": "15682"})
    assert private.ctl == ["env", "HOME=/tmp/q", "rabbitmqctl", "-n", "q@localhost"]
    vhost = private.vhost()
    assert isinstance(vhost, RabbitVhost)
    assert (vhost.amqp_port, vhost.management_url) == (5682, "http://127.0.0.1:15682")


def test_a_restart_stops_then_starts_the_app_in_a_session_of_its_own(tmp_path):
    ctl = tmp_path / "fake-rabbitmqctl"
    ctl.write_text(FAKE_CTL)
    ctl.chmod(0o755)
    restart = RabbitNode(ctl=str(ctl)).restart()
    assert restart.wait(10) == 0
    calls = [line.split() for line in (tmp_path / "calls").read_text().splitlines()]
    assert [command for command, _ in calls] == ["stop_app", "start_app"]
    # not this process's session: a test killed mid-restart does not stop the start_app
    assert {int(session) for _, session in calls} == {restart.pid}
    assert restart.pid != os.getsid(0)


def test_the_node_of_this_machine_is_up():
    assert RabbitNode().is_up()
