import json

import pytest
from werkzeug.exceptions import MethodNotAllowed, NotFound as RouteNotFound

from qinling_shared import exceptions
from qinling_storage.web import error_response, routing_error_response


def body(response):
    return json.loads(response.get_data())


@pytest.mark.parametrize("exc,status", [
    (exceptions.InvalidInput("bad"), 400), (exceptions.Forbidden("no"), 403),
    (exceptions.NotFound("gone"), 404), (exceptions.NotAllowed("nope"), 405),
    (exceptions.Conflict("clash"), 409), (exceptions.PayloadTooLarge("big"), 413),
    (exceptions.Unavailable("down"), 503),
])
def test_wire_errors_map_to_their_status(exc, status):
    response = error_response(exc)
    assert response.status_code == status
    assert response.content_type == "application/json"
    assert body(response) == {"error": {"type": type(exc).__name__, "message": exc.message}}


def test_unexpected_error_is_a_stable_500_without_details():
    response = error_response(KeyError("secret internals"))
    assert response.status_code == 500
    assert body(response) == {"error": {"type": "InternalServerError",
                                        "message": "Internal server error."}}


def test_routing_errors_are_json_too():
    missing = routing_error_response(RouteNotFound(), "GET", "/nowhere")
    assert missing.status_code == 404
    assert body(missing)["error"] == {"type": "NotFound", "message": "No such resource: /nowhere."}
    wrong = routing_error_response(MethodNotAllowed(["PUT"]), "POST", "/v1/packages")
    assert wrong.status_code == 405
    assert wrong.headers["Allow"] == "PUT"
    assert body(wrong)["error"]["type"] == "NotAllowed"
