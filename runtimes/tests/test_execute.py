"""The worker contract's ``POST /execute``, on every runtime server: results, input, failures,
timeouts, logs and limits of an execution."""
import re

import pytest


TIMEOUT = "Function execution timeout."
RESOURCE = "Function execution failed because of too much resource consumption"
# What each runtime passes to the echo function: Python's keyword/positional arguments, Node's
# handler(context, input).
ECHOED = {
    "python3": {
        "object": {"args": [], "kwargs": {"name": "Qinling", "n": 2}},
        "positional": {"args": ["raw text"], "kwargs": {}},
        "null": {"args": [], "kwargs": {}},
        "other": lambda value: {"args": [value], "kwargs": {}},
    },
    "nodejs": {
        "object": {"context": {}, "input": {"name": "Qinling", "n": 2}},
        "positional": {"context": {}, "input": "raw text"},
        "null": {"context": {}, "input": {}},
        "other": lambda value: {"context": {}, "input": value},
    },
}
TRACEBACK = {"python3": "Traceback (most recent call last)", "nodejs": "    at "}
RAISED = {"python3": "ValueError: bad input given", "nodejs": "Error: bad input given"}
NO_MODULE = {"python3": r"No module named 'nosuchmodule'",
             "nodejs": r"Cannot find module '[^']*nosuchmodule'.*"}


def test_hello_world(worker, functions_package):
    result = worker.execute(functions_package, "hello.main", execution_id="exec-hello")
    assert result["success"] is True
    assert result["output"] == "Hello, World"
    assert 0 < result["duration"] < 5
    assert result["logs"] == (
        "Start execution: exec-hello\nHello, World\nFinished execution: exec-hello\n")


def test_object_input(worker, runtime, functions_package):
    result = worker.execute(functions_package, "echo.arguments", {"name": "Qinling", "n": 2})
    assert result["output"] == ECHOED[runtime]["object"]


def test_function_input_key_gives_the_raw_input(worker, runtime, functions_package):
    result = worker.execute(functions_package, "echo.arguments", {"__function_input": "raw text"})
    assert result["output"] == ECHOED[runtime]["positional"]


@pytest.mark.parametrize("fn_input", ["plain", 6, [1, "two"]])
def test_other_input_is_passed_as_is(worker, runtime, functions_package, fn_input):
    result = worker.execute(functions_package, "echo.arguments", fn_input)
    assert result["output"] == ECHOED[runtime]["other"](fn_input)


def test_null_input(worker, runtime, functions_package):
    result = worker.execute(functions_package, "echo.arguments", None)
    assert result["output"] == ECHOED[runtime]["null"]


def test_entry_may_name_a_dotted_module(worker, functions_package):
    assert worker.execute(functions_package, "pkg.sub.mod.func")["output"] == "dotted"


@pytest.mark.parametrize("runtime", ["nodejs"])
def test_a_promise_is_awaited(worker, functions_package):
    assert worker.execute(functions_package, "later.main", {"value": 7})["output"] == 7


def test_a_missing_module_fails_the_execution(worker, runtime, functions_package):
    result = worker.execute(functions_package, "nosuchmodule.main")
    assert result["success"] is False
    assert re.fullmatch(NO_MODULE[runtime], result["output"], re.DOTALL), result["output"]


@pytest.mark.parametrize("entry, message", [
    ("hello.nosuchfunction", "Module 'hello' has no function 'nosuchfunction'."),
    ("failing.not_a_function", "Module 'failing' has no function 'not_a_function'."),
    ("hello", "Invalid entry 'hello': expected 'module.function'."),
])
def test_a_bad_entry_fails_the_execution(worker, functions_package, entry, message):
    result = worker.execute(functions_package, entry)
    assert result["success"] is False
    assert result["output"] == message


def test_an_exception_gives_its_message_and_a_traceback(worker, runtime, functions_package):
    result = worker.execute(functions_package, "failing.raises", execution_id="exec-raise")
    assert result["success"] is False
    assert result["output"] == "bad input given"
    assert TRACEBACK[runtime] in result["logs"]
    assert RAISED[runtime] in result["logs"]
    assert result["logs"].endswith("Finished execution: exec-raise\n")


@pytest.mark.parametrize("entry", ["failing.unserialisable", "failing.circular"])
def test_a_result_json_cannot_carry_fails_clearly(worker, functions_package, entry):
    result = worker.execute(functions_package, entry)
    assert result["success"] is False
    assert result["output"].startswith("Function result is not JSON-serialisable: ")


@pytest.mark.parametrize("runtime", ["python3"])
def test_a_float_json_cannot_carry_fails_clearly(worker, functions_package):
    result = worker.execute(functions_package, "failing.not_a_number")
    assert result["success"] is False
    assert result["output"].startswith("Function result is not JSON-serialisable: ")


def test_timeout_kills_the_execution_and_the_worker_goes_on(worker, functions_package):
    result = worker.execute(functions_package, "failing.sleeps", {"seconds": 30}, timeout=1)
    assert result["success"] is False
    assert result["output"] == TIMEOUT
    assert 1 <= result["duration"] < 3
    pid = int(result["logs"].split("pid ")[1].split()[0])
    assert worker.gone(pid)
    assert worker.execute(functions_package, "hello.main")["output"] == "Hello, World"


@pytest.mark.parametrize("entry", ["failing.exits", "failing.kills_itself",
                                   "failing.out_of_memory"])
def test_a_dying_child_is_a_resource_failure(worker, functions_package, entry):
    execution_id = f"exec-dies-{entry}"
    result = worker.execute(functions_package, entry, execution_id=execution_id)
    assert result["success"] is False
    assert result["output"] == RESOURCE
    assert f"Start execution: {execution_id}" in result["logs"]
    assert worker.request("GET", "/ping")[0] == 200


def test_processes_left_behind_are_killed_without_delaying_the_result(worker,
                                                                      functions_package):
    result = worker.execute(functions_package, "failing.leaves_a_process", timeout=10)
    assert result["success"] is True
    assert result["duration"] < 5
    assert worker.gone(result["output"])


def test_a_child_that_dies_while_its_processes_hold_the_pipe_fails_at_once(worker,
                                                                         functions_package):
    result = worker.execute(functions_package, "failing.dies_leaving_a_process", timeout=10)
    assert result["output"] == RESOURCE
    assert result["duration"] < 5


def test_logs_hold_stdout_and_stderr(worker, functions_package):
    result = worker.execute(functions_package, "failing.noisy", {"size": 10})
    assert result["output"] == "done"
    assert "xxxxxxxxxx\nto stderr\n" in result["logs"]


def test_logs_are_truncated_with_a_marker(worker, functions_package):
    result = worker.execute(functions_package, "failing.noisy", {"size": 3 * 1024 * 1024},
                            execution_id="exec-noisy")
    logs = result["logs"]
    assert result["output"] == "done"
    assert len(logs) < 1024 * 1024 + 200
    assert "[logs truncated: " in logs
    assert logs.startswith("Start execution: exec-noisy\n")
    assert logs.endswith("Finished execution: exec-noisy\n")


def test_limits_apply_inside_the_execution(worker, functions_package):
    output = worker.execute(functions_package, "limits.current")["output"]
    assert output["nofile"] == [1024, 1024]
    assert output["fsize"] == [500 * 1024 * 1024] * 2
