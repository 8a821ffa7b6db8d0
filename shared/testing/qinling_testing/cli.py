"""The real ``openstack`` CLI (python-openstackclient + python-qinlingclient) for the
end-to-end tests, without Keystone: ``openstack --os-auth-type none --qinling-url <url> ...``.

Each command is a process of its own running ``openstackclient.shell.main`` (what
``.venv/bin/openstack`` runs), forked from one interpreter that imported the CLI once: the
import alone takes seconds, the commands take milliseconds."""
import json
import os
import subprocess
import sys
import textwrap

COMMAND_TIMEOUT = 120

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
    """``openstack --os-auth-type none --qinling-url <platform> ...`` in forked processes;
    ``password(...)`` makes one that logs in to Keystone and finds Qinling in its catalog."""

    def __init__(self, url, auth_args=None):
        self.url = url
        self.auth_args = auth_args or ["--os-auth-type", "none", "--qinling-url", url]
        self.runner = subprocess.Popen(
            [sys.executable, "-c", FORKING_RUNNER], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env())

    def run(self, *args, cwd=None):
        """``(returncode, stdout, stderr)`` of one command."""
        argv = [*self.auth_args, *map(str, args)]
        self.runner.stdin.write(json.dumps({"argv": argv, "cwd": str(cwd or os.getcwd())}) + "\n")
        self.runner.stdin.flush()
        line = self.runner.stdout.readline()
        if not line:
            raise RuntimeError(f"the CLI runner died: {self.runner.stderr.read()}")
        reply = json.loads(line)
        return reply["rc"], reply["stdout"], reply["stderr"]

    @classmethod
    def password(cls, auth_url, username, password, project_name, region):
        """The CLI of a user as a cloud's users run it: password auth (Keystone v3, domain
        Default), Qinling's endpoint (``function-engine``) from the catalog."""
        options = {"auth-type": "password", "auth-url": auth_url, "username": username,
                   "password": password, "project-name": project_name,
                   "user-domain-name": "Default", "project-domain-name": "Default",
                   "region-name": region, "identity-api-version": "3"}
        # --option=value: a value may start with "-" (a random password)
        return cls(None, [f"--os-{name}={value}" for name, value in options.items()])

    def close(self):
        self.runner.stdin.close()
        self.runner.wait(timeout=COMMAND_TIMEOUT)
        self.runner.stdout.close()
        self.runner.stderr.close()


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
