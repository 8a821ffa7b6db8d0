"""The body of every error."""
from marshmallow import Schema

from qinling_api.schemas.response_fields import text


class Fault(Schema):
    """Every error: Qinling's body, with the status of the error (4xx, or 503 when a service,
    the broker or a worker cannot be reached)."""

    faultstring = text("What went wrong, in Qinling's words.")
