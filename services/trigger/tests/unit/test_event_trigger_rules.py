"""The fields of an event trigger: defaults, rules and messages."""
import pytest

from qinling_shared.exceptions import InvalidInput
from qinling_trigger import event_trigger_rules as rules


# --- validation -----------------------------------------------------------------------------

def test_a_new_trigger_gets_the_defaults():
    clean = rules.new_event_trigger({"function_id": "f1", "event_type": "compute.instance.create.*"})
    assert clean == {
        "name": None, "description": None, "function_id": "f1", "function_version": 0,
        "function_alias": None, "event_type": "compute.instance.create.*",
        "exchanges": ["nova", "cinder", "glance", "neutron", "openstack"],
        "topics": ["notifications"], "filters": {}, "all_projects": False,
    }
    configured = rules.new_event_trigger({"function_id": "f1", "event_type": "*"},
                                     default_exchanges=("cinder",))
    assert configured["exchanges"] == ["cinder"]


def test_a_full_trigger_keeps_its_values():
    values = {"name": "on-boot", "description": "d", "function_alias": "prod",
              "event_type": "instance.create.end", "exchanges": ["nova", "nova"],
              "topics": ["versioned_notifications", "notifications"],
              "filters": {"state": "active", "flavor.vcpus": 1, "locked": False, "x": None},
              "all_projects": True}
    clean = rules.new_event_trigger(values)
    assert clean["function_alias"] == "prod"
    assert clean["function_id"] is None and clean["function_version"] is None
    assert clean["exchanges"] == ["nova"]
    assert clean["topics"] == ["versioned_notifications", "notifications"]
    assert clean["filters"] == values["filters"] and clean["filters"] is not values["filters"]
    assert clean["all_projects"] is True


BASE = {"function_id": "f1", "event_type": "compute.instance.create.*"}


@pytest.mark.parametrize("values, message", [
    ({"function_id": "f1"}, "Required param is missing. Required: {'event_type'}"),
    ({**BASE, "event_type": ""}, "Required param is missing. Required: {'event_type'}"),
    ({"event_type": "*"}, "Either function_alias or function_id must be provided."),
    ({**BASE, "function_alias": "a"},
     "Only one of function_alias and function_id may be provided."),
    ({"function_alias": "a", "function_version": 2, "event_type": "*"},
     "function_version can not be given with function_alias."),
    ({**BASE, "function_version": -1},
     "Invalid function_version: a non-negative integer is required."),
    ({**BASE, "function_version": "one"},
     "Invalid function_version: a non-negative integer is required."),
    ({**BASE, "function_version": True},
     "Invalid function_version: a non-negative integer is required."),
    ({**BASE, "function_id": "f" * 37}, "Invalid function_id: at most 36 characters."),
    ({**BASE, "name": 5}, "Invalid name: a string is required."),
    ({**BASE, "description": "d" * 256}, "Invalid description: at most 255 characters."),
    ({**BASE, "event_type": 5}, "Invalid event_type: a string is required."),
    ({**BASE, "event_type": "compute instance"}, "Invalid event_type 'compute instance'"),
    ({**BASE, "event_type": "é.*"}, "Invalid event_type"),
    ({**BASE, "event_type": "a" * 256}, "Invalid event_type"),
    ({**BASE, "exchanges": "nova"}, "Invalid exchanges: a non-empty list of names"),
    ({**BASE, "exchanges": []}, "Invalid exchanges: a non-empty list of names"),
    ({**BASE, "exchanges": ["nova", ""]}, "Invalid exchanges: '' is not a name"),
    ({**BASE, "exchanges": ["no va"]}, "Invalid exchanges: 'no va' is not a name"),
    ({**BASE, "exchanges": ["amq.topic"]}, "Invalid exchanges: 'amq.topic' is not a name"),
    ({**BASE, "exchanges": [1]}, "Invalid exchanges: 1 is not a name"),
    ({**BASE, "exchanges": [f"e{i}" for i in range(17)]}, "Invalid exchanges: at most 16"),
    ({**BASE, "topics": ["notifications.*"]}, "Invalid topics: 'notifications.*' is not"),
    ({**BASE, "topics": ["#"]}, "Invalid topics: '#' is not"),
    ({**BASE, "topics": {}}, "Invalid topics: a non-empty list"),
    ({**BASE, "filters": ["state"]}, "Invalid filters: an object of dotted payload paths"),
    ({**BASE, "filters": "state=active"}, "Invalid filters: an object"),
    ({**BASE, "filters": {"": "x"}}, "Invalid filters: '' is not a dotted payload path"),
    ({**BASE, "filters": {"a..b": "x"}}, "Invalid filters: 'a..b' is not a dotted payload path"),
    ({**BASE, "filters": {".a": "x"}}, "Invalid filters: '.a' is not a dotted payload path"),
    ({**BASE, "filters": {"a.": "x"}}, "Invalid filters: 'a.' is not a dotted payload path"),
    ({**BASE, "filters": {"a": {"b": 1}}},
     "Invalid filters: the value of 'a' must be a string, number"),
    ({**BASE, "filters": {"a": [1]}},
     "Invalid filters: the value of 'a' must be a string, number"),
    ({**BASE, "filters": {"a": float("nan")}}, "Invalid filters: the value of 'a' must be"),
    ({**BASE, "filters": {f"k{i}": 1 for i in range(33)}}, "Invalid filters: at most 32"),
    ({**BASE, "all_projects": "yes"}, "Invalid all_projects: true or false is required."),
    ({**BASE, "all_projects": 1}, "Invalid all_projects: true or false is required."),
])
def test_an_invalid_trigger_is_refused(values, message):
    with pytest.raises(InvalidInput) as raised:
        rules.new_event_trigger(values)
    assert raised.value.http_status == 400
    assert raised.value.message.startswith(message)


@pytest.mark.parametrize("values, changes", [
    ({"name": "n"}, {"name": "n"}),
    ({"description": None}, {"description": None}),
    ({"function_alias": "prod"},
     {"function_alias": "prod", "function_id": None, "function_version": None}),
    ({"function_id": "f2"}, {"function_id": "f2", "function_version": 0, "function_alias": None}),
    ({"function_id": "f2", "function_version": 3},
     {"function_id": "f2", "function_version": 3, "function_alias": None}),
    ({"function_version": 2}, {"function_version": 2}),
    ({"exchanges": None, "topics": ["versioned_notifications"]},
     {"exchanges": list(rules.DEFAULT_EXCHANGES), "topics": ["versioned_notifications"]}),
    ({"filters": None, "all_projects": None}, {"filters": {}, "all_projects": False}),
    ({"event_type": "volume.*", "id": "ignored"}, {"event_type": "volume.*"}),
])
def test_the_changes_of_an_update(values, changes):
    assert rules.event_trigger_changes(values) == changes


@pytest.mark.parametrize("values, message", [
    ({}, "Nothing to update"),
    ({"project_id": "p"}, "Nothing to update"),
    ({"event_type": None}, "Invalid event_type: it must not be empty."),
    ({"function_id": None}, "Either function_alias or function_id must be provided."),
    ({"function_version": -2}, "Invalid function_version"),
    ({"filters": {"a": {}}}, "Invalid filters"),
    ({"exchanges": []}, "Invalid exchanges"),
])
def test_an_invalid_update_is_refused(values, message):
    with pytest.raises(InvalidInput, match="^" + message.replace("(", r"\(")):
        rules.event_trigger_changes(values)
