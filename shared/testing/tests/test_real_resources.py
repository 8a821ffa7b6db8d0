"""Which values a fuzzer's case gets from the real resources (pure parts)."""
from types import SimpleNamespace

from qinling_testing.real_resources import IMAGE_CODE, RealResources

IDS = {"runtimes": "r1", "functions": "f1", "aliases": "fuzz-f1", "executions": "e1",
       "webhooks": "w1"}


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
