"""Schemathesis against a live platform: every operation of the API's OpenAPI document, with
generated requests, valid and not (its coverage and fuzzing phases). No response
may be a 5xx, and every response must match the document: a documented status, a documented
media type, a body of the documented schema.

The cases are generated from ``qinling_api.openapi.document`` at collection, before the
platform is up (``schemathesis.pytest.from_fixture``, which would load the served one at run
time, fails on pytest 9.2); ``test_the_gateway_serves_the_fuzzed_document`` checks that the
running gateway serves that very document. ``QINLING_FUZZ_EXAMPLES`` (default 1000) is how many
cases the fuzzing phase generates in all, shared out between the operations:
``QINLING_FUZZ_EXAMPLES=10000 .venv/bin/pytest tests/fuzz`` for more.
"""
import collections
import json
import os

import hypothesis.strategies as st
import pytest
import schemathesis
from schemathesis.checks import (content_type_conformance, not_a_server_error,
                                 response_schema_conformance, status_code_conformance)

from qinling_api.openapi import document
from qinling_testing.fuzz_budget import fuzz_config
from qinling_testing.real_resources import RealResources

WANTED_CASES = int(os.environ.get("QINLING_FUZZ_EXAMPLES", "1000"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
TIMEOUT = 60.0

DOCUMENT = json.loads(json.dumps(document.build()))
schema = schemathesis.openapi.from_dict(DOCUMENT, config=fuzz_config(DOCUMENT, WANTED_CASES))
real = RealResources()  # made by the ``resources`` fixture, before the first case
cases_run = collections.Counter()  # {(operation label, phase, response status): cases}


@schema.hook
def flatmap_case(context, case):
    """Half of the fuzzed cases address the real resources."""
    return st.booleans().map(lambda use_real: real.realize(case) if use_real else case)


@pytest.fixture(scope="module")
def resources(api):
    return real.make_all(api)


def test_the_gateway_serves_the_fuzzed_document(api):
    assert api.get("/v1/openapi.json").json() == DOCUMENT


@schema.parametrize()
def test_api(case, platform, resources):
    response = case.call(base_url=platform.url, timeout=TIMEOUT)
    phase = case.meta.phase.name.value if case.meta is not None else "other"
    cases_run[case.operation.label, phase, response.status_code] += 1
    case.validate_response(response, checks=CHECKS)
    resources.settle(case.method, case.operation.path, case.path_parameters,
                     response.status_code)


def test_every_operation_got_its_cases():
    """Runs after ``test_api`` (it is the module's last test): every operation was fuzzed,
    and the cases add up to at least what was asked for."""
    labels = {f"{method.upper()} {path}" for path, item in DOCUMENT["paths"].items()
              for method in item}
    total = sum(cases_run.values())
    by_phase, by_status = collections.Counter(), collections.Counter()
    for (_, phase, status), count in cases_run.items():
        by_phase[phase] += count
        by_status[status] += count
    fuzzed = {label for label, _, _ in cases_run}
    print(f"\nschemathesis: {len(fuzzed)} of {len(labels)} operations, {total} cases "
          f"{dict(sorted(by_phase.items()))}; statuses: {dict(sorted(by_status.items()))}")
    assert fuzzed == labels
    assert total >= WANTED_CASES
