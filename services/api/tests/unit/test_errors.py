import io
import logging

import pytest

from qinling_api import errors
from qinling_api.rpc import RemoteError
from qinling_shared import exceptions
from qinling_shared.exceptions import WIRE_ERRORS

EXPECTED_STATUS = {"InvalidInput": 400, "Forbidden": 403, "NotFound": 404, "NotAllowed": 405,
                   "Conflict": 409, "PayloadTooLarge": 413, "Unavailable": 503}


def test_a_subclass_of_a_wire_error_maps_like_it():
    class RuntimeNotFound(exceptions.NotFound):
        pass

    assert errors.http_status(RuntimeNotFound("x")) == 404
    assert errors.http_status(ValueError("x")) is None


@pytest.mark.parametrize("name,status", sorted(EXPECTED_STATUS.items()))
async def test_wire_errors_become_their_status_and_faultstring(client, rpc, name, status):
    rpc.answer("execution", "get_runtime", WIRE_ERRORS[name](f"{name} happened [id=r1]"))
    response = await client.get("/v1/runtimes/r1")
    assert response.status == status
    assert await response.json() == {"faultstring": f"{name} happened [id=r1]"}


async def test_an_unmapped_error_is_a_500_without_details(client, rpc, caplog):
    rpc.answer("execution", "get_runtime", KeyError("secret-internal-detail"))
    with caplog.at_level(logging.ERROR, logger="qinling_api.middlewares"):
        response = await client.get("/v1/runtimes/r1")
    assert response.status == 500
    text = await response.text()
    assert response.content_type == "application/json"
    assert await response.json() == {"faultstring": "Internal server error."}
    assert "secret-internal-detail" not in text and "Traceback" not in text
    assert "secret-internal-detail" in caplog.text  # with its traceback, server-side only
    assert "Traceback" in caplog.text


async def test_a_remote_non_wire_error_is_a_500_without_details(client, rpc, caplog):
    rpc.answer("execution", "get_runtime",
               RemoteError("OperationalError", "db password wrong", "sqlalchemy.exc.X"))
    with caplog.at_level(logging.ERROR, logger="qinling_api.middlewares"):
        response = await client.get("/v1/runtimes/r1")
    assert response.status == 500
    assert await response.json() == {"faultstring": "Internal server error."}
    assert "OperationalError" in caplog.text


async def test_an_oversized_json_body_is_a_json_413(client):
    body = io.BytesIO(b"{" + b" " * (2 * 1024 * 1024) + b"}")
    response = await client.post("/v1/executions", data=body,
                                 headers={"Content-Type": "application/json"})
    assert response.status == 413
    assert (await response.json())["faultstring"] == \
        "Request body is too large: at most 1048576 bytes are accepted."
