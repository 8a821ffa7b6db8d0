import pytest

from qinling_shared.exceptions import InvalidInput
from qinling_storage import references
from qinling_storage.references import SwiftObject


@pytest.mark.parametrize("key,expected", [
    ("swift/code/main.zip", SwiftObject("code", "main.zip")),
    ("swift/code/dir/sub/main.zip", SwiftObject("code", "dir/sub/main.zip")),
    ("swift/code/.hidden//x", SwiftObject("code", ".hidden//x")),  # Swift allows these
])
def test_swift_references_name_a_container_and_an_object(key, expected):
    assert references.parse_swift(key) == expected
    assert expected.reference == key


@pytest.mark.parametrize("key", [
    "proj/3f2a.zip",
    "swift/3f2a.zip",  # the package of a project called "swift": two segments
    "swiftly/c/o", "Swift/c/o", None, 42,
])
def test_package_keys_are_not_swift_references(key):
    assert references.parse_swift(key) is None


@pytest.mark.parametrize("key,message", [
    ("swift//o", "container name"),
    ("swift/c/", "object name"),
    ("swift/c/o\x00", "control characters"),
    ("swift/" + "c" * 257 + "/o", "at most 256"),
    ("swift/c/" + "o" * 1025, "at most 1024"),
])
def test_unusable_swift_references_are_invalid(key, message):
    with pytest.raises(InvalidInput, match=message):
        references.parse_swift(key)


@pytest.mark.parametrize("container,name", [("", "o"), ("a/b", "o"), ("c", ""), (None, "o"),
                                            ("c", 7)])
def test_swift_object_checks_its_names(container, name):
    with pytest.raises(InvalidInput):
        references.swift_object(container, name)
