import pytest

from qinling_execution.orchestrators.base import check_worker_name
from qinling_execution.orchestrators.local.images import local_runtime
from qinling_shared.exceptions import InvalidInput


@pytest.mark.parametrize("image", [
    "python3", "python3:latest", " python3 ", "openstackqinling/python3-runtime",
    "openstackqinling/python3-runtime:0.0.2",
])
def test_python3_images(image):
    assert local_runtime(image) == "python3"


@pytest.mark.parametrize("image", [
    "nodejs", "nodejs:20", "openstackqinling/nodejs-runtime",
    "openstackqinling/nodejs-runtime:0.0.1",
])
def test_nodejs_images(image):
    assert local_runtime(image) == "nodejs"


@pytest.mark.parametrize("image", [
    "python2", "nodejs8", "registry:5000/python3", "", None,
    "evil/openstackqinling/python3-runtime",
])
def test_other_images_are_refused_with_the_known_ones(image):
    with pytest.raises(InvalidInput, match="known images: python3, "
                                           r"openstackqinling/python3-runtime\[:tag\], nodejs, "
                                           r"openstackqinling/nodejs-runtime\[:tag\]"):
        local_runtime(image)


@pytest.mark.parametrize("name", ["w", "worker-1", "a" * 63, "0-fn-abc-1"])
def test_dns_label_names_are_accepted(name):
    check_worker_name(name)


@pytest.mark.parametrize("name", ["", "a" * 64, "Worker", "w_1", "w-", "-w", "w.1", None, 7])
def test_other_names_are_refused(name):
    with pytest.raises(InvalidInput, match="Invalid worker name"):
        check_worker_name(name)
