"""Qinling's response quirks, kept in one place (pure).

Qinling's WSME types emitted JSON-typed fields as JSON *strings* in some responses, and
clients (tempest, python-qinlingclient) depend on it: a function's ``code`` in lists, an
execution's ``result`` everywhere. An execution's ``input`` comes from the execution service
as Qinling's string already (the raw input, or the JSON of an object).
"""
import json


def function_in_list(function):
    return {**function, "code": json.dumps(function.get("code"))}


def execution(execution):
    rendered = dict(execution)
    if rendered.get("result") is not None:
        rendered["result"] = json.dumps(rendered["result"])
    return rendered
