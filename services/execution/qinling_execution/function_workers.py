"""A function version's workers (handlers): Qinling's ``GET .../workers`` and its admin
operations ``scale_up``, ``scale_down`` and ``detach``; version 0 is the function's live code.
"""
from qinling_shared import versions
from qinling_shared.exceptions import InvalidInput

from qinling_execution import requests_rules, targets
from qinling_execution.orchestrators import Limits

SCALABLE_SOURCES = ("package", "swift")


def list_workers(function_id, version, caller, *, caches, function, worker_map):
    """``[{"function_id", "function_version", "worker_name"}]``, every replica's."""
    caller.authorize("function_worker:get_all")
    version = versions.number(version)
    targets.spec(function_id, 0, caller, caches, function)
    return [{"function_id": function_id, "function_version": version,
             "worker_name": worker["name"]}
            for worker in worker_map.for_function(function_id, version)]


def scale_up(function_id, version, count, caller, *, session, caches, function, placement):
    """Start ``count`` more workers of a function version; their names."""
    version = versions.number(version)
    caller.authorize(scaling_rule("scale_up", version))
    count = requests_rules.scale_count(count)
    spec = targets.runnable_spec(function_id, version, caller, caches, function, session)
    if spec["code"]["source"] not in SCALABLE_SOURCES:
        raise InvalidInput(f"{spec['code']['source']} functions have no workers to scale.")
    runtime = targets.runtime_view(spec["runtime_id"], caller, caches, session)
    started = placement.scale_up(runtime, function_id, version, Limits.of(spec), count)
    return [worker.name for worker in started]


def scale_down(function_id, version, count, caller, *, caches, function, placement):
    """Stop up to ``count`` workers of a function version, keeping one; their names."""
    version = versions.number(version)
    caller.authorize(scaling_rule("scale_down", version))
    count = requests_rules.scale_count(count)
    targets.check_version(function_id, version, caller, caches, function)
    return placement.scale_down(function_id, version, count)


def detach(function_id, version, caller, *, caches, function, placement):
    """Release every worker of a function version; the next execution starts afresh."""
    version = versions.number(version)
    caller.authorize(scaling_rule("detach", version))
    targets.check_version(function_id, version, caller, caches, function)
    placement.drop_function(function_id, version)


def scaling_rule(action, version):
    """Qinling's policy rule of a scaling ``action`` on version 0 or on a numbered one."""
    return f"function_version:{action}" if version else f"function:{action}"
