import pytest

from qinling_shared.exceptions import Forbidden, InvalidInput

from qinling_function import version_rules

SNAP = {"code": {"source": "package", "md5sum": "m"}, "cpu": 100}


@pytest.mark.parametrize("raw,number", [(0, 0), (3, 3), ("12", 12), (" 2", 2),
                                        (2 ** 31 - 1, 2 ** 31 - 1)])
def test_number(raw, number):
    assert version_rules.number(raw) == number


@pytest.mark.parametrize("raw", [-1, "x", "1.5", None, True, 2.0, "one", "-1", "\u00b2",
                                 "1" * 19, 2 ** 31, ""])
def test_bad_number(raw):
    """The message users see for ``GET /v1/functions/{id}/versions/{raw}``."""
    with pytest.raises(InvalidInput) as err:
        version_rules.number(raw)
    assert str(err.value) == \
        f"Invalid function version {raw!r}: a non-negative integer is required."


@pytest.mark.parametrize("source,existing,latest,message", [
    ("swift", 0, None, "Function versioning only allowed for package type function."),
    ("image", 0, None, "Function versioning only allowed for package type function."),
    ("package", 3, (7, {"other": 1}), "Can not exceed maximum number(3) of versions"),
    ("package", 1, (4, SNAP), "Function package not changed since the latest version 4."),
])
def test_refusals(source, existing, latest, message):
    with pytest.raises(Forbidden) as err:
        version_rules.check_new_version(source, existing, latest, SNAP, 3)
    assert str(err.value) == message


def test_first_version_and_config_change_allowed():
    version_rules.check_new_version("package", 0, None, SNAP, 3)
    version_rules.check_new_version("package", 2, (2, SNAP), {**SNAP, "cpu": 200}, 3)


def test_not_found_text():
    assert version_rules.not_found("f", 2) == \
        "FunctionVersion not found [function_id=f, version_number=2]"
