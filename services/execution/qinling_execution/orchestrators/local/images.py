"""Which runtime images the local driver can run, and with which runtime server (pure).

A runtime's ``image`` names a container image for Kubernetes; the local driver maps it to a
runtime server on this host (``qinling_execution/runtimes/<runtime>/``, one folder per
runtime). Qinling's own image names are accepted with any tag.
"""
from pathlib import Path

from qinling_shared.exceptions import InvalidInput

PYTHON3 = "python3"
NODEJS = "nodejs"

RUNTIMES_DIR = Path(__file__).resolve().parents[2] / "runtimes"
SERVERS = {PYTHON3: RUNTIMES_DIR / "python3" / "server.py",
           NODEJS: RUNTIMES_DIR / "nodejs" / "server.js"}

_RUNTIMES = {
    "python3": PYTHON3,
    "openstackqinling/python3-runtime": PYTHON3,
    "nodejs": NODEJS,
    "openstackqinling/nodejs-runtime": NODEJS,
}

KNOWN_IMAGES = ("python3", "openstackqinling/python3-runtime[:tag]", "nodejs",
                "openstackqinling/nodejs-runtime[:tag]")


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
