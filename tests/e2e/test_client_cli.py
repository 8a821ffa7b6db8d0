"""The real ``openstack`` CLI (python-openstackclient + python-qinlingclient 5.1.1) against the
whole platform, without Keystone: ``openstack --os-auth-type none --qinling-url <url> ...``.

Every runtime, function, version, alias, execution, job and webhook command runs once at
least and its output is checked (``-f json`` where the command has a formatter). Each command
is a process of its own running ``openstackclient.shell.main`` (what ``.venv/bin/openstack``
runs), forked from one interpreter that imported the CLI once: the import alone takes
seconds, the commands take milliseconds. ``test_the_installed_command`` runs the console
script itself.
"""
import json
import os
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
import requests

from qinling_testing.packages import HELLO_SOURCE, zip_package

OPENSTACK = Path(sys.executable).parent / "openstack"
COMMAND_TIMEOUT = 120
DEADLINE = 30.0
V2_SOURCE = 'def main(**kwargs):\n    return "v2"\n'

# Reads {"argv", "cwd"} lines; for each forks a child that runs the CLI with its stdout and
# stderr in files, and answers {"rc", "stdout", "stderr"}.
FORKING_RUNNER = textwrap.dedent(f"""
    import json, os, signal, sys, tempfile, traceback
    from openstackclient.shell import main

    def child(argv, cwd, out, err):
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0); os.dup2(out.fileno(), 1); os.dup2(err.fileno(), 2)
        os.chdir(cwd)
        signal.alarm({COMMAND_TIMEOUT})
        sys.argv = ["openstack", *argv]
        try:
            rc = main(argv)
        except SystemExit as exit:
            rc = exit.code if isinstance(exit.code, int) else 1
        except BaseException:
            traceback.print_exc()
            rc = 1
        sys.stdout.flush(); sys.stderr.flush()
        os._exit(rc or 0)

    def run(argv, cwd):
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            pid = os.fork()
            if pid == 0:
                child(argv, cwd, out, err)
            _, status = os.waitpid(pid, 0)
            out.seek(0); err.seek(0)
            return {{"rc": os.waitstatus_to_exitcode(status),
                     "stdout": out.read().decode(errors="replace"),
                     "stderr": err.read().decode(errors="replace")}}

    for line in sys.stdin:
        request = json.loads(line)
        print(json.dumps(run(request["argv"], request["cwd"])), flush=True)
""")


def cli_env():
    """No OS_* variables of the caller: only the command line configures the CLI."""
    return {name: value for name, value in os.environ.items()
            if not name.startswith(("OS_", "QINLING_"))}


class Cli:
    """``openstack --os-auth-type none --qinling-url <platform> ...`` in forked processes."""

    def __init__(self, url):
        self.url = url
        self.runner = subprocess.Popen(
            [sys.executable, "-c", FORKING_RUNNER], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())

    def run(self, *args, cwd=None):
        """``(returncode, stdout, stderr)`` of one command."""
        argv = ["--os-auth-type", "none", "--qinling-url", self.url, *map(str, args)]
        self.runner.stdin.write(json.dumps({"argv": argv, "cwd": str(cwd or os.getcwd())}) + "\n")
        self.runner.stdin.flush()
        line = self.runner.stdout.readline()
        if not line:
            raise RuntimeError(f"the CLI runner died: {self.runner.stderr.read()}")
        reply = json.loads(line)
        return reply["rc"], reply["stdout"], reply["stderr"]

    def close(self):
        self.runner.stdin.close()
        self.runner.wait(timeout=COMMAND_TIMEOUT)
        self.runner.stdout.close()
        self.runner.stderr.close()


@pytest.fixture(scope="module")
def cli(platform):
    runner = Cli(platform.url)
    yield runner
    runner.close()


def ok(cli, *args, cwd=None):
    """The output of a command that must succeed."""
    rc, stdout, stderr = cli.run(*args, cwd=cwd)
    assert rc == 0, f"openstack {' '.join(map(str, args))} (exit {rc}):\n{stderr}"
    return stdout


def as_json(cli, *args):
    return json.loads(ok(cli, *args, "-f", "json"))


def fails(cli, *args):
    """The error output of a command that must fail."""
    rc, stdout, stderr = cli.run(*args)
    assert rc != 0, stdout
    return stderr


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


def test_job_commands(cli, hello_function_id):
    job = as_json(cli, "job", "create", "--function", hello_function_id,
                  "--name", "cli-job", "--pattern", "0 0 1 1 *", "--function-input", "x")
    assert (job["status"], job["pattern"], job["count"]) == ("running", "0 0 1 1 *", None)
    assert as_json(cli, "job", "show", job["id"])["name"] == "cli-job"
    assert job["id"] in {row["Id"] for row in as_json(cli, "job", "list")}
    paused = as_json(cli, "job", "update", job["id"], "--status", "paused")
    assert paused["status"] == "paused"
    assert "Invalid status. (HTTP 400)" in fails(
        cli, "job", "update", job["id"], "--status", "done")
    assert "Execution time must be at least 1 minute in the future. (HTTP 400)" in fails(
        cli, "job", "create", "--function", hello_function_id,
        "--first-execution-time", "2000-01-01T00:00:00")
    ok(cli, "job", "delete", job["id"])
    assert f"Job not found [id={job['id']}]" in fails(cli, "job", "show",
                                                      job["id"])


def test_webhook_commands(cli, api, hello_function_id):
    """``openstack webhook create | show | list | update | delete``, and the ``webhook_url``
    they show invoked as a third party would (no credentials)."""
    fid = hello_function_id
    assert api.post(f"/v1/functions/{fid}/versions", json={}).status_code == 201
    webhook = as_json(cli, "webhook", "create", "--function", fid,
                      "--description", "cli hook")
    assert (webhook["function_id"], webhook["function_version"], webhook["function_alias"],
            webhook["description"]) == (fid, 0, None, "cli hook")
    assert webhook["webhook_url"] == f"{cli.url}/v1/webhooks/{webhook['id']}/invoke"
    shown = as_json(cli, "webhook", "show", webhook["id"])
    assert (shown["id"], shown["webhook_url"]) == (webhook["id"], webhook["webhook_url"])
    rows = {row["Id"]: row for row in as_json(cli, "webhook", "list")}
    assert rows[webhook["id"]]["Webhook_url"] == webhook["webhook_url"]
    moved = as_json(cli, "webhook", "update", webhook["id"], "--function-version", 1,
                    "--description", "on v1")
    assert (moved["function_id"], moved["function_version"], moved["description"]) == (
        fid, 1, "on v1")

    invoked = requests.post(webhook["webhook_url"], data={"name": "Cli"}, timeout=60)
    assert invoked.status_code == 202, invoked.text
    execution = api.wait_for_status(f"/v1/executions/{invoked.json()['execution_id']}",
                                    {"success", "error", "failed"})
    assert (execution["status"], execution["function_version"]) == ("success", 1)
    assert json.loads(execution["result"])["output"] == "Hello, Cli"
    assert execution["description"] == f"Created by Webhook {webhook['id']}"

    alias = f"cli-hook-{fid}"
    assert api.post("/v1/aliases", json={"name": alias, "function_id": fid,
                                         "function_version": 1}).status_code == 201
    by_alias = as_json(cli, "webhook", "create", "--function-alias", alias)
    assert (by_alias["function_alias"], by_alias["function_id"],
            by_alias["function_version"]) == (alias, None, None)

    assert ok(cli, "webhook", "delete", webhook["id"], by_alias["id"]).splitlines() == [
        f"Request to delete webhook {gone} has been accepted."
        for gone in (webhook["id"], by_alias["id"])]
    assert f"Webhook not found [id={webhook['id']}] (HTTP 404)" in fails(
        cli, "webhook", "show", webhook["id"])
    assert requests.post(webhook["webhook_url"], data="{}", timeout=60).status_code == 404
    assert not {webhook["id"], by_alias["id"]} & {
        row["Id"] for row in as_json(cli, "webhook", "list")}


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
