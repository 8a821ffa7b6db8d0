"""How every runtime server gets a function's package: downloaded once per digest, verified by
sha256 or md5, cached unpacked; failures keep Qinling's text."""
import concurrent.futures
import hashlib
import os

import pytest

from qinling_testing.runtime_servers import RuntimeServerProcess
from qinling_testing.packages import zip_package
from qinling_testing.sample_functions import FUNCTIONS, returning

NOT_FOUND = {"python3": "HTTP Error 404: Not Found", "nodejs": "HTTP Error 404"}


@pytest.fixture
def own_worker(runtime, tmp_path):
    """A worker of its own, whose package cache is ``tmp_path``."""
    started = RuntimeServerProcess.start(runtime, tmp_path)
    yield started
    started.close()


def test_the_default_entry_is_main_main(worker, functions_package):
    url, sha256 = functions_package
    result = worker.execute((url, sha256), None)
    assert (result["success"], result["output"]) == (True, "default")


def test_a_package_is_downloaded_once(worker, runtime, package_server):
    package = package_server.add(f"once-{runtime}.zip", returning(runtime, "once", 1))
    for _ in range(2):
        assert worker.execute(package, "once.main")["output"] == 1
    assert package_server.downloads[f"/once-{runtime}.zip"] == 1


def test_concurrent_requests_download_a_package_once(worker, runtime, package_server):
    files = {name: source for name, source in FUNCTIONS[runtime].items()
             if name.startswith("together.")}
    package = package_server.add(f"together-{runtime}.zip", files, delay=0.3)
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        outputs = list(pool.map(
            lambda n: worker.execute(package, "together.main", {"n": n},
                                     execution_id=f"e-{n}")["output"], range(3)))
    assert outputs == [0, 1, 2]
    assert package_server.downloads[f"/together-{runtime}.zip"] == 1


def test_a_wrong_sha256_is_a_download_failure(worker, runtime, package_server):
    url, _ = package_server.add(f"mismatch-{runtime}.zip", returning(runtime, "m", 0))
    result = worker.execute((url, "0" * 64), "m.main")
    assert result == {
        "output": f"Failed to download function package from {url}, error: sha256 mismatch: "
                  f"expected {'0' * 64}, got {result['output'].rsplit(' ', 1)[1]}",
        "success": False, "duration": 0, "logs": ""}


def test_a_missing_package_is_a_download_failure(worker, runtime, package_server):
    url = f"{package_server.base}/absent.zip"
    result = worker.execute((url, "a" * 64), "m.main")
    assert result["success"] is False
    assert result["output"] == (f"Failed to download function package from {url}, "
                                f"error: {NOT_FOUND[runtime]}")


def test_a_package_that_is_not_a_zip_is_an_unpack_failure(worker, runtime, package_server):
    package = package_server.add_bytes(f"notzip-{runtime}.zip", b"plain text")
    result = worker.execute(package, "m.main")
    assert result == {"output": "Function package could not be unpacked: File is not a zip file",
                      "success": False, "duration": 0, "logs": ""}


def test_a_package_too_large_unpacked_is_refused_before_it_lands(runtime, tmp_path,
                                                                 package_server):
    # The package cache is on the host's disk, once per worker: a zip bomb must not fill it.
    bound = 64 * 1024
    big = package_server.add(f"big-{runtime}.zip", {"big.txt": "0" * (bound + 1),
                                                      **returning(runtime, "m", 1)})
    small = package_server.add(f"small-{runtime}.zip", returning(runtime, "m", 2))
    started = RuntimeServerProcess.start(runtime, tmp_path,
                                         ["--max-unpacked-size", str(bound)])
    try:
        result = started.execute(big, "m.main")
        assert result["output"].startswith("Function package could not be unpacked: it unpacks "
                                           "to "), result
        assert result["output"].endswith(f"bytes, more than {bound}")
        assert sorted(os.listdir(tmp_path)) == []  # nothing unpacked, no scratch left
        assert started.execute(small, "m.main")["output"] == 2
    finally:
        started.close()


def test_the_cache_holds_unpacked_code_by_sha256(own_worker, runtime, tmp_path,
                                                 package_server):
    package = package_server.add(f"cached-{runtime}.zip", returning(runtime, "c", 2))
    assert own_worker.execute(package, "c.main")["output"] == 2
    assert sorted(os.listdir(tmp_path)) == [package[1]]
    assert any(name.startswith("c.") for name in os.listdir(tmp_path / package[1]))


def test_a_package_known_only_by_md5_is_verified_and_cached_by_md5(own_worker, runtime,
                                                                   tmp_path, package_server):
    data = zip_package(returning(runtime, "s", "from swift"))
    url, _ = package_server.add_bytes(f"swift-object-{runtime}.zip", data)
    md5 = hashlib.md5(data).hexdigest()
    for _ in range(2):
        result = own_worker.execute((url, None), "s.main", package_md5=md5)
        assert result["output"] == "from swift"
    assert package_server.downloads[f"/swift-object-{runtime}.zip"] == 1
    assert os.listdir(tmp_path) == [f"md5-{md5}"]


def test_a_wrong_md5_is_a_download_failure(worker, runtime, package_server):
    url, _ = package_server.add(f"bad-md5-{runtime}.zip", returning(runtime, "m", 0))
    result = worker.execute((url, None), "m.main", package_md5="0" * 32)
    assert result["success"] is False
    assert result["output"].startswith(
        f"Failed to download function package from {url}, error: md5 mismatch: "
        f"expected {'0' * 32}, got ")


def test_both_digests_are_checked_when_both_are_given(worker, runtime, package_server):
    package = package_server.add(f"both-{runtime}.zip", returning(runtime, "b", "b"))
    result = worker.execute(package, "b.main", package_md5="0" * 32)
    assert "md5 mismatch" in result["output"]
