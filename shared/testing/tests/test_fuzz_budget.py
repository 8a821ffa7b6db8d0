"""How the fuzzer's cases are shared out between the operations of a document."""
from qinling_testing.fuzz_budget import examples_per_operation, fuzz_config, operation_weights

OK = {"200": {"description": "ok"}}
DOCUMENT = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {
    "/": {"get": {"operationId": "get_root", "responses": OK}},
    "/a": {"get": {"operationId": "list_a", "responses": OK, "parameters": [
               {"in": "query", "name": "limit", "schema": {"type": "integer"}}]},
           "post": {"operationId": "create_execution", "responses": OK, "requestBody": {
               "content": {"application/json": {"schema": {"type": "object"}}}}}}}}


def test_weights_slow_operations_and_those_without_input():
    assert operation_weights(DOCUMENT) == {"get_root": 0.0, "list_a": 1.0,
                                           "create_execution": 0.25}


def test_an_even_share_adds_up_to_at_least_the_total():
    assert examples_per_operation(1000, {"a": 1, "b": 1, "c": 1}) == {
        "a": 334, "b": 334, "c": 334}


def test_a_weighted_share():
    shares = examples_per_operation(900, {"a": 1, "slow": 0.25, "b": 1})
    assert shares == {"a": 400, "slow": 100, "b": 400}


def test_an_operation_without_input_gets_one_case_and_no_share():
    assert examples_per_operation(100, {"root": 0, "a": 1}) == {"root": 1, "a": 100}
    assert examples_per_operation(5, {"root": 0}) == {"root": 1}


def test_the_config_is_deterministic_and_gives_each_operation_its_share():
    config = fuzz_config(DOCUMENT, 100).projects.get_default()
    assert config.generation.deterministic is True
    assert config.phases.stateful.enabled is False
    shares = sorted(op.generation.max_examples for op in config.operations.operations)
    assert shares == [1, 20, 80]  # 100 / 1.25 = 80, a quarter of it for the execution
