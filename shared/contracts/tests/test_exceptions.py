import pytest

from qinling_shared import exceptions
from qinling_shared.exceptions import WIRE_ERRORS, from_wire, wire_error

EXPECTED_STATUS = {"InvalidInput": 400, "Unauthorized": 401, "Forbidden": 403, "NotFound": 404, "NotAllowed": 405,
                   "Conflict": 409, "PayloadTooLarge": 413, "Unavailable": 503}


def test_every_wire_error_carries_its_http_status():
    assert {name: cls.http_status for name, cls in WIRE_ERRORS.items()} == EXPECTED_STATUS


def test_a_subclass_is_the_wire_error_it_extends():
    class RuntimeNotFound(exceptions.NotFound):
        pass

    assert wire_error(RuntimeNotFound("x")) is exceptions.NotFound
    assert wire_error(ValueError("x")) is None


@pytest.mark.parametrize("name", sorted(EXPECTED_STATUS))
def test_from_wire_rebuilds_each_error_with_its_message(name):
    error = from_wire(name, "it happened")
    assert type(error) is WIRE_ERRORS[name] and error.message == "it happened"
    assert from_wire("KeyError", "x") is None

