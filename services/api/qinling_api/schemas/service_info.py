"""What the gateway says of itself: the API versions (``GET /``), the v1 root (``GET /v1``)
and the health of the platform (``GET /healthz``)."""
from marshmallow import INCLUDE, Schema, fields

from qinling_api.schemas.response_fields import described, many, one_of, text


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
