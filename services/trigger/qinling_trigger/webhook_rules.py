"""Pure rules of webhooks, with Qinling's messages: the fields of a create or an update, the
execution input an invoke's body becomes, and the idempotency key of an invoke."""
import hashlib
import json
from urllib.parse import parse_qsl

from qinling_shared.exceptions import InvalidInput
from qinling_shared.fields import text
from qinling_shared.versions import field as version

from qinling_trigger.webhook_signature import clean_secret

REQUIRED = "Either function_alias or function_id must be provided."
NOT_AN_OBJECT = "Invalid request: an object of fields is required."
DESCRIPTION_LENGTH = 255
IDEMPOTENCY_KEY_LENGTH = 255    # the execution service's limit, which clients know
BAD_IDEMPOTENCY_KEY = ("Invalid Idempotency-Key: at most 255 printable ASCII characters are "
                       "allowed.")


def new_webhook(values):
    """``{function_id, function_version=0 | function_alias, description, secret}`` of
    ``POST /v1/webhooks``. With an alias the function id and version are null, as in Qinling;
    without, an omitted version is 0 (Qinling stored null and crashed on invoke)."""
    if not isinstance(values, dict):
        raise InvalidInput(NOT_AN_OBJECT)
    alias, function = values.get("function_alias"), values.get("function_id")
    if alias in (None, "") and function in (None, ""):
        raise InvalidInput(REQUIRED)
    clean = {"description": text(values, "description", DESCRIPTION_LENGTH),
             "secret": clean_secret(values.get("secret"))}
    if alias not in (None, ""):
        return {**clean, "function_alias": alias_name(alias), "function_id": None,
                "function_version": None}
    return {**clean, "function_alias": None, "function_id": function_id(function),
            "function_version": version(values.get("function_version"))}


def webhook_changes(values, current):
    """The fields a ``PUT /v1/webhooks/{id}`` sets, given the ``current`` target
    (``{function_id, function_version, function_alias}``). Null fields stay; a new alias
    nulls the function id and version, a new function id or version nulls the alias (the
    version then defaults to 0 unless the webhook had one); ``secret: ""`` removes the
    secret."""
    if not isinstance(values, dict):
        raise InvalidInput(NOT_AN_OBJECT)
    changes = {}
    if values.get("description") is not None:
        changes["description"] = text(values, "description", DESCRIPTION_LENGTH)
    if values.get("secret") == "":
        changes["secret"] = None
    elif values.get("secret") is not None:
        changes["secret"] = clean_secret(values["secret"])
    alias, function = values.get("function_alias"), values.get("function_id")
    new_version = values.get("function_version")
    if alias not in (None, ""):
        if function not in (None, "") or new_version is not None:
            raise InvalidInput("Invalid request: function_alias excludes function_id and "
                               "function_version.")
        changes.update(function_alias=alias_name(alias), function_id=None,
                       function_version=None)
    elif function not in (None, "") or new_version is not None:
        target_function = function_id(function) if function not in (None, "") \
            else current["function_id"]
        if target_function is None:
            raise InvalidInput(REQUIRED)
        target_version = version(new_version) if new_version is not None \
            else (current["function_version"] or 0)
        changes.update(function_alias=None, function_id=target_function,
                       function_version=target_version)
    return changes


def webhook_input(body_text):
    """The execution input of an invoke's body, as Qinling made it from the body's
    parameters: a JSON body as it is, form fields as a JSON object of them, any other text
    as a JSON string; nothing for an empty body."""
    if body_text is None or not body_text.strip():
        return None
    try:
        json.loads(body_text)
        return body_text
    except ValueError:
        pass
    try:
        fields = parse_qsl(body_text, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return json.dumps(body_text)
    return json.dumps(dict(fields))


def idempotency_key(webhook_id, client_key):
    """The ``Idempotency-Key`` of the execution an invoke submits, from the client's
    ``Idempotency-Key`` header (``None`` when it sent none or an empty one: no key).

    The client's key is checked as ``POST /v1/executions`` checks it, then scoped to the
    webhook: a repeat on this webhook returns the first execution, and an anonymous caller
    can never reach an execution made with the same key by another webhook or by a client of
    ``/v1/executions``. The key is hashed so that any valid one fits the execution service's
    255 characters."""
    if client_key is None or client_key == "":
        return None
    if (not isinstance(client_key, str) or len(client_key) > IDEMPOTENCY_KEY_LENGTH
            or not (client_key.isascii() and client_key.isprintable())):
        raise InvalidInput(BAD_IDEMPOTENCY_KEY)
    return f"qinling-webhook:{webhook_id}:{hashlib.sha256(client_key.encode()).hexdigest()}"


def description(webhook_id):
    """The description of the executions a webhook starts (Qinling's words)."""
    return f"Created by Webhook {webhook_id}"


def function_id(value):
    if not isinstance(value, str) or len(value) > 36:
        raise InvalidInput("Invalid function_id: a function id is required.")
    return value


def alias_name(value):
    if not isinstance(value, str) or len(value) > 255:
        raise InvalidInput("Invalid function_alias: an alias name is required.")
    return value
