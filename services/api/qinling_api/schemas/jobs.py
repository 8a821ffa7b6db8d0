"""Jobs (owned by the trigger service): a function (or an alias, resolved when the job fires)
run on a cron pattern or once at a time. The trigger service checks the rules and answers
Qinling's exact 400 messages; the gateway checks the JSON types."""
from marshmallow import Schema

from qinling_api.schemas import request_fields as rf
from qinling_api.schemas.query_strings import list_query
from qinling_api.schemas.request_schema import RequestSchema
from qinling_api.schemas.response_fields import integer, listed, one_of, text, timestamp

STATUSES = ("running", "paused", "done", "cancelled")
PATTERN = ("A 5-field cron pattern (or an `@daily`-style shortcut), UTC; no length limit.")
TIME = ("A time dateutil reads, at least a minute ahead; one with a UTC offset is converted, "
        "one without is UTC.")


class JobCreate(RequestSchema):
    """``POST /v1/jobs``: a target, and ``pattern`` and/or ``first_execution_time``."""

    name = rf.Text(allow_none=True, metadata={"description": "A name.", "maxLength": 255})
    function_id = rf.Text(allow_none=True, metadata={"description": "The function."})
    function_version = rf.IntegerOrDigits(allow_none=True, metadata={
        "description": f"Its version (0, the default: the live code); 0 to {rf.MAX_VERSION}."})
    function_alias = rf.Text(allow_none=True, metadata={
        "description": "An alias instead, resolved each time the job fires.",
        "maxLength": 255})
    function_input = rf.Text(allow_none=True, metadata={
        "description": "The input of each execution (text; no length limit)."})
    pattern = rf.Text(allow_none=True, metadata={"description": PATTERN})
    first_execution_time = rf.Text(allow_none=True, metadata={"description": TIME})
    count = rf.Int64(allow_none=True, metadata={
        "description": "How many times it runs (a positive integer; default: once for a "
                       "one-shot job, forever for a cron job)."})


class JobUpdate(RequestSchema):
    """``PUT /v1/jobs/{id}``: the fields given with a value change."""

    name = rf.Text(allow_none=True, metadata={"description": "A name.", "maxLength": 255})
    function_input = rf.Text(allow_none=True, metadata={"description": "Another input."})
    status = rf.Text(allow_none=True, metadata={
        "description": "`paused`, `running` (resume) or `cancelled`."})
    pattern = rf.Text(allow_none=True, metadata={
        "description": f"Another pattern (a cron job's only). {PATTERN}"})
    next_execution_time = rf.Text(allow_none=True, metadata={"description": TIME})


class Job(Schema):
    id = text("The job's id.")
    name = text("Its name.", nullable=True)
    project_id = text("The project that owns it.")
    function_id = text("The function it runs, or null with an alias.", nullable=True)
    function_version = integer("The version it runs (0: the live code).")
    function_alias = text("The alias it runs, resolved when it fires, or null.",
                          nullable=True)
    function_input = text("The input of each execution.", nullable=True)
    pattern = text("Its cron pattern, or null for a one-shot job.", nullable=True)
    status = one_of("Its status.", STATUSES)
    count = integer("Runs left, or null (forever).", nullable=True)
    first_execution_time = timestamp("Its first tick.", nullable=True)
    next_execution_time = timestamp("Its next tick (its last one once finished).")
    created_at = timestamp("When it was created.")
    updated_at = timestamp("When it last changed, or null.", nullable=True)


JobQuery = list_query("JobQuery", ("created_at", "updated_at", "next_execution_time"),
                      ("name", "function_id", "function_version", "function_alias",
                       "status", "pattern"))

JobList = listed("jobs", Job, "The jobs.")
