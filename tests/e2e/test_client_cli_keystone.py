"""The real ``openstack`` CLI as a cloud's users run it: a password login to Keystone and
Qinling's endpoint (``function-engine``) from the catalog, no ``--qinling-url``."""
import json

import pytest

from qinling_testing.cli import Cli, as_json, fails, ok


def cli_of(keystone, name):
    user = keystone.users[name]
    return Cli.password(keystone.auth_url, user.name, user.password, user.project_name,
                        keystone.region)


@pytest.fixture(scope="module")
def alice_cli(keystone, keystone_platform):
    runner = cli_of(keystone, "alice")
    yield runner
    runner.close()


def test_a_user_logs_in_with_a_password_and_runs_a_function(alice_cli, keystone,
                                                            keystone_runtime_id, tmp_path):
    source = tmp_path / "hello.py"
    source.write_text("def main(name='World', **kwargs):\n    return f'Hello, {name}'\n")
    function = as_json(alice_cli, "function", "create", "--runtime", keystone_runtime_id,
                       "--name", "cli-keystone", "--entry", "hello.main", "--file", source)
    assert function["project_id"] == keystone.users["alice"].project_id
    execution = as_json(alice_cli, "function", "execution", "create",
                        "--function", function["id"], "--input", json.dumps({"name": "Keystone"}))
    assert execution["status"] == "success", execution
    assert json.loads(execution["result"])["output"] == "Hello, Keystone"
    listed = as_json(alice_cli, "function", "list")
    assert function["id"] in {row["Id"] for row in listed}
    ok(alice_cli, "function", "delete", function["id"])


def test_a_user_is_refused_what_only_admins_may_do(alice_cli):
    assert "Operation not allowed" in fails(alice_cli, "runtime", "create", "python3")


def test_a_wrong_password_is_refused_by_keystone(keystone, keystone_platform):
    """(One that starts with "-", as a random one may: a value, not an option.)"""
    user = keystone.users["bob"]
    runner = Cli.password(keystone.auth_url, user.name, "-wrong", user.project_name,
                          keystone.region)
    try:
        assert "401" in fails(runner, "function", "list")
    finally:
        runner.close()
