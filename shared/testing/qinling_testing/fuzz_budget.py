"""How many cases schemathesis generates for each operation of a document, and its
configuration for a reproducible run (pure: the caller reads the wanted total)."""
import math

import schemathesis

SEED = 9
# Operations that run a function synchronously are slow: this share of the others' cases.
SLOW_OPERATIONS = {"create_execution": 0.25}


def operation_weights(document, slow=SLOW_OPERATIONS):
    """``{operation id: weight}``: 1, or its ``slow`` share, or 0 for an operation that takes
    no input at all (no parameter, no body): a few cases exhaust it."""
    return {operation["operationId"]:
            slow.get(operation["operationId"], 1.0)
            if operation.get("parameters") or operation.get("requestBody") else 0.0
            for item in document["paths"].values() for operation in item.values()}


def examples_per_operation(total, weights):
    """``{operation id: max examples}``: ``total`` shared out in proportion to ``weights``,
    each share rounded up (so that they add up to at least ``total``), and at least 1."""
    unit = total / (sum(weights.values()) or 1)
    return {op: max(1, math.ceil(unit * weight)) for op, weight in weights.items()}


def fuzz_config(document, total, seed=SEED):
    """A schemathesis configuration: derandomized generation without an example database
    (the same cases on every run), every phase but the stateful one, and each operation's
    share of ``total`` in the fuzzing phase."""
    shares = examples_per_operation(total, operation_weights(document))
    return schemathesis.Config.from_dict({
        "seed": seed,
        "generation": {"deterministic": True, "database": "none"},
        "phases": {"stateful": {"enabled": False}},
        "operations": [{"include-operation-id": op, "generation": {"max-examples": n}}
                       for op, n in shares.items()],
    })
