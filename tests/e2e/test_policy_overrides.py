"""An operator's policy file overrides one rule, read again by every service when it changes:
Kolla's ``policy.json`` (JSON) and the same file written in YAML (oslo.policy reads both)."""
import contextlib
import os

import pytest

KEYSTONE_POLICY_FILE = "policy.json"   # as tests/e2e/conftest.py writes it


@contextlib.contextmanager
def policy_file(platform, text):
    """``text`` as the platform's policy file meanwhile, then ``{}`` (the defaults) again.
    Each write gets a later modification time: file times may be coarser than the test."""
    path = platform.dir / KEYSTONE_POLICY_FILE

    def write(content):
        mtime = path.stat().st_mtime_ns + 1_000_000_000
        path.write_text(content)
        os.utime(path, ns=(mtime, mtime))
    write(text)
    try:
        yield
    finally:
        write("{}")


def test_kollas_policy_json_lets_members_make_runtimes(keystone_platform, as_user):
    alice = as_user("alice")
    assert alice.create_runtime(name="by-alice").status_code == 403
    with policy_file(keystone_platform, '{"runtime:create": "role:member"}'):
        made = alice.create_runtime(name="by-alice")
        assert made.status_code == 201, made.text
        path = f"/v1/runtimes/{made.json()['id']}"
        assert alice.delete(path).status_code == 403   # runtime:delete is not overridden
        assert as_user("admin").delete(path).status_code == 204
    assert alice.create_runtime(name="by-alice").status_code == 403


@pytest.mark.parametrize("text", ['function:get_all: "!"\n', '"function:get_all": "!"\n'])
def test_a_yaml_rule_takes_listing_functions_away(keystone_platform, as_user, text):
    alice = as_user("alice")
    assert alice.get("/v1/functions").status_code == 200
    with policy_file(keystone_platform, text):
        refused = alice.get("/v1/functions")
        assert (refused.status_code, refused.json()) == \
            (403, {"faultstring": "Operation not allowed"})
        assert alice.get("/v1/executions").status_code == 200   # the other rules stay
    assert alice.get("/v1/functions").status_code == 200
