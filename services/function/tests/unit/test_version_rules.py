import pytest

from qinling_shared.exceptions import Forbidden, InvalidInput

from qinling_function import version_rules

SNAP = {"code": {"source": "package", "md5sum": "m"}, "cpu": 100}


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
