"""Workers of a function version (kept by the execution service) and its admin scaling."""
from marshmallow import Schema, fields, validate

from qinling_api.schemas import request_fields as rf
from qinling_api.schemas.request_schema import RequestSchema
from qinling_api.schemas.response_fields import integer, listed, text

MAX_SCALE_STEP = 100  # the execution service's rule (requests_rules.MAX_SCALE_STEP)


class Scale(RequestSchema):
    """``POST .../scale_up`` and ``.../scale_down`` (admin)."""

    count = rf.IntegerOrDigits(required=True, metadata={
        "description": f"How many workers to start or stop: 1 to {MAX_SCALE_STEP} (the "
                       "execution service's rule); digits in a string are accepted."})


class Worker(Schema):
    function_id = text("The function.")
    function_version = integer("The version (0: the live code).")
    worker_name = text("The worker's name.")


WorkerList = listed("workers", Worker, "The version's workers, on every replica.")


class WorkersQuery(Schema):
    function_version = fields.Integer(
        validate=validate.Range(0, rf.MAX_VERSION),
        metadata={"description": "The version (default 0: the live code).", "default": 0})
