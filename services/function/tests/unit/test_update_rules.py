import pytest

from qinling_shared.exceptions import InvalidInput

from qinling_function import update_rules

PACKAGE = {"key": "p/2.zip", "md5sum": "new", "sha256": "s", "size": 1}
SWIFT = {"source": "swift", "swift": {"container": "c", "object": "o"}}


def test_only_allowed_keys_with_values_are_requested():
    changes = update_rules.requested(
        {"name": "n", "runtime_id": "r9", "count": 3, "entry": None, "timeout": "7"}, None)
    assert changes == {"name": "n", "timeout": "7"}


@pytest.mark.parametrize("values,code", [
    ({"code": '{"source": "package", "md5sum": "x"}'}, {"source": "package", "md5sum": "x"}),
    ({"code": {"source": "swift"}}, {"source": "swift"}),
    ({"source": "package"}, {"source": "package"}),  # the real client's merged form
    ({"source": "swift", "swift": '{"object": "o2"}'},
     {"source": "swift", "swift": {"object": "o2"}}),
    ({"swift": {"container": "c2"}}, {"swift": {"container": "c2"}}),
])
def test_code_from_either_shape(values, code):
    assert update_rules.requested(values, None)["code"] == code


@pytest.mark.parametrize("values,message", [
    ({"code": "not json"}, "Invalid code: it must be a JSON object."),
    ({"source": "swift", "swift": "container"}, "Invalid swift: it must be a JSON object."),
    ({"code": "[" * 3000}, "Invalid code: JSON nesting too deep (max 64)."),
    ({"source": "swift", "swift": '{"container": "\\udc00"}'},
     "Invalid swift: invalid Unicode (a lone surrogate)."),
])
def test_bad_code_shapes(values, message):
    with pytest.raises(InvalidInput) as err:
        update_rules.requested(values, None)
    assert str(err.value) == message


def test_request_must_be_an_object():
    with pytest.raises(InvalidInput, match="an object of fields is required"):
        update_rules.requested(["name"], None)


def test_db_only():
    assert update_rules.is_db_only({"name": "a", "description": "b", "timeout": "3"})
    assert not update_rules.is_db_only({"name": "a", "cpu": "100"})
    assert not update_rules.is_db_only({"package": PACKAGE})


def test_timeout_checked_even_when_db_only(limits):
    with pytest.raises(InvalidInput) as err:
        update_rules.clean_fields({"timeout": "301"}, limits)
    assert str(err.value) == ("timeout resource limitation not within the allowable range: "
                              "1 ~ 300(seconds).")


def test_timeout_before_cpu_before_memory(limits):
    with pytest.raises(InvalidInput, match="^timeout"):
        update_rules.clean_fields({"timeout": "0", "cpu": "1", "memory_size": "1"}, limits)
    with pytest.raises(InvalidInput, match="^cpu"):
        update_rules.clean_fields({"cpu": "1", "memory_size": "1"}, limits)
    with pytest.raises(InvalidInput) as err:
        update_rules.clean_fields({"memory_size": "x"}, limits)
    assert str(err.value) == "Invalid memory resource specified. An integer is required."


def test_clean_fields_converts(limits):
    clean = update_rules.clean_fields(
        {"cpu": "200", "memory_size": 67108864, "entry": "", "name": "n"}, limits)
    assert clean == {"cpu": 200, "memory_size": 67108864, "entry": "main.main", "name": "n"}


@pytest.mark.parametrize("current,changes,message", [
    ({"source": "package"}, {"code": {"source": "swift"}},
     "The function code type can not be changed."),
    ({"source": "image", "image": "a"}, {"cpu": 200},
     "The image type function code can not be changed."),
    ({"source": "package"}, {"package": {**PACKAGE, "md5sum": "old"}},
     "The function code checksum is not changed."),
    ({"source": "package"}, {"package": PACKAGE, "code": {"md5sum": "other"}},
     "Package md5 mismatch."),
    (SWIFT, {"package": PACKAGE}, "A package is only accepted for package type functions."),
    (SWIFT, {"code": {"swift": {}}},
     "Either container or object must be provided for swift type function update."),
    (SWIFT, {"code": {"swift": {"container": 3}}},
     "Either container or object must be provided for swift type function update."),
])
def test_code_refusals(current, changes, message):
    with pytest.raises(InvalidInput) as err:
        update_rules.new_code(current, "old", changes)
    assert str(err.value) == message


def test_new_package_code():
    code = update_rules.new_code({"source": "package"}, "old", {"package": PACKAGE})
    assert code == {"source": "package", "md5sum": "new"}


def test_swift_code_merged_with_the_stored_one():
    code = update_rules.new_code(SWIFT, "etag", {"code": {"swift": {"object": "o2"}}})
    assert code == {"source": "swift", "swift": {"container": "c", "object": "o2"}}


def test_no_code_change_without_package_or_swift():
    assert update_rules.new_code({"source": "package"}, "m", {"entry": "a.b"}) is None
    assert update_rules.new_code({"source": "package"}, "m",
                                 {"code": {"source": "package"}}) is None


def test_runs_changed():
    before = {"code": {"source": "package"}, "entry": "a.b", "cpu": 100, "package_md5": "m"}
    assert not update_rules.runs_changed(before, dict(before))
    assert update_rules.runs_changed(before, {**before, "cpu": 200})
    assert update_rules.runs_changed(before, {**before, "package_md5": "n"})
