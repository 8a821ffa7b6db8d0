"""Does a response match the API's OpenAPI document? The check schemathesis makes, for tests
that drive the API themselves (``services/api`` unit tests, the e2e suite)."""
from openapi_schema_validator import OAS31Validator


def documented_response(document, method, path, status):
    """The response object of ``status`` of the operation ``method path`` (a path template,
    e.g. ``/v1/functions/{id}``); ``None`` when the status is not documented."""
    operation = document["paths"][path][method.lower()]
    response = operation["responses"].get(str(status))
    if response is not None and "$ref" in response:
        response = document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response


def problems(document, method, path, status, media_type, body):
    """What is wrong with a response (``[]``: nothing): an undocumented status or media
    type, or a JSON ``body`` (already decoded) that does not match its schema."""
    response = documented_response(document, method, path, status)
    if response is None:
        return [f"{method} {path}: status {status} is not documented"]
    content = response.get("content", {})
    if not content:
        return [] if body in (None, b"", "") else [f"{method} {path} {status}: body not "
                                                   "documented"]
    if media_type not in content:
        return [f"{method} {path} {status}: {media_type} not in {sorted(content)}"]
    if media_type != "application/json":
        return []
    schema = {**content[media_type]["schema"], "components": document["components"]}
    validator = OAS31Validator(schema)
    return [f"{method} {path} {status}: {'/'.join(map(str, error.absolute_path))}: "
            f"{error.message}" for error in validator.iter_errors(body)]
