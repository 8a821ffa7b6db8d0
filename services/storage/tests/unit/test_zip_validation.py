import io
import zipfile

import pytest
from zip_samples import MAIN_PY, make_zip, zip_bomb, zip_with_symlink

from qinling_shared.exceptions import InvalidInput
from qinling_storage.packages import DEFAULT_LIMITS, NOT_A_ZIP, ZipLimits, validate_zip


def check(data, limits=DEFAULT_LIMITS):
    validate_zip(io.BytesIO(data), limits)


def refused(data, limits=DEFAULT_LIMITS):
    with pytest.raises(InvalidInput) as caught:
        check(data, limits)
    return caught.value.message


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED,
                                    zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_real_zip_is_accepted(method):
    check(make_zip({"main.py": MAIN_PY, "lib/helper.py": "X = 1\n", "data/": ""}, method))


def test_zip_with_no_members_is_accepted():
    check(make_zip({}))


def test_validation_reads_from_the_start_whatever_the_position():
    stream = io.BytesIO(make_zip())
    stream.seek(0, io.SEEK_END)
    validate_zip(stream)


@pytest.mark.parametrize("data", [b"", b"plain text, not a zip", b"PK\x03\x04garbage",
                                  b"\x00" * 5000])
def test_not_a_zip(data):
    assert refused(data) == NOT_A_ZIP


@pytest.mark.parametrize("cut", [10, 0.5, -1, -10])
def test_truncated_zip(cut):
    data = make_zip({"main.py": MAIN_PY * 200})
    end = cut if isinstance(cut, int) else int(len(data) * cut)
    assert refused(data[:end]).startswith(NOT_A_ZIP)


def test_corrupt_member_data_is_found_by_its_crc():
    data = bytearray(make_zip({"main.py": "A" * 1000}, zipfile.ZIP_STORED))
    start = data.index(b"AAAA")
    data[start:start + 4] = b"BBBB"
    assert refused(bytes(data)) == f"{NOT_A_ZIP} Member 'main.py' is corrupt."


@pytest.mark.parametrize("name", ["../evil.py", "lib/../../evil.py", "..\\evil.py"])
def test_zip_slip_is_refused(name):
    assert refused(make_zip({"main.py": MAIN_PY, name: "x"})) == (
        f"Package member {name!r} points outside the package ('..').")


@pytest.mark.parametrize("name", ["/etc/cron.d/evil", "C:/evil.py", "\\evil.py"])
def test_absolute_member_path_is_refused(name):
    data = make_zip({"placeholder-name": "x"})
    # zipfile strips leading '/' and drive letters when writing, so patch the names in
    data = data.replace(b"placeholder-name", name.encode().ljust(16, b"_"))
    padded = name.ljust(16, "_")
    assert refused(data) == f"Package member {padded!r} has an absolute path."


def test_symlink_member_is_refused():
    assert refused(zip_with_symlink("link")) == (
        "Package member 'link' is a symbolic link; links are not allowed.")


def test_bomb_by_unpacked_size_is_refused_before_decompressing():
    data = zip_bomb(20 * 1024 * 1024)
    assert len(data) < 100 * 1024
    assert refused(data, ZipLimits(max_unpacked_size=10 * 1024 * 1024)) == (
        "Package unpacks to 20971520 bytes, more than the maximum of 10485760 bytes.")


def test_unpacked_size_at_the_limit_is_accepted():
    check(zip_bomb(1024 * 1024), ZipLimits(max_unpacked_size=1024 * 1024))


def test_bomb_by_member_count_is_refused():
    data = make_zip({f"f{i}.txt": "" for i in range(11)})
    assert refused(data, ZipLimits(max_files=10)) == (
        "Package has 11 files, more than the maximum of 10.")
    check(data, ZipLimits(max_files=11))


def test_member_count_is_checked_from_the_directory_itself():
    data = make_zip({f"f{i}.txt": "" for i in range(11)})
    end = data.rindex(b"PK\x05\x06")
    # the end record claims 2 entries; the central directory still holds 11
    forged = data[:end + 8] + (2).to_bytes(2, "little") * 2 + data[end + 12:]
    assert "more than the maximum of 10" in refused(forged, ZipLimits(max_files=10))


def test_encrypted_member_is_refused():
    data = bytearray(make_zip({"main.py": MAIN_PY}, zipfile.ZIP_STORED))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + offset
        data[at] |= 0x1  # the "encrypted" flag bit, local header and central directory
    assert refused(bytes(data)) == "Package member 'main.py' is encrypted."
