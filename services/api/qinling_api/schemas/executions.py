"""Executions (owned by the execution service)."""
from marshmallow import Schema

from qinling_api.schemas import request_fields as rf
from qinling_api.schemas.query_strings import list_query
from qinling_api.schemas.request_schema import RequestSchema
from qinling_api.schemas.response_fields import flag, integer, listed, one_of, text, timestamp

STATUSES = ("running", "success", "failed", "error", "cancelled")


class ExecutionCreate(RequestSchema):
    """``POST /v1/executions``: a function (``function_id``, ``function_version``) or an
    alias; an ``Idempotency-Key`` header makes a repeat return the first execution."""

    function_id = rf.Text(allow_none=True, metadata={
        "description": "The function (this or `function_alias` is required)."})
    function_alias = rf.Text(allow_none=True, metadata={
        "description": "An alias, resolved now, instead of `function_id`."})
    function_version = rf.Int64(allow_none=True, metadata={
        "description": "The version (default 0: the live code; not negative)."})
    sync = rf.Flag(allow_none=True, metadata={
        "description": "Wait for the result (default true); false: queued durably, answered "
                       "`running`."})
    input = rf.TextOrObject(allow_none=True, metadata={
        "description": "JSON text of an object (keyword arguments) or any other text (one "
                       "positional argument); an object is taken as keyword arguments too."})
    description = rf.Text(allow_none=True, metadata={"description": "A description.",
                                                     "maxLength": 255})


class Execution(Schema):
    id = text("The execution's id.")
    function_id = text("The function that ran (an alias is resolved to it).")
    function_version = integer("The version that ran (0: the live code).")
    function_alias = text("The alias it was asked by, or null.", nullable=True)
    description = text("Its description.", nullable=True)
    status = one_of("`running`, then `success`, `failed` (the function failed), `error` (the "
                    "platform could not run it) or `cancelled`.", STATUSES)
    sync = flag("Whether the caller waited for it.")
    input = text("The input as given: the text, or the JSON text of an object.", nullable=True)
    result = text("JSON text (Qinling's quirk) of `{\"output\": ..., \"duration\": s}`; "
                  "`{}` while running.", nullable=True)
    project_id = text("The project that owns it.")
    created_at = timestamp("When it was created.")
    updated_at = timestamp("When it last changed, or null.", nullable=True)


ExecutionQuery = list_query(
    "ExecutionQuery", ("created_at", "updated_at", "status"),
    ("function_id", "function_version", "function_alias", "status", "description", "sync"))


ExecutionList = listed("executions", Execution, "The executions.")
