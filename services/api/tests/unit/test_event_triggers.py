import pytest

from qinling_api import validation
from qinling_api.schemas.event_triggers import EventTriggerCreate, EventTriggerUpdate
from qinling_shared import listing
from qinling_shared.exceptions import Forbidden, InvalidInput, NotFound

TRIGGER = {"id": "t-1", "name": None, "description": None, "function_id": None,
           "function_version": None, "function_alias": "prod",
           "event_type": "compute.instance.create.*", "exchanges": ["nova"],
           "topics": ["notifications"], "filters": {"image_meta.os": "linux", "n": 1.5},
           "all_projects": False, "project_id": "default",
           "created_at": "2026-01-01T00:00:00Z", "updated_at": None}
LIST = "a list of strings is required."
SCALARS = "an object of strings, numbers, booleans or nulls is required."


async def test_create_passes_the_typed_fields_and_answers_201(client, rpc):
    rpc.answer("trigger", "create_event_trigger", lambda values: TRIGGER)
    response = await client.post("/v1/event_triggers", json={
        "function_id": "f1", "function_version": "2", "event_type": "image.*",
        "exchanges": ["glance"], "topics": None, "filters": {"a.b": None, "c": True},
        "all_projects": True, "name": "n", "project_id": "x", "id": "y"})
    assert response.status == 201
    assert await response.json() == TRIGGER
    assert rpc.calls[0].args == ({"function_id": "f1", "function_version": 2,
                                  "event_type": "image.*", "exchanges": ["glance"],
                                  "filters": {"a.b": None, "c": True}, "all_projects": True,
                                  "name": "n"},)


@pytest.mark.parametrize("body, message", [
    ({"event_type": 5}, "Invalid value of 'event_type': a string is required."),
    ({"function_id": ["f1"]}, "Invalid value of 'function_id': a string is required."),
    ({"function_version": "x"},
     "Invalid value of 'function_version': an integer is required."),
    ({"exchanges": "nova"}, f"Invalid value of 'exchanges': {LIST}"),
    ({"exchanges": ["nova", 1]}, f"Invalid value of 'exchanges': {LIST}"),
    ({"topics": {"notifications": 1}}, f"Invalid value of 'topics': {LIST}"),
    ({"filters": ["a"]}, f"Invalid value of 'filters': {SCALARS}"),
    ({"filters": {"a": {"b": 1}}}, f"Invalid value of 'filters': {SCALARS}"),
    ({"filters": {"a": [1]}}, f"Invalid value of 'filters': {SCALARS}"),
    ({"all_projects": "true"}, "Invalid value of 'all_projects': a boolean is required."),
    ({"all_projects": 1}, "Invalid value of 'all_projects': a boolean is required.")])
async def test_create_with_wrong_types_is_a_400(client, rpc, body, message):
    response = await client.post("/v1/event_triggers", json=body)
    assert response.status == 400
    assert await response.json() == {"faultstring": message}
    assert rpc.calls == []


async def test_a_nan_filter_value_is_no_json_scalar(client, rpc):
    response = await client.post("/v1/event_triggers", data='{"filters": {"a": NaN}}',
                                 headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert await response.json() == {"faultstring": f"Invalid value of 'filters': {SCALARS}"}
    assert rpc.calls == []


def test_create_drops_nulls_and_rules_are_left_to_the_service():
    """Counts, lengths, patterns and a missing event_type are the trigger service's."""
    body = {"exchanges": [], "topics": ["amq.x"] * 20, "filters": {}, "event_type": None,
            "all_projects": None, "function_alias": "a" * 300}
    assert validation.load(EventTriggerCreate, body) == {
        "exchanges": [], "topics": ["amq.x"] * 20, "filters": {}, "function_alias": "a" * 300}


def test_update_passes_the_nulls_that_restore_a_default_and_drops_the_others():
    body = {"exchanges": None, "topics": None, "filters": None, "all_projects": None,
            "name": None, "description": None, "function_id": None,
            "function_alias": None, "function_version": None, "event_type": None}
    assert validation.load(EventTriggerUpdate, body) == {
        "exchanges": None, "topics": None, "filters": None, "all_projects": None}


def test_null_resets_are_only_the_update_s():
    assert validation.load(EventTriggerCreate, {"exchanges": None, "filters": None}) == {}


async def test_the_services_errors_are_passed_on_exactly(client, rpc):
    rpc.answer("trigger", "create_event_trigger",
               InvalidInput("Required param is missing. Required: {'event_type'}"))
    missing = await client.post("/v1/event_triggers", json={"function_id": "f1"})
    assert missing.status == 400
    assert await missing.json() == {
        "faultstring": "Required param is missing. Required: {'event_type'}"}
    rpc.answer("trigger", "update_event_trigger",
               Forbidden("Operation not allowed: all_projects needs admin rights."))
    forbidden = await client.put("/v1/event_triggers/t-1", json={"all_projects": True})
    assert forbidden.status == 403
    rpc.answer("trigger", "get_event_trigger", NotFound("Event trigger not found [id=t-9]"))
    unknown = await client.get("/v1/event_triggers/t-9")
    assert unknown.status == 404
    assert await unknown.json() == {"faultstring": "Event trigger not found [id=t-9]"}


async def test_list_show_update_and_delete(client, rpc):
    rpc.answer("trigger", "list_event_triggers", lambda query: [TRIGGER])
    rpc.answer("trigger", "get_event_trigger", lambda trigger_id: TRIGGER)
    rpc.answer("trigger", "update_event_trigger",
               lambda trigger_id, values: {**TRIGGER, "event_type": "image.*"})
    rpc.answer("trigger", "delete_event_trigger", lambda trigger_id: None)
    listed = await client.get("/v1/event_triggers?event_type=has:instance&sort_key=updated_at")
    assert listed.status == 200
    assert await listed.json() == {"event_triggers": [TRIGGER]}
    assert rpc.calls[0].args == (listing.parse({"event_type": "has:instance",
                                                "sort_key": "updated_at"}),)
    assert await (await client.get("/v1/event_triggers/t-1")).json() == TRIGGER
    assert rpc.calls[1].args == ("t-1",)
    updated = await client.put("/v1/event_triggers/t-1", json={
        "event_type": "image.*", "exchanges": None, "name": None, "project_id": "x"})
    assert updated.status == 200 and (await updated.json())["event_type"] == "image.*"
    assert rpc.calls[2].args == ("t-1", {"event_type": "image.*", "exchanges": None})
    deleted = await client.delete("/v1/event_triggers/t-1")
    assert deleted.status == 204
    assert rpc.calls[3].args == ("t-1",)
    assert [c.service for c in rpc.calls] == ["trigger"] * 4


async def test_a_body_that_is_not_an_object_is_a_400(client, rpc):
    response = await client.put("/v1/event_triggers/t-1", json=["event_type"])
    assert response.status == 400
    assert rpc.calls == []
