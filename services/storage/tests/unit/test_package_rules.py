import hashlib
import io
import re

import pytest

from qinling_shared.exceptions import InvalidInput, PayloadTooLarge
from qinling_storage import packages


def test_package_key_is_project_then_uuid():
    key = packages.package_key("3f2a9c")
    assert re.fullmatch(r"3f2a9c/[0-9a-f-]{36}\.zip", key)
    assert packages.package_key("3f2a9c") != key


@pytest.mark.parametrize("project_id", [None, ""])
def test_package_key_needs_a_project(project_id):
    with pytest.raises(InvalidInput, match="project_id is required"):
        packages.package_key(project_id)


@pytest.mark.parametrize("project_id", ["..", "../x", "a/b", ".hidden", "a b", "x" * 300])
def test_package_key_refuses_unsafe_project_ids(project_id):
    with pytest.raises(InvalidInput, match="Invalid project_id"):
        packages.package_key(project_id)


def test_copy_digesting_sums_md5_sha256_and_size_while_copying():
    chunks = [b"abc", b"", b"defgh" * 1000]
    out = io.BytesIO()
    digest = packages.copy_digesting(iter(chunks), out.write, max_size=10_000)
    data = b"".join(chunks)
    assert out.getvalue() == data
    assert digest == packages.Digest(md5=hashlib.md5(data).hexdigest(),
                                     sha256=hashlib.sha256(data).hexdigest(),
                                     size=len(data))


def test_copy_digesting_accepts_exactly_the_maximum():
    assert packages.copy_digesting([b"x" * 10], lambda c: None, max_size=10).size == 10


def test_copy_digesting_stops_as_soon_as_the_maximum_is_passed():
    written, pulled = [], []

    def chunks():
        for i in range(100):
            pulled.append(i)
            yield b"x" * 4
    with pytest.raises(PayloadTooLarge) as caught:
        packages.copy_digesting(chunks(), written.append, max_size=10)
    assert caught.value.message == "Package exceeds the maximum size of 10 bytes."
    assert len(pulled) == 3  # no chunk read after the one that passed the limit
    assert b"".join(written) == b"x" * 8


def test_digesting_passes_chunks_through_and_digests_them_without_a_limit():
    chunks = [b"abc", b"", b"x" * 100_000]
    digesting = packages.Digesting(iter(chunks))
    assert list(digesting) == chunks
    data = b"".join(chunks)
    assert digesting.digest() == packages.Digest(
        md5=hashlib.md5(data).hexdigest(), sha256=hashlib.sha256(data).hexdigest(),
        size=len(data))


def test_declared_size_over_the_limit_is_refused_at_once():
    packages.check_declared_size(None, 10)
    packages.check_declared_size(10, 10)
    with pytest.raises(PayloadTooLarge, match="maximum size of 10 bytes"):
        packages.check_declared_size(11, 10)


def test_iter_chunks_reads_a_file_in_pieces():
    chunks = list(packages.iter_chunks(io.BytesIO(b"a" * 10), chunk_size=4))
    assert chunks == [b"aaaa", b"aaaa", b"aa"]
