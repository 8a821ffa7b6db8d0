"""Which runtime images the local driver can run, and with which runtime server (pure).

A runtime's ``image`` names a container image for Kubernetes; the local driver maps it to a
runtime server on this host: ``<runtimes_dir>/<runtime>/<server file>`` (``[local]
runtimes_dir``, the repository's ``runtimes/`` folder). Qinling's own image names are accepted
with any tag.
"""
import os

from qinling_shared.exceptions import InvalidInput

PYTHON3 = "python3"
NODEJS = "nodejs"

SERVER_FILES = {PYTHON3: "server.py", NODEJS: "server.js"}
PRELOADED = (PYTHON3,)  # runtime servers the zygote imports and runs without exec

_RUNTIMES = {
    "python3": PYTHON3,
    "openstackqinling/python3-runtime": PYTHON3,
    "nodejs": NODEJS,
    "openstackqinling/nodejs-runtime": NODEJS,
}

KNOWN_IMAGES = ("python3", "openstackqinling/python3-runtime[:tag]", "nodejs",
                "openstackqinling/nodejs-runtime[:tag]")


class MissingRuntimes(ValueError):
    """``[local] runtimes_dir`` does not hold the runtime servers."""


def runtime_dirs(runtimes_dir):
    """``{runtime: its folder}`` under ``runtimes_dir``; :class:`MissingRuntimes` when a
    runtime server is not there."""
    if not runtimes_dir:
        raise MissingRuntimes("[local] runtimes_dir is not set: it names the folder of the "
                              "runtime servers (the repository's runtimes/).")
    root = os.path.abspath(runtimes_dir)
    dirs = {runtime: os.path.join(root, runtime) for runtime in SERVER_FILES}
    missing = [f"{runtime}/{name}" for runtime, name in SERVER_FILES.items()
               if not os.path.isfile(os.path.join(dirs[runtime], name))]
    if missing:
        raise MissingRuntimes(
            f"[local] runtimes_dir = {root} does not hold the runtime servers "
            f"(missing {', '.join(missing)}): set it to the repository's runtimes/ folder.")
    return dirs


def local_runtime(image):
    """The local runtime (e.g. ``"python3"``) an image stands for; ``InvalidInput`` if none."""
    repository = _strip_tag(image.strip()) if isinstance(image, str) else ""
    try:
        return _RUNTIMES[repository]
    except KeyError:
        raise InvalidInput(
            f"Image {image!r} is not a runtime the local orchestrator can run; "
            f"known images: {', '.join(KNOWN_IMAGES)}.") from None


def _strip_tag(image):
    name, colon, tag = image.rpartition(":")
    return name if colon and "/" not in tag else image
