"""What ``make images`` builds: every image holds no build tools, no package or pip caches,
no test code of Qinling's and no VCS data, and runs as an unprivileged user except the
execution service, whose sandbox needs root (docs/deploy.md); a re-run with nothing changed
makes the very same images. Their sizes are printed (docs/deploy.md has them)."""
import subprocess

import pytest

from qinling_testing.compose import build_images
from qinling_testing.docker_engine import docker_client

# numeric, so that Kubernetes' runAsNonRoot can check them (k8s/)
USERS = {"api": "10001:10001", "function": "10001:10001", "trigger": "10001:10001",
         "storage": "10001:10001", "execution": "", "runtime-python3": "10002:10002",
         "runtime-nodejs": "10002:10002", "rabbitmq": "10010:10010",
         "postgresql": "10011:10011", "etcd": "10012:10012"}
# what an image must not hold: each command prints what it finds
LEFTOVERS = """
for tool in gcc cc c++ g++ make cmake ld as git; do command -v $tool; done
find / -xdev \\( -path /proc -o -path /sys \\) -prune -o \\( \\
    -path '*/.cache/pip' -o -path /root/.cache -o -name '*.deb' -o -name .git \\
    -o -path '/var/lib/apt/lists/*' -a ! -name partial -a ! -name lock \\
    -o -type d -name tests -path '*/site-packages/qinling*' \\
    -o -type d -name tests -path '/opt/*runtime*' \\
    -o -type d -name '*.egg-info' -path '/src/*' -o -path '/src/*' \\) -print
"""


def docker(*args):
    return subprocess.run([docker_client(), *args], check=True, capture_output=True,
                          text=True).stdout


@pytest.mark.parametrize("name", USERS)
def test_an_image_holds_only_what_it_runs(image_tag, name):
    image = f"qinling/{name}:{image_tag}"
    found = docker("run", "--rm", "--user", "0", "--entrypoint", "/bin/sh", image, "-c",
                   LEFTOVERS)
    assert found.split() == [], f"{image} holds: {found}"
    assert docker("image", "inspect", "-f", "{{.Config.User}}", image).strip() == USERS[name]
    size = int(docker("image", "inspect", "-f", "{{.Size}}", image))
    print(f"\n{image}: {size / 2**20:.0f} MiB")


def image_ids(tag):
    return {name: docker("image", "inspect", "-f", "{{.Id}}", f"qinling/{name}:{tag}").strip()
            for name in USERS}


def test_a_rebuild_with_nothing_changed_makes_the_same_images(image_tag, tmp_path):
    before = image_ids(image_tag)
    assert build_images(tmp_path / "again.log") == image_tag
    assert image_ids(image_tag) == before
    log = (tmp_path / "again.log").read_text()
    assert "debootstrap skipped" in log and "steps from the build cache" in log
