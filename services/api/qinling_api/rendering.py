"""Qinling's response quirks, kept in one place (pure).

Qinling's WSME types emitted JSON-typed fields as JSON *strings* in some responses, and
clients (tempest, python-qinlingclient) depend on it: a function's ``code`` in lists, an
execution's ``result`` everywhere, an execution's ``input`` as the raw input string.
"""
import json

POSITIONAL_INPUT = "__function_input"  # Qinling's stored form of a non-object input


def function_in_list(function):
    return {**function, "code": json.dumps(function.get("code"))}


def execution(execution):
    rendered = dict(execution)
    if rendered.get("result") is not None:
        rendered["result"] = json.dumps(rendered["result"])
    rendered["input"] = input_text(rendered.get("input"))
    return rendered


def input_text(value):
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict) and set(value) == {POSITIONAL_INPUT}:
        return input_text(value[POSITIONAL_INPUT])
    return json.dumps(value)
