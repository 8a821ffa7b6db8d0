"""The real ``openstack`` CLI (python-openstackclient + python-qinlingclient 5.1.1) against the
whole platform, without Keystone: ``openstack --os-auth-type none --qinling-url <url> ...``.

Every runtime, function, version, alias and execution command runs once at least and its
output is checked (``-f json`` where the command has a formatter), through
``qinling_testing.cli`` (the job and webhook commands: ``test_client_cli_triggers.py``).
``test_the_installed_command`` runs the console script itself.
"""
import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from qinling_testing.cli import COMMAND_TIMEOUT, as_json, cli_env, fails, ok
from qinling_testing.packages import HELLO_SOURCE, zip_package

OPENSTACK = Path(sys.executable).parent / "openstack"
DEADLINE = 30.0
V2_SOURCE = 'def main(**kwargs):\n    return "v2"\n'

def wait_until_gone(api, path, deadline=DEADLINE):
    """Deletion may finish in the background: poll until ``GET path`` is a 404."""
    end = time.monotonic() + deadline
    while (status := api.get(path).status_code) != 404:
        assert time.monotonic() < end, f"{path} still answers {status} after {deadline:g}s"
        time.sleep(0.1)


def write_package(path, source):
    path.write_bytes(zip_package({"main.py": source}))
    return path


def test_runtime_commands(cli, api):
    created = as_json(cli, "runtime", "create", "python3", "--name", "cli-runtime",
                      "--description", "by the cli", "--private")
    runtime_id = created["id"]
    assert (created["image"], created["name"], created["is_public"]) == (
        "python3", "cli-runtime", False)
    api.wait_for_status(f"/v1/runtimes/{runtime_id}", {"available"})

    row = next(row for row in as_json(cli, "runtime", "list") if row["Id"] == runtime_id)
    assert (row["Name"], row["Image"], row["Status"]) == ("cli-runtime", "python3", "available")
    shown = as_json(cli, "runtime", "show", runtime_id)
    assert (shown["description"], shown["status"]) == ("by the cli", "available")
    pool = as_json(cli, "runtime", "pool", "show", runtime_id)
    assert pool["name"] == runtime_id and set(pool["capacity"]) == {"total", "available"}

    assert ok(cli, "runtime", "delete", runtime_id).strip() == (
        f"Request to delete runtime {runtime_id} has been accepted.")
    wait_until_gone(api, f"/v1/runtimes/{runtime_id}")
    assert f"Runtime not found [id={runtime_id}] (HTTP 404)" in fails(
        cli, "runtime", "show", runtime_id)


def test_function_commands(cli, runtime_id, tmp_path):
    source = tmp_path / "hello.py"
    source.write_text(HELLO_SOURCE)
    from_file = as_json(cli, "function", "create", "--runtime", runtime_id,
                        "--name", "cli-file", "--entry", "hello.main", "--file", source,
                        "--memory-size", 33554432, "--cpu", 100, "--timeout", 10)
    assert from_file["code"]["source"] == "package" and from_file["timeout"] == 10
    package = write_package(tmp_path / "hello.zip", HELLO_SOURCE)
    from_package = as_json(cli, "function", "create", "--runtime", runtime_id,
                           "--name", "cli-package", "--entry", "main.main",
                           "--package", package)
    ids = {from_file["id"], from_package["id"]}

    rows = as_json(cli, "function", "list")
    assert ids <= {row["Id"] for row in rows}
    listed = next(row for row in rows if row["Id"] == from_file["id"])
    assert json.loads(listed["Code"])["source"] == "package"
    assert as_json(cli, "function", "show", from_package["id"])["name"] == "cli-package"

    renamed = as_json(cli, "function", "update", from_file["id"], "--name", "cli-renamed",
                      "--description", "d", "--timeout", 20)
    assert (renamed["name"], renamed["description"], renamed["timeout"]) == (
        "cli-renamed", "d", 20)
    source.write_text(V2_SOURCE)
    recoded = as_json(cli, "function", "update", from_file["id"], "--file", source)
    assert recoded["code"]["md5sum"] != from_file["code"]["md5sum"]

    target = tmp_path / "downloaded.zip"
    assert ok(cli, "function", "download", from_file["id"], "-o", target).strip() == (
        f"Code package downloaded to {target}")
    with zipfile.ZipFile(target) as archive:
        assert archive.read("hello.py").decode() == V2_SOURCE
    ok(cli, "function", "download", from_package["id"], cwd=tmp_path)
    with zipfile.ZipFile(tmp_path / f"{from_package['id']}.zip") as archive:
        assert archive.read("main.py").decode() == HELLO_SOURCE

    execution = as_json(cli, "function", "execution", "create",
                        "--function", from_file["id"])
    assert json.loads(execution["result"])["output"] == "v2"  # the updated code

    deleted = ok(cli, "function", "delete", *sorted(ids)).splitlines()
    assert deleted == [f"Request to delete function {i} has been accepted."
                       for i in sorted(ids)]
    assert f"Function not found [id={from_file['id']}]" in fails(
        cli, "function", "show", from_file["id"])


def test_version_and_alias_commands(cli, runtime_id, tmp_path):
    package = write_package(tmp_path / "hello.zip", HELLO_SOURCE)
    fid = as_json(cli, "function", "create", "--runtime", runtime_id, "--name", "cli-ver",
                  "--entry", "main.main", "--package", package)["id"]
    first = as_json(cli, "function", "version", "create", fid, "--description", "first")
    assert (first["function_id"], first["version_number"], first["description"]) == (
        fid, 1, "first")
    ok(cli, "function", "update", fid, "--package",
       write_package(tmp_path / "v2.zip", V2_SOURCE))
    assert as_json(cli, "function", "version", "create", fid)["version_number"] == 2
    rows = as_json(cli, "function", "version", "list", fid)
    assert [row["Version_number"] for row in rows] == [1, 2]
    assert as_json(cli, "function", "version", "show", fid, 1)["description"] == "first"

    alias = as_json(cli, "function", "alias", "create", "cli-prod", "--function", fid,
                    "--function-version", 1, "--description", "stable")
    assert (alias["name"], alias["function_id"], alias["function_version"]) == (
        "cli-prod", fid, 1)
    assert "cli-prod" in [row["Name"] for row in as_json(cli, "function", "alias", "list")]
    assert as_json(cli, "function", "alias", "show", "cli-prod")["description"] == "stable"
    by_alias = as_json(cli, "function", "execution", "create",
                       "--function-alias", "cli-prod", "--input", "alias")
    assert json.loads(by_alias["result"])["output"] == "Hello, alias"

    moved = as_json(cli, "function", "alias", "update", "cli-prod",
                    "--function-version", 2, "--description", "moved")
    assert (moved["function_version"], moved["description"]) == (2, "moved")
    by_alias = as_json(cli, "function", "execution", "create",
                       "--function-alias", "cli-prod")
    assert json.loads(by_alias["result"])["output"] == "v2"

    assert ok(cli, "function", "alias", "delete", "cli-prod").strip() == (
        "Request to delete function_alias cli-prod has been accepted.")
    assert "FunctionAlias not found [name=cli-prod]" in fails(
        cli, "function", "alias", "show", "cli-prod")
    assert ok(cli, "function", "version", "delete", fid, 1) == ""  # the command says nothing
    assert [row["Version_number"]
            for row in as_json(cli, "function", "version", "list", fid)] == [2]


def test_execution_commands(cli, hello_function_id):
    fid = hello_function_id
    done = as_json(cli, "function", "execution", "create", "--function", fid,
                   "--input", '{"name": "CLI"}')
    assert (done["status"], done["sync"], done["function_id"]) == ("success", True, fid)
    assert json.loads(done["result"])["output"] == "Hello, CLI"
    started = as_json(cli, "function", "execution", "create", "--function", fid,
                      "--async", "--input", "later")
    assert started["sync"] is False and started["status"] in ("running", "success")

    shown = as_json(cli, "function", "execution", "show", done["id"])
    assert (shown["id"], shown["status"]) == (done["id"], "success")
    rows = as_json(cli, "function", "execution", "list", "--filter", f"function_id={fid}")
    assert {row["Id"] for row in rows} == {done["id"], started["id"]}
    rows = as_json(cli, "function", "execution", "list", "--filter", f"function_id={fid}",
                   "--filter", "status=neq:failed")
    assert done["id"] in {row["Id"] for row in rows}

    log = ok(cli, "function", "execution", "log", "show", done["id"])
    assert f"Start execution: {done['id']}" in log and "Hello from the log" in log

    assert ok(cli, "function", "execution", "delete", "--execution", done["id"]
              ).strip() == f"Request to delete execution {done['id']} has been accepted."
    assert f"Execution not found [id={done['id']}]" in fails(
        cli, "function", "execution", "show", done["id"])
    ok(cli, "function", "execution", "delete", "--function", fid)
    assert as_json(cli, "function", "execution", "list",
                   "--filter", f"function_id={fid}") == []


@pytest.mark.parametrize("args,message", [
    (("function", "show", "00000000-0000-4000-8000-000000000000"),
     "Function not found [id=00000000-0000-4000-8000-000000000000] (HTTP 404)"),
    (("function", "version", "show", "00000000-0000-4000-8000-000000000000", "x"),
     "Invalid function version 'x': a non-negative integer is required. (HTTP 400)"),
])
def test_errors_reach_the_cli_as_the_gateways_messages(cli, args, message):
    assert message in fails(cli, *args)


def test_the_installed_command(platform, hello_function_id):
    """``.venv/bin/openstack`` itself, as a user runs it."""
    done = subprocess.run(
        [str(OPENSTACK), "--os-auth-type", "none", "--qinling-url", platform.url,
         "function", "show", hello_function_id, "-f", "json"],
        capture_output=True, text=True, timeout=COMMAND_TIMEOUT, env=cli_env())
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["id"] == hello_function_id
