"""Shapes every resource shares: request and response bases, the fault body, the roots,
``/healthz``, and the query strings of lists and downloads."""
from marshmallow import EXCLUDE, INCLUDE, Schema, fields, post_load, validate

from qinling_shared.listing import MAX_LIMIT, OPERATORS

MAX_VERSION = 2 ** 31 - 1  # qinling_shared.versions.MAX_NUMBER
TIMESTAMP = "UTC time, `YYYY-MM-DDTHH:MM:SSZ`."


class RequestSchema(Schema):
    """A JSON request body: unknown fields are dropped, and so are null ones (Qinling treats
    ``null`` as "not given"). ``service_required`` names the fields the owning service
    requires (with Qinling's ``Required param is missing`` message): the document marks
    them required, the gateway does not check them. ``null_resets`` names the fields whose
    ``null`` is passed on instead (the owning service reads it as "back to the default")."""

    service_required = ()
    null_resets = ()

    class Meta:
        unknown = EXCLUDE

    @post_load
    def drop_nulls(self, data, **kwargs):
        return {name: value for name, value in data.items()
                if value is not None or name in self.null_resets}


def described(field_class, description, nullable=False, required=True, **metadata):
    """A response field (present in every response unless ``required=False``)."""
    return field_class(required=required, allow_none=nullable,
                       metadata={"description": description, **metadata})


def text(description, nullable=False, **metadata):
    return described(fields.String, description, nullable, **metadata)


def integer(description, nullable=False, **metadata):
    return described(fields.Integer, description, nullable, **metadata)


def flag(description, **metadata):
    return described(fields.Boolean, description, **metadata)


def timestamp(description, nullable=False):
    return described(fields.String, f"{description} {TIMESTAMP}", nullable, format="date-time")


def one_of(description, choices, nullable=False):
    return fields.String(required=True, allow_none=nullable, validate=validate.OneOf(choices),
                         metadata={"description": description})


def many(item, description):
    """A response field holding a list of ``item`` objects."""
    return fields.List(fields.Nested(item), required=True, metadata={"description": description})


def listed(key, item, description, name=None):
    """The list envelope Qinling answers with: ``{key: [item, ...]}``."""
    return Schema.from_dict({key: many(item, description)},
                            name=name or f"{item.__name__}List")


class Fault(Schema):
    """Every error: Qinling's body, with the status of the error (4xx, or 503 when a service,
    the broker or a worker cannot be reached)."""

    faultstring = text("What went wrong, in Qinling's words.")


class Link(Schema):
    href = text("The URL of the API version, on the host the client used.")
    target = text("The version's name: `v1`.")
    rel = text("`self`.")


class ApiVersion(Schema):
    id = text("`v1.0`.")
    status = text("`CURRENT`.")
    links = many(Link, "Its links.")


class Versions(Schema):
    """``GET /``: the API versions (no authentication)."""

    versions = many(ApiVersion, "The one version, v1.")


class V1Root(Schema):
    """``GET /v1``: the API's base URL."""

    uri = text("`<scheme>://<host>/v1`, as the client addressed the gateway.")


class Check(Schema):
    """One dependency's health; a service's check adds what its ``ping`` reports."""

    class Meta:
        unknown = INCLUDE  # documented as open: more facts may be reported

    status = one_of("`ok`, or `unavailable`.", ("ok", "unavailable"))
    error = described(fields.String, "Why it is unavailable.", required=False)
    consumers = fields.Dict(keys=fields.String(), values=fields.Integer(), required=False,
                            metadata={"description": "A service's check: the consumers on "
                                                     "each of its queues, by queue name."})


class Health(Schema):
    """``GET /healthz``: 200 when the broker, etcd and every service answer, else 503."""

    class Meta:
        unknown = INCLUDE

    status = one_of("`ok` when every check is.", ("ok", "unavailable"))
    checks = fields.Dict(keys=fields.String(), values=fields.Nested(Check), required=True,
                         metadata={"description": "One check per dependency: `broker`, `etcd`, "
                                                  "`function`, `execution`, `trigger`, `storage`."})


FILTER = ("Filter: `[op:]value`, `op` one of " + ", ".join(OPERATORS)
          + " (`in`/`nin` take a comma list, `has` a substring; default `eq`).")


def list_query(name, sort_keys, filters):
    """The query string of a list: paging, sorting, projects, and the service's filters."""
    query = {
        "limit": fields.Integer(validate=validate.Range(1, MAX_LIMIT),
                                metadata={"description": "At most this many items."}),
        "marker": fields.String(metadata={"description": "Items after the one with this id."}),
        "sort_key": fields.String(validate=validate.OneOf(sort_keys),
                                  metadata={"description": "Default `created_at`."}),
        "sort_dir": fields.String(validate=validate.OneOf(("asc", "desc")),
                                  metadata={"description": "Default `asc`."}),
        "all_projects": fields.Boolean(metadata={
            "description": "Every project's items (admins only; default false)."}),
        "project_id": fields.String(metadata={
            "description": "One project's items (admins only)."}),
    }
    query.update({field: fields.String(metadata={"description": FILTER}) for field in filters})
    return Schema.from_dict(query, name=name)


class DownloadQuery(Schema):
    download = fields.Boolean(metadata={
        "description": "`true` (or 1, yes, on, y, t): the package (a zip) instead of the "
                       "JSON; default false."})
