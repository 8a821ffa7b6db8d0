"""Every operation of the v1 API: its route, schemas and the statuses it answers with.

One row per route of ``routes.py`` (the unit tests check both ways). Every operation may be
refused up front (400 malformed request, 413 too large, 415 unsupported encoding); one that
calls a service may also answer 503 (a service, the broker or a worker cannot be reached).
A response is ``None`` (no body), a schema class (JSON) or a ``{media type: schema}`` dict.
"""
import dataclasses

from qinling_api.schemas import (aliases, event_triggers, executions, functions, jobs,
                                 query_strings, runtimes, service_info, versions, webhooks,
                                 workers)
from qinling_api.views.executions import IDEMPOTENCY_KEY

UP_FRONT = (400, 413, 415)
RPC = (*UP_FRONT, 503)
FUNCTION = "/v1/functions/{id}"
VERSION = FUNCTION + "/versions/{version}"
ZIP = {"application/zip": {"type": "string", "format": "binary"}}
TEXT = {"text/plain": {"type": "string"}}
KEY_SCHEMA = {"type": "string", "maxLength": 255, "pattern": "^[ -~]*$"}  # printable ASCII


def idempotency_key(repeat):
    """The optional ``Idempotency-Key`` header; ``repeat`` says what a repeat of it returns
    (the execution service's rule: at most 255 printable ASCII characters)."""
    return {"in": "header", "name": IDEMPOTENCY_KEY, "required": False, "schema": KEY_SCHEMA,
            "description": "Optional: at most 255 printable ASCII characters (400 otherwise; "
                           f"empty: no key). {repeat}"}


@dataclasses.dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    tag: str
    summary: str
    responses: dict           # status -> None, a schema class or {media type: schema}
    faults: tuple = RPC
    query: type | None = None
    body: object = None       # a request schema class, or {media type: schema class}
    body_required: bool = True
    headers: tuple = ()       # OpenAPI header parameters


def op(method, path, operation_id, tag, summary, responses, *extra_faults, local=False,
       **kwargs):
    """An operation; ``extra_faults`` are the statuses beyond ``RPC`` (beyond ``UP_FRONT``
    for ``local`` ones, answered by the gateway alone)."""
    faults = tuple(sorted({*(UP_FRONT if local else RPC), *extra_faults}))
    return Operation(method, path, operation_id, tag, summary, responses, faults, **kwargs)


def root_operations():
    return [
        op("GET", "/", "list_api_versions", "root", "API versions (no authentication).",
           {200: service_info.Versions}, local=True),
        op("GET", "/v1", "get_v1_root", "root", "The v1 API's base URL.",
           {200: service_info.V1Root}, local=True),
        op("GET", "/v1/", "get_v1_root_slash", "root", "The same, with a trailing slash.",
           {200: service_info.V1Root}, local=True),
        op("GET", "/healthz", "get_health", "root",
           "Health of the broker, etcd and every service: 200 when all answer, else 503.",
           {200: service_info.Health, 503: service_info.Health}, local=True),
        op("GET", "/metrics", "get_metrics", "root",
           "Metrics of the platform, in the Prometheus text format (no authentication; "
           "200 whatever is down: see docs/operations.md).",
           {200: {"text/plain": {"type": "string"}}}, local=True),
        op("GET", "/v1/openapi.json", "get_openapi_document", "root",
           "This document (OpenAPI 3.1; no authentication).",
           {200: {"application/json": {"type": "object"}}}, local=True),
        op("GET", "/v1/api-ref", "get_api_reference", "root",
           "This document as a readable HTML page (no authentication).",
           {200: {"text/html": {"type": "string"}}}, local=True),
    ]


def runtime_operations():
    by_id = "/v1/runtimes/{id}"
    return [
        op("POST", "/v1/runtimes", "create_runtime", "runtimes",
           "Register a runtime (admin); it is `creating` until its pool is ready.",
           {201: runtimes.Runtime}, 403, body=runtimes.RuntimeCreate),
        op("GET", "/v1/runtimes", "list_runtimes", "runtimes",
           "The project's runtimes and every public one.", {200: runtimes.RuntimeList}, 403,
           query=runtimes.RuntimeQuery),
        op("GET", by_id, "get_runtime", "runtimes", "A runtime.", {200: runtimes.Runtime}, 404),
        op("PUT", by_id, "update_runtime", "runtimes",
           "Change a runtime's name, description or image (admin).", {200: runtimes.Runtime},
           403, 404, 409, body=runtimes.RuntimeUpdate),
        op("DELETE", by_id, "delete_runtime", "runtimes",
           "Delete a runtime no function uses (admin).", {204: None}, 403, 404),
        op("GET", by_id + "/pool", "get_runtime_pool", "runtimes",
           "A runtime's workers (admin).", {200: runtimes.RuntimePool}, 404),
    ]


def function_operations():
    create = {"multipart/form-data": functions.FunctionCreateMultipart,
              "application/x-www-form-urlencoded": functions.FunctionCreateForm,
              "application/json": functions.FunctionCreate}
    update = {"multipart/form-data": functions.FunctionUpdateMultipart,
              "application/x-www-form-urlencoded": functions.FunctionUpdateForm,
              "application/json": functions.FunctionUpdate}
    return [
        op("POST", "/v1/functions", "create_function", "functions",
           "Create a function: a package (multipart with the `package` file), a swift object "
           "or an image.", {201: functions.Function}, 404, 409, body=create),
        op("GET", "/v1/functions", "list_functions", "functions",
           "The project's functions (`code` as JSON text).", {200: functions.FunctionList},
           403, query=functions.FunctionQuery),
        op("GET", FUNCTION, "get_function", "functions",
           "A function, or with `download=true` its package.",
           {200: {"application/json": functions.Function, **ZIP}}, 404, 405,
           query=query_strings.DownloadQuery),
        op("PUT", FUNCTION, "update_function", "functions",
           "Change a function; new code or limits take effect at its next execution.",
           {200: functions.Function}, 403, 404, 409, body=update),
        op("DELETE", FUNCTION, "delete_function", "functions",
           "Delete a function no alias, job, webhook or event trigger uses.", {204: None},
           403, 404),
    ]


def worker_operations():
    listing = {200: workers.WorkerList}
    rows = [
        op("GET", FUNCTION + "/workers", "list_workers", "workers",
           "The workers of a function version (admin).", listing, 404,
           query=workers.WorkersQuery),
        op("GET", FUNCTION + "/workers/", "list_workers_slash", "workers",
           "The same, with a trailing slash (as tempest asks).", listing, 404,
           query=workers.WorkersQuery),
    ]
    for target, suffix, what in ((FUNCTION, "function", "the function's live code"),
                                 (VERSION, "version", "a version")):
        rows += [
            op("POST", target + "/scale_up", f"scale_up_{suffix}", "workers",
               f"Start `count` more workers of {what} (admin).", {202: None}, 404, 409,
               body=workers.Scale),
            op("POST", target + "/scale_down", f"scale_down_{suffix}", "workers",
               f"Stop up to `count` workers of {what}, keeping one (admin).", {202: None},
               404, body=workers.Scale),
            op("POST", target + "/detach", f"detach_{suffix}", "workers",
               f"Release every worker of {what} (admin; no body).", {202: None}, 404),
        ]
    return rows


def version_operations():
    return [
        op("POST", FUNCTION + "/versions", "create_version", "versions",
           "Snapshot a package function's code and configuration as a new version.",
           {201: versions.Version}, 403, 404, 409, body=versions.VersionCreate,
           body_required=False),
        op("GET", FUNCTION + "/versions", "list_versions", "versions",
           "A function's versions.", {200: versions.VersionList}, 404),
        op("GET", VERSION, "get_version", "versions",
           "A version, or with `download=true` its package.",
           {200: {"application/json": versions.Version, **ZIP}}, 404, 405,
           query=query_strings.DownloadQuery),
        op("DELETE", VERSION, "delete_version", "versions",
           "Delete a version no alias, job, webhook or event trigger uses.", {204: None},
           403, 404),
    ]


def alias_operations():
    by_name = "/v1/aliases/{name}"
    rows = []
    for prefix, suffix in (("/v1/aliases", ""), ("/v1//aliases", "_tempest")):
        said = "" if not suffix else " (tempest's spelling of the path)"
        rows += [
            op("POST", prefix, f"create_alias{suffix}", "aliases",
               f"Name a function version{said}.", {201: aliases.Alias}, 404, 409,
               body=aliases.AliasCreate),
            op("GET", prefix, f"list_aliases{suffix}", "aliases",
               f"The project's aliases{said}.", {200: aliases.AliasList}, 403,
               query=aliases.AliasQuery),
        ]
    return rows + [
        op("GET", by_name, "get_alias", "aliases", "An alias.", {200: aliases.Alias}, 404),
        op("PUT", by_name, "update_alias", "aliases", "Point an alias elsewhere.",
           {200: aliases.Alias}, 404, 409, body=aliases.AliasUpdate),
        op("DELETE", by_name, "delete_alias", "aliases", "Delete an alias.", {204: None}, 404),
    ]


def execution_operations():
    by_id = "/v1/executions/{id}"
    return [
        op("POST", "/v1/executions", "create_execution", "executions",
           "Run a function (or the version an alias names), synchronously or not.",
           {201: executions.Execution}, 403, 404, 409, body=executions.ExecutionCreate,
           headers=(idempotency_key("A repeat of the key in the project returns the first "
                                    "execution (as it is now) instead of running again."),)),
        op("GET", "/v1/executions", "list_executions", "executions", "The project's executions.",
           {200: executions.ExecutionList}, 403, query=executions.ExecutionQuery),
        op("GET", by_id, "get_execution", "executions", "An execution.",
           {200: executions.Execution}, 404),
        op("DELETE", by_id, "delete_execution", "executions", "Delete an execution.",
           {204: None}, 404),
        op("GET", by_id + "/log", "get_execution_log", "executions",
           "What the function printed.", {200: TEXT}, 404),
        op("POST", by_id + "/cancel", "cancel_execution", "executions",
           "Cancel a running execution: its run is stopped.", {202: executions.Execution},
           404, 409),
    ]


def webhook_operations():
    by_id = "/v1/webhooks/{id}"
    return [
        op("POST", "/v1/webhooks", "create_webhook", "webhooks",
           "A URL that runs a function version, or an alias's version when invoked.",
           {201: webhooks.Webhook}, 404, body=webhooks.WebhookCreate),
        op("GET", "/v1/webhooks", "list_webhooks", "webhooks", "The project's webhooks.",
           {200: webhooks.WebhookList}, 403, query=webhooks.WebhookQuery),
        op("GET", by_id, "get_webhook", "webhooks", "A webhook.", {200: webhooks.Webhook}, 404),
        op("PUT", by_id, "update_webhook", "webhooks", "Change a webhook's target, "
           "description or secret.", {200: webhooks.Webhook}, 404,
           body=webhooks.WebhookUpdate),
        op("DELETE", by_id, "delete_webhook", "webhooks", "Delete a webhook.", {204: None},
           404),
        op("POST", by_id + "/invoke", "invoke_webhook", "webhooks",
           "Run the webhook's target asynchronously with the body as input (no "
           "authentication; with a secret, the X-Qinling-Signature-256 header).",
           {202: webhooks.WebhookInvoked}, 401, 404,
           body={"application/json": {"type": "object"}}, body_required=False,
           headers=(idempotency_key("A repeat of the key on this webhook returns the first "
                                    "execution's id instead of running again."),)),
    ]


def job_operations():
    by_id = "/v1/jobs/{id}"
    return [
        op("POST", "/v1/jobs", "create_job", "jobs",
           "Run a function version, or an alias's version when it fires, on a cron pattern "
           "or once at a time (asynchronous executions).", {201: jobs.Job}, 404,
           body=jobs.JobCreate),
        op("GET", "/v1/jobs", "list_jobs", "jobs", "The project's jobs.",
           {200: jobs.JobList}, 403, query=jobs.JobQuery),
        op("GET", by_id, "get_job", "jobs", "A job.", {200: jobs.Job}, 404),
        op("PUT", by_id, "update_job", "jobs", "Change a job's name, input, pattern or next "
           "time; pause, resume or cancel it.", {200: jobs.Job}, 404, body=jobs.JobUpdate),
        op("DELETE", by_id, "delete_job", "jobs", "Delete a job.", {204: None}, 404),
    ]


def event_trigger_operations():
    by_id = "/v1/event_triggers/{id}"
    schema = event_triggers.EventTrigger
    return [
        op("POST", "/v1/event_triggers", "create_event_trigger", "event_triggers",
           "Run a function version, or an alias's version when it fires, on each OpenStack "
           "notification that matches (asynchronous executions).", {201: schema}, 403, 404,
           body=event_triggers.EventTriggerCreate),
        op("GET", "/v1/event_triggers", "list_event_triggers", "event_triggers",
           "The project's event triggers.", {200: event_triggers.EventTriggerList}, 403,
           query=event_triggers.EventTriggerQuery),
        op("GET", by_id, "get_event_trigger", "event_triggers", "An event trigger.",
           {200: schema}, 404),
        op("PUT", by_id, "update_event_trigger", "event_triggers",
           "Change an event trigger's target, event type, exchanges, topics, filters, "
           "projects, name or description.", {200: schema}, 403, 404,
           body=event_triggers.EventTriggerUpdate),
        op("DELETE", by_id, "delete_event_trigger", "event_triggers",
           "Delete an event trigger.", {204: None}, 404),
    ]


def all_operations():
    return [*root_operations(), *runtime_operations(), *function_operations(),
            *worker_operations(), *version_operations(), *alias_operations(),
            *execution_operations(), *webhook_operations(), *job_operations(),
            *event_trigger_operations()]
