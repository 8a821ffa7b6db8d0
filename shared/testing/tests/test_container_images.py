"""The tests' image for image functions, built without a registry, on a running engine."""
import subprocess

from qinling_testing import docker_engine as engine
from qinling_testing.container_images import args_image, args_image_tag  # noqa: F401
from qinling_testing.docker_engine import docker_engine  # noqa: F401 - a fixture


def run(image, *args):
    return subprocess.run(["docker", "run", "--rm", "--network", "none", image, *args],
                          capture_output=True, text=True, timeout=60)


def test_the_engine_answers(docker_engine):  # noqa: F811
    assert docker_engine == engine.ENGINE_URL
    assert subprocess.run([engine.docker_client(), "info"], capture_output=True).returncode == 0
    assert engine.ensure_running() == engine.ENGINE_URL  # at once, when it runs


def test_the_image_prints_its_arguments_and_exits_as_told(args_image):  # noqa: F811
    assert args_image == args_image_tag()
    echoed = run(args_image, "Hello", "two words")
    assert (echoed.returncode, echoed.stdout) == (0, "Hello\ntwo words\n")
    assert run(args_image, "exit", "5").returncode == 5
    assert run(args_image).stdout == ""


def test_the_image_is_built_from_scratch(args_image):  # noqa: F811
    layers = subprocess.run(["docker", "history", "-q", args_image], capture_output=True,
                            text=True, check=True).stdout.split()
    assert len(layers) <= 2  # the program and its entrypoint, no base image
