"""Which values a fuzzer's case gets from the real resources (pure parts)."""
from types import SimpleNamespace

from qinling_testing.real_resources import IMAGE_CODE, RealResources

IDS = {"runtimes": "r1", "functions": "f1", "aliases": "fuzz-f1", "executions": "e1",
       "webhooks": "w1", "event_triggers": "t1"}


def real():
    resources = RealResources()
    resources.ids = dict(IDS)
    return resources


def case(method, path, path_parameters=None, body=None):
    return SimpleNamespace(method=method, operation=SimpleNamespace(path=path),
                           path_parameters=path_parameters, body=body)


def test_path_parameters_name_the_resource_of_the_path():
    resources = real()
    assert resources.path_parameters("/v1/runtimes/{id}/pool") == {"id": "r1"}
    assert resources.path_parameters("/v1/functions/{id}/versions/{version}") == {
        "id": "f1", "version": 1}
    assert resources.path_parameters("/v1/executions/{id}/log") == {"id": "e1"}
    assert resources.path_parameters("/v1/aliases/{name}") == {"name": "fuzz-f1"}
    assert resources.path_parameters("/v1/webhooks/{id}/invoke") == {"id": "w1"}
    assert resources.path_parameters("/v1/event_triggers/{id}") == {"id": "t1"}
    assert resources.path_parameters("/") == {}


def test_realize_keeps_the_fields_it_does_not_know_and_adds_none():
    made = real().realize(case("POST", "/v1/executions", body={
        "function_id": "x", "input": "i"}))
    assert made.body == {"function_id": "f1", "input": "i"}
    assert made.path_parameters is None


def test_a_new_function_gets_an_image_code_but_an_update_does_not():
    created = real().realize(case("POST", "/v1/functions", body={"code": "x", "cpu": "1"}))
    assert created.body == {"code": IMAGE_CODE, "cpu": "1"}
    updated = real().realize(case("PUT", "/v1/functions/{id}", {"id": "z"}, {"code": "x"}))
    assert updated.body == {"code": "x"}
    assert updated.path_parameters == {"id": "f1"}


def test_a_real_scale_up_asks_for_one_worker():
    made = real().realize(case("POST", "/v1/functions/{id}/scale_up", {"id": "z"},
                               {"count": 100}))
    assert made.body == {"count": 1}


class FakeApi:
    """Answers the requests ``settle`` makes from a table of event triggers."""

    def __init__(self, trigger_ids):
        self.trigger_ids = list(trigger_ids)
        self.requests = []

    def get(self, path):
        self.requests.append(("GET", path))
        return SimpleNamespace(status_code=200, text="", json=lambda: {
            "event_triggers": [{"id": i} for i in self.trigger_ids]})

    def delete(self, path):
        self.requests.append(("DELETE", path))
        self.trigger_ids.remove(path.rsplit("/", 1)[1])
        return SimpleNamespace(status_code=204, text="")


def test_an_event_trigger_a_case_made_is_deleted_and_the_real_one_kept():
    resources = real()
    resources.api = FakeApi(["t1", "t2", "t3"])
    resources.settle("POST", "/v1/event_triggers", None, 201)
    assert resources.api.trigger_ids == ["t1"]
    assert resources.api.requests == [("GET", "/v1/event_triggers"),
                                      ("DELETE", "/v1/event_triggers/t2"),
                                      ("DELETE", "/v1/event_triggers/t3")]


def test_a_refused_event_trigger_create_needs_no_request():
    resources = real()
    resources.api = FakeApi(["t1"])
    resources.settle("POST", "/v1/event_triggers", None, 400)
    assert resources.api.requests == []


def test_a_real_event_trigger_gets_the_real_alias_or_function():
    made = real().realize(case("PUT", "/v1/event_triggers/{id}", {"id": "z"},
                               {"function_alias": "x", "event_type": "a.*"}))
    assert made.body == {"function_alias": "fuzz-f1", "event_type": "a.*"}
    assert made.path_parameters == {"id": "t1"}
