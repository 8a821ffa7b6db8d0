"""What a run hands its worker for the function's os_session: a project-scoped token only."""
from types import SimpleNamespace

from qinling_execution import openstack_access
from qinling_nameko.providers import Caller
from qinling_testing.fake_keystone import FakeKeystone

ALICE = Caller("p1", False, "alice", ("member",), auth_token="alices-token")


def execution(sync, trust_id=None):
    return SimpleNamespace(sync=sync, trust_id=trust_id)


def test_a_sync_run_passes_its_callers_token():
    access = openstack_access.for_run(FakeKeystone(), execution(True, "trust-1"), ALICE)
    assert access == {"token": "alices-token", "auth_url": "http://keystone/v3",
                      "region_name": "RegionOne"}


def test_an_async_run_passes_a_token_of_its_trust():
    access = openstack_access.for_run(FakeKeystone(), execution(False, "trust-1"), ALICE)
    assert access["token"] == "token-of-trust-1" and "token_data" in access


def test_nothing_without_keystone_or_without_a_token():
    assert openstack_access.for_run(None, execution(True), ALICE) is None
    assert openstack_access.for_run(FakeKeystone(), execution(False), ALICE) is None
    internal = Caller("p1", False)
    assert openstack_access.for_run(FakeKeystone(), execution(True), internal) is None
