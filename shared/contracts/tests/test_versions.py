import pytest

from qinling_shared import versions
from qinling_shared.exceptions import InvalidInput


@pytest.mark.parametrize("raw,number", [(0, 0), (3, 3), ("12", 12), (" 2", 2),
                                        (2 ** 31 - 1, 2 ** 31 - 1)])
def test_number(raw, number):
    assert versions.number(raw) == number


@pytest.mark.parametrize("raw", [-1, "x", "1.5", None, True, 2.0, "one", "-1", "\u00b2",
                                 "1" * 19, 2 ** 31, ""])
def test_bad_number(raw):
    """The message users see for ``GET /v1/functions/{id}/versions/{raw}``."""
    with pytest.raises(InvalidInput) as err:
        versions.number(raw)
    assert str(err.value) == \
        f"Invalid function version {raw!r}: a non-negative integer is required."


@pytest.mark.parametrize("raw,number", [(None, 0), (0, 0), (3, 3), ("2", 2)])
def test_field(raw, number):
    assert versions.field(raw) == number


@pytest.mark.parametrize("raw", [-1, "x", True, 1.5, 2 ** 31])
def test_bad_field_names_the_field(raw):
    with pytest.raises(InvalidInput, match=r"^Invalid function_version: a non-negative "
                                           r"integer is required\.$"):
        versions.field(raw)
