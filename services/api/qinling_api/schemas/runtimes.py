"""Runtimes (owned by the execution service, which checks every field: ``runtime_rules``;
the gateway passes the JSON object on as it came)."""
from marshmallow import Schema, fields

from qinling_api.schemas.query_strings import list_query
from qinling_api.schemas.request_schema import RequestSchema
from qinling_api.schemas.response_fields import flag, integer, listed, one_of, text, timestamp

STATUSES = ("creating", "available", "upgrading", "error", "deleting")


def _text(description):
    return fields.String(allow_none=True, metadata={"description": description,
                                                    "maxLength": 255})


class RuntimeCreate(RequestSchema):
    """``POST /v1/runtimes`` (admin)."""

    service_required = ("image",)
    image = _text("The container image (Kubernetes) or the local runtime, e.g. `python3`.")
    name = _text("A name.")
    description = _text("A description.")
    is_public = fields.Boolean(allow_none=True, metadata={
        "description": "Visible to every project (default true)."})
    trusted = fields.Boolean(allow_none=True, metadata={"description": "Default true."})


class RuntimeUpdate(RequestSchema):
    """``PUT /v1/runtimes/{id}``: only these fields are applied, those given with a value;
    a new image needs the runtime `available` (409) and unused (403)."""

    name = _text("A new name.")
    description = _text("A new description.")
    image = _text("A new image: the runtime is `upgrading` until its pool moved to it.")


class Runtime(Schema):
    id = text("The runtime's id.")
    name = text("Its name.", nullable=True)
    description = text("Its description.", nullable=True)
    image = text("Its image.")
    status = one_of("`creating`, then `available` or `error`; `upgrading` while its image "
                    "changes; `deleting`.", STATUSES)
    is_public = flag("Visible to every project.")
    trusted = flag("Trusted (kept from Qinling).")
    project_id = text("The project that owns it.")
    created_at = timestamp("When it was created.")
    updated_at = timestamp("When it last changed, or null.", nullable=True)


class Capacity(Schema):
    total = integer("Workers of the runtime.")
    available = integer("Idle workers not bound to a function.")


class RuntimePool(Schema):
    """``GET /v1/runtimes/{id}/pool`` (admin)."""

    name = text("The runtime's id.")
    capacity = fields.Nested(Capacity, required=True)


RuntimeQuery = list_query("RuntimeQuery", ("created_at", "updated_at", "status"),
                          ("name", "description", "image", "status", "is_public", "trusted"))


RuntimeList = listed("runtimes", Runtime, "The runtimes.")
