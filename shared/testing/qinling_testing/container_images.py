"""Container images for the tests of image functions, built on the local Docker engine
without any registry: a tiny static C program (``gcc -static``) in an image ``FROM scratch``.

The program (``ARGS_PROGRAM``) prints each argument on a line of its own (stdout), then:
``sleep N`` sleeps N seconds, ``eat N`` allocates and touches N MiB, ``exit N`` exits with
status N; else it exits 0. The fake orchestrator plays the same program
(``qinling_execution.orchestrators.fake``).

In a conftest: ``from qinling_testing.container_images import args_image`` (a session
fixture: the image's tag), with ``from qinling_testing.docker_engine import docker_engine``,
which it uses.
"""
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ARGS_PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) printf("%s\n", argv[i]);
    fflush(stdout);
    if (argc < 3) return 0;
    if (strcmp(argv[1], "sleep") == 0) sleep(atoi(argv[2]));
    if (strcmp(argv[1], "eat") == 0) {
        for (long i = 0; i < atol(argv[2]); i++) {
            char *block = malloc(1 << 20);
            if (block == NULL) return 2;
            memset(block, 1, 1 << 20);
        }
    }
    if (strcmp(argv[1], "exit") == 0) return atoi(argv[2]);
    return 0;
}
"""
DOCKERFILE = 'FROM scratch\nCOPY args /args\nENTRYPOINT ["/args"]\n'
REPOSITORY = "qinling-test/args"


def args_image_tag():
    digest = hashlib.sha256((ARGS_PROGRAM + DOCKERFILE).encode()).hexdigest()[:12]
    return f"{REPOSITORY}:{digest}"


def build_args_image():
    """The tag of the program's image, built now unless the engine has it already."""
    tag = args_image_tag()
    if subprocess.run(["docker", "image", "inspect", tag], capture_output=True).returncode == 0:
        return tag
    if shutil.which("gcc") is None:
        _install_gcc()
    with tempfile.TemporaryDirectory(prefix="qinling-args-image-") as scratch:
        folder = Path(scratch)
        (folder / "args.c").write_text(ARGS_PROGRAM)
        (folder / "Dockerfile").write_text(DOCKERFILE)
        _run(["gcc", "-static", "-O2", "-o", str(folder / "args"), str(folder / "args.c")])
        _run(["docker", "build", "-q", "-t", tag, str(folder)],
             env={**os.environ, "DOCKER_BUILDKIT": "0"})
    return tag


def _install_gcc():
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    _run(["apt-get", "update"], env=env)
    _run(["apt-get", "install", "-y", "gcc", "libc6-dev"], env=env)


def _run(command, env=None):
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): "
                           f"{done.stdout}{done.stderr}")


@pytest.fixture(scope="session")
def args_image(docker_engine):
    """The tag of the tests' image (``ARGS_PROGRAM``), on the running engine."""
    return build_args_image()
