"""Webhooks (owned by the trigger service): a URL that runs a function version, or the
version an alias names when it is invoked; optionally signed with a write-only secret."""
from marshmallow import Schema

from qinling_api.schemas import request_fields as rf
from qinling_api.schemas.query_strings import list_query
from qinling_api.schemas.request_schema import RequestSchema
from qinling_api.schemas.response_fields import integer, listed, text, timestamp

SECRET = ("A shared secret (1 to 255 printable ASCII characters), never shown: an invoke must "
          "then carry `X-Qinling-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`.")


def _version(description):
    return rf.IntegerOrDigits(allow_none=True, metadata={
        "description": f"{description} Digits in a string are accepted (the CLI sends them); "
                       f"the trigger service requires 0 to {rf.MAX_VERSION}."})


class WebhookCreate(RequestSchema):
    """``POST /v1/webhooks``: ``function_id`` (and ``function_version``) or
    ``function_alias``."""

    function_id = rf.Text(allow_none=True, metadata={"description": "The function."})
    function_version = _version("Its version (0, the default: the live code).")
    function_alias = rf.Text(allow_none=True, metadata={
        "description": "An alias instead, resolved at each invoke.", "maxLength": 255})
    description = rf.Text(allow_none=True, metadata={"description": "A description.",
                                                         "maxLength": 255})
    secret = rf.Text(allow_none=True, metadata={"description": SECRET, "maxLength": 255})


class WebhookUpdate(RequestSchema):
    """``PUT /v1/webhooks/{id}``: the fields given with a value change."""

    function_id = rf.Text(allow_none=True, metadata={"description": "Another function."})
    function_version = _version("Another version.")
    function_alias = rf.Text(allow_none=True, metadata={
        "description": "An alias instead of the function.", "maxLength": 255})
    description = rf.Text(allow_none=True, metadata={"description": "A description.",
                                                         "maxLength": 255})
    secret = rf.Text(allow_none=True, metadata={
        "description": f"{SECRET} An empty string removes it.", "maxLength": 255})


class Webhook(Schema):
    id = text("The webhook's id.")
    function_id = text("The function it runs, or null with an alias.", nullable=True)
    function_version = integer("The version it runs (0: the live code), or null with an "
                               "alias.", nullable=True)
    function_alias = text("The alias it runs, resolved at each invoke, or null.",
                          nullable=True)
    description = text("Its description.", nullable=True)
    project_id = text("The project that owns it.")
    created_at = timestamp("When it was created.")
    updated_at = timestamp("When it last changed, or null.", nullable=True)
    webhook_url = text("The URL that invokes it (no authentication).")


class WebhookInvoked(Schema):
    execution_id = text("The asynchronous execution it started.")


WebhookQuery = list_query("WebhookQuery", ("created_at", "updated_at"),
                          ("function_id", "function_version", "function_alias", "description"))


WebhookList = listed("webhooks", Webhook, "The webhooks.")
