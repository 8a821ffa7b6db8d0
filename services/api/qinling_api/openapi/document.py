"""The OpenAPI 3.1 document, made by apispec from the schemas and the operation table."""
import functools
import inspect

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls

from qinling_api.openapi.operations import all_operations
from qinling_api.schemas.fault import Fault
from qinling_api.schemas.request_fields import MAX_VERSION

TITLE = "Qinling API"
VERSION = "1.0"
DESCRIPTION = (
    "Qinling's v1 REST API (Function as a Service). Every error is `{\"faultstring\": ...}` "
    "with a 4xx status, or 503 when a service, the broker or a worker cannot be reached. "
    "The gateway checks the shape of a request; the service that owns a resource checks its "
    "rules. Without Keystone every request runs as project `default` with admin rights.")
TAGS = {
    "root": "Version discovery, health and this document.",
    "runtimes": "Language environments functions run in (execution service).",
    "functions": "Functions and their packages (function service).",
    "workers": "The workers of a function version and their admin scaling.",
    "versions": "Immutable snapshots of a package function.",
    "aliases": "Project-unique names of function versions.",
    "executions": "Runs of a function (execution service).",
    "webhooks": "URLs that run a function, optionally signed (trigger service).",
    "jobs": "Functions run on a cron pattern or once at a time (trigger service).",
    "event_triggers": "Functions run on OpenStack notifications read from RabbitMQ "
                      "(trigger service).",
}
FAULTS = {
    400: ("BadRequest", "The request is malformed (body, encoding, headers, a field's type) "
                        "or breaks a rule of the service that owns the resource."),
    401: ("Unauthorized", "The webhook's signature is missing, malformed or wrong."),
    403: ("Forbidden", "Not allowed: the resource is in use, or admin rights are needed."),
    404: ("NotFound", "No such resource."),
    405: ("NotAllowed", "Not allowed for this resource (an image function has no package)."),
    409: ("Conflict", "The resource's state does not allow it now."),
    413: ("PayloadTooLarge", "The request body (or package) is too large."),
    415: ("UnsupportedMediaType", "The request's encoding is not supported."),
    503: ("Unavailable", "A service, the broker or a worker cannot be reached now."),
}
PATH_PARAMETERS = {
    "id": {"type": "string", "minLength": 1},
    "name": {"type": "string", "minLength": 1},
    "version": {"type": "integer", "minimum": 0, "maximum": MAX_VERSION},
}
PATH_DESCRIPTIONS = {"id": "The {}'s id.", "name": "The alias's name.",
                     "version": "The version number (0: the function's live code)."}
OWNER = {"runtimes": "runtime", "executions": "execution", "webhooks": "webhook",
         "jobs": "job", "event_triggers": "event trigger"}


def union_property(self, field, **kwargs):
    """The ``anyOf`` of a request field that takes several JSON types (``openapi``)."""
    variants = getattr(field, "openapi", {}).get("anyOf")
    if not variants:
        return {}
    return {"anyOf": [*variants, *([{"type": "null"}] if field.allow_none else [])]}


class ContractPlugin(MarshmallowPlugin):
    """Marshmallow's plugin, plus union fields and the fields a service requires."""

    def init_spec(self, spec):
        super().init_spec(spec)
        self.converter.add_attribute_function(union_property)

    def schema_helper(self, name, _, schema=None, **kwargs):
        definition = super().schema_helper(name, _, schema=schema, **kwargs)
        cls = resolve_schema_cls(schema)
        if cls.__doc__:
            definition.setdefault("description", described(cls.__doc__))
        owned = getattr(cls, "service_required", ())
        required = [*definition.get("required", []), *owned]
        if required:
            definition["required"] = sorted(set(required), key=required.index)
        for name in owned:  # null means "not given": not a value of a required field
            not_null(definition["properties"][name])
        return definition


def described(docstring):
    """A schema's description: its docstring's text, in Markdown's code quotes."""
    return " ".join(inspect.cleandoc(docstring).split()).replace("``", "`")


def not_null(prop):
    """``prop`` without its ``null`` type or variant."""
    if isinstance(prop.get("type"), list):
        kinds = [kind for kind in prop["type"] if kind != "null"]
        prop["type"] = kinds[0] if len(kinds) == 1 else kinds
    if "anyOf" in prop:
        prop["anyOf"] = [variant for variant in prop["anyOf"] if variant != {"type": "null"}]


@functools.cache
def build():
    """The document as a dict (JSON-ready); made once per process (treat it as read-only)."""
    spec = APISpec(TITLE, VERSION, "3.1.0", plugins=[ContractPlugin()],
                   info={"description": DESCRIPTION},
                   tags=[{"name": n, "description": d} for n, d in TAGS.items()])
    spec.components.schema("Fault", schema=Fault)
    for status, (name, description) in FAULTS.items():
        spec.components.response(name, {"description": description, "content": {
            "application/json": {"schema": "Fault"}}})
    paths = {}
    for operation in all_operations():
        paths.setdefault(operation.path, {})[operation.method.lower()] = operation_of(operation)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def operation_of(operation):
    result = {"operationId": operation.operation_id, "tags": [operation.tag],
              "summary": operation.summary, "responses": responses_of(operation)}
    parameters = [path_parameter(name, operation.tag) for name in names_in(operation.path)]
    if operation.query is not None:
        parameters.append({"in": "query", "schema": operation.query})
    parameters.extend(operation.headers)
    if parameters:
        result["parameters"] = parameters
    if operation.body is not None:
        body = operation.body
        media = body if isinstance(body, dict) else {"application/json": body}
        result["requestBody"] = {"required": operation.body_required,
                                 "content": {m: {"schema": s} for m, s in media.items()}}
    return result


def responses_of(operation):
    responses = {}
    for status, body in operation.responses.items():
        response = {"description": "No content." if body is None else "Success."}
        if body is not None:
            media = body if isinstance(body, dict) else {"application/json": body}
            response["content"] = {m: {"schema": s} for m, s in media.items()}
        responses[str(status)] = response
    for status in operation.faults:
        responses.setdefault(str(status), FAULTS[status][0])
    return responses


def names_in(path):
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def path_parameter(name, tag):
    owner = OWNER.get(tag, "function")
    return {"in": "path", "name": name, "required": True,
            "description": PATH_DESCRIPTIONS[name].format(owner),
            "schema": PATH_PARAMETERS[name]}
