import pytest

from qinling_shared.exceptions import InvalidInput

from qinling_function import rules

CODE = '{"source": "package"}'


def valid(**overrides):
    values = {"code": CODE, "runtime_id": "r1"}
    values.update(overrides)
    return values


def test_defaults_applied(limits):
    clean = rules.new_function(valid(), limits)
    assert clean["cpu"] == 100 and clean["memory_size"] == 33554432 and clean["timeout"] == 5
    assert clean["entry"] == "main.main"
    assert clean["code"] == {"source": "package"}


def test_missing_code_message(limits):
    with pytest.raises(InvalidInput) as err:
        rules.new_function({"runtime_id": "r1"}, limits)
    assert str(err.value) == "Required param is missing. Required: {'code'}"


@pytest.mark.parametrize("field,value,message", [
    ("timeout", "0", "timeout resource limitation not within the allowable range: 1 ~ 300(seconds)."),
    ("cpu", "301", "cpu resource limitation not within the allowable range: 100 ~ 300(millicpu)."),
    ("memory_size", "1", "memory resource limitation not within the allowable range: "
                         "33554432 ~ 134217728(bytes)."),
    ("timeout", "abc", "Invalid timeout resource specified. An integer is required."),
    ("cpu", True, "Invalid cpu resource specified. An integer is required."),
])
def test_limits(limits, field, value, message):
    with pytest.raises(InvalidInput) as err:
        rules.new_function(valid(**{field: value}), limits)
    assert str(err.value) == message


def test_timeout_checked_before_cpu(limits):
    with pytest.raises(InvalidInput, match="timeout"):
        rules.new_function(valid(timeout="0", cpu="1"), limits)


@pytest.mark.parametrize("code,message", [
    ('{"source": "ftp"}', "Invalid code source specified, available sources: package, swift, image"),
    ("not json", "Invalid code: it must be a JSON object."),
    ('["package"]', "Invalid code: it must be a JSON object."),
    ("[" * 3000 + "]" * 3000, "Invalid code: JSON nesting too deep (max 64)."),   # D2
    ('{"source": "package", "x": "\\ud800"}', "Invalid code: invalid Unicode (a lone surrogate)."),
])
def test_bad_code(limits, code, message):
    with pytest.raises(InvalidInput) as err:
        rules.new_function(valid(code=code), limits)
    assert str(err.value) == message


def test_runtime_required_unless_image(limits):
    with pytest.raises(InvalidInput, match='"runtime_id" must be specified.'):
        rules.new_function({"code": CODE}, limits)
    clean = rules.new_function({"code": '{"source": "image", "image": "alpine"}'}, limits)
    assert clean["entry"] is None


def test_package_checks():
    package = {"key": "k", "md5sum": "abc", "sha256": "x", "size": 1}
    rules.check_package({"source": "package"}, package)
    rules.check_package({"source": "package", "md5sum": "abc"}, package)
    with pytest.raises(InvalidInput, match="Package md5 mismatch."):
        rules.check_package({"source": "package", "md5sum": "def"}, package)
    with pytest.raises(InvalidInput, match="Required: {'package'}"):
        rules.check_package({"source": "package"}, None)


def test_swift_location():
    code = {"source": "swift", "swift": {"container": "c", "object": "dir/o.zip"}}
    assert rules.swift_location(code) == ("c", "dir/o.zip")
    assert rules.swift_key("c", "dir/o.zip") == "swift/c/dir/o.zip"
    for bad in ({"source": "swift"}, {"source": "swift", "swift": {"container": "c"}},
                {"source": "swift", "swift": {"container": "c", "object": 1}}):
        with pytest.raises(InvalidInput) as err:
            rules.swift_location(bad)
        assert str(err.value) == ("Both container and object must be provided for swift type "
                                  "function.")
