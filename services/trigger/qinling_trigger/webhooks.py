"""Handlers of webhooks. Ports: ``db`` (the session), ``caller``, ``function`` (RPC proxy
of that service) and ``submit`` (submits an async execution as a project).

A webhook's target must exist in the caller's project when it is set: the function (and its
version > 0) or the alias; an alias is resolved again by the execution service at each
invoke, so repointing it redirects the next invoke.
"""
import uuid

from qinling_nameko import queries
from qinling_nameko.database import get_scoped
from qinling_shared.exceptions import NotFound, Unauthorized

from qinling_trigger import usage, webhook_rules, webhook_signature
from qinling_trigger.models import Webhook

WEBHOOK_FILTERS = frozenset(("function_id", "function_version", "function_alias",
                             "description"))
WEBHOOK_SORTABLE = ("created_at", "updated_at")


def create_webhook(values, *, db, caller, function):
    caller.authorize("webhook:create")
    clean = webhook_rules.new_webhook(values)
    check_target(function, caller, clean)
    webhook = Webhook(id=str(uuid.uuid4()), project_id=caller.project_id, **clean)
    db.add(webhook)
    db.commit()
    return webhook.to_dict()


def list_webhooks(query, *, db, caller):
    caller.authorize("webhook:get_all")
    rows = queries.scoped_rows(db, Webhook, query or {}, WEBHOOK_SORTABLE, caller.project_id,
                               caller.may_list_all("webhook"), filters=WEBHOOK_FILTERS)
    return [row.to_dict() for row in rows]


def get_webhook(webhook_id, *, db, caller):
    caller.authorize("webhook:get")
    return visible(db, caller, webhook_id).to_dict()


def update_webhook(webhook_id, values, *, db, caller, function):
    caller.authorize("webhook:update")
    webhook = visible(db, caller, webhook_id)
    changes = webhook_rules.webhook_changes(values, {
        "function_id": webhook.function_id, "function_version": webhook.function_version,
        "function_alias": webhook.function_alias})
    if "function_id" in changes:
        check_target(function, caller, changes)
    for field, value in changes.items():
        setattr(webhook, field, value)
    db.commit()
    return webhook.to_dict()


def delete_webhook(webhook_id, *, db, caller):
    caller.authorize("webhook:delete")
    db.delete(visible(db, caller, webhook_id))
    db.commit()


def invoke_webhook(webhook_id, body_text, signature_header, *, db, submit,
                   idempotency_key=None, request_key=None):
    """Anyone may invoke by id (no authentication, as Qinling); a webhook with a secret
    needs the body's signature (``Unauthorized`` otherwise, and nothing runs). Submits an
    asynchronous execution of the target with the body as input, as the webhook's project
    (``submit(project_id, values, key, request_key=...)``: the caller is anonymous); its id.

    Exactly once, as ``POST /v1/executions``: a repeat of the client's ``idempotency_key``
    on this webhook (``webhook_rules.idempotency_key``) returns the first execution, and so
    does a redelivery of the request, by the gateway's ``request_key`` (one per HTTP
    request)."""
    webhook = db.get(Webhook, webhook_id) if isinstance(webhook_id, str) else None
    if webhook is None:
        raise NotFound(not_found(webhook_id))
    try:
        webhook_signature.verify(webhook.secret, body_text or "", signature_header)
    except webhook_signature.SignatureRejected as exc:
        raise Unauthorized(str(exc)) from None
    key = webhook_rules.idempotency_key(webhook.id, idempotency_key)
    values = {**webhook.target(), "sync": False,
              "description": webhook_rules.description(webhook.id),
              "input": webhook_rules.webhook_input(body_text)}
    made = submit(webhook.project_id, values, key, request_key=request_key)
    return {"execution_id": made["id"]}


def function_usage(function_id, version, *, db):
    """How many webhooks run ``function_id`` (at ``version`` unless it is ``None``); those
    naming an alias do not count (deleting the function is not blocked by them, as Qinling)."""
    return usage.count(db, Webhook, function_id, version)


def check_target(function, caller, clean):
    """The alias, or the function and its version (> 0), must exist in the caller's own
    project, even for admins ("Even admin user can not expose normal user's function")."""
    if clean["function_alias"]:
        function.resolve_alias(clean["function_alias"])  # the caller's project's aliases
        return
    function_id = clean["function_id"]
    if function.get_function(function_id)["project_id"] != caller.project_id:
        raise NotFound(f"Function not found [id={function_id}]")
    if clean["function_version"]:
        function.get_version(function_id, clean["function_version"])


def visible(db, caller, webhook_id):
    return get_scoped(db, Webhook, webhook_id, caller.project_id, caller.is_admin,
                      not_found(webhook_id))


def not_found(webhook_id):
    return f"Webhook not found [id={webhook_id}]"
