"""Handlers of event triggers. Ports: ``db`` (the session), ``caller``, ``function`` (RPC
proxy of the function service), ``default_exchanges`` (``[trigger]
notification_exchanges``), ``keystone`` (``qinling_nameko.keystone``, or ``None``) and, for
a notification, ``submit`` (a callable ``(project_id, values, key, trust_id=)`` that submits
an async execution as that project, through the trigger's trust).

The rules of the fields are ``event_trigger_rules``'; those of a notification and of
matching are ``notification_envelopes``' and ``notification_matching``'. The target must
exist in the caller's own project, as a webhook's (``webhooks.check_target``).
"""
import json
import logging
import uuid

import sqlalchemy as sa

from qinling_nameko import queries
from qinling_nameko.database import get_scoped
from qinling_nameko.keystone import drop_trust, dropped_on_failure, make_trust
from qinling_shared.exceptions import Forbidden, InvalidInput, QinlingError

from qinling_trigger import (event_trigger_rules, notification_envelopes, notification_matching,
                             usage)
from qinling_trigger.models import EventTrigger
from qinling_trigger.webhooks import check_target

LOG = logging.getLogger(__name__)
EVENT_TRIGGER_FILTERS = frozenset(("name", "function_id", "function_version",
                                   "function_alias", "event_type", "description"))
EVENT_TRIGGER_SORTABLE = ("created_at", "updated_at")
ALL_PROJECTS_FORBIDDEN = "Only an admin may create an event trigger for all projects."


def create_event_trigger(values, *, db, caller, function, default_exchanges, keystone=None):
    """With Keystone, the trigger keeps a trust of its creator, which its executions act
    through (``qinling_nameko.keystone``)."""
    caller.authorize("event_trigger:create")
    clean = event_trigger_rules.new_event_trigger(values, default_exchanges)
    check_all_projects(caller, clean)
    check_target(function, caller, clean)
    trigger = EventTrigger(id=str(uuid.uuid4()), project_id=caller.project_id,
                           trust_id=make_trust(keystone, caller), **clean)
    with dropped_on_failure(keystone, trigger.trust_id, caller):
        db.add(trigger)
        db.commit()
    return trigger.to_dict()


def list_event_triggers(query, *, db, caller):
    caller.authorize("event_trigger:get_all")
    rows = queries.scoped_rows(db, EventTrigger, query or {}, EVENT_TRIGGER_SORTABLE,
                               caller.project_id, caller.may_list_all("event_trigger"),
                               filters=EVENT_TRIGGER_FILTERS)
    return [row.to_dict() for row in rows]


def get_event_trigger(trigger_id, *, db, caller):
    caller.authorize("event_trigger:get")
    return visible(db, caller, trigger_id).to_dict()


def update_event_trigger(trigger_id, values, *, db, caller, function, default_exchanges):
    caller.authorize("event_trigger:update")
    trigger = visible(db, caller, trigger_id)
    changes = event_trigger_rules.event_trigger_changes(values, default_exchanges)
    check_all_projects(caller, changes)
    if "function_id" in changes:   # a new target (function or alias)
        check_target(function, caller, changes)
    elif "function_version" in changes:
        if trigger.function_alias:
            raise InvalidInput(
                "function_version can not be given with function_alias.")
        check_target(function, caller, {"function_alias": None,
                                        "function_id": trigger.function_id,
                                        "function_version": changes["function_version"]})
    for field, value in changes.items():
        setattr(trigger, field, value)
    db.commit()
    return trigger.to_dict()


def delete_event_trigger(trigger_id, *, db, caller, keystone=None):
    caller.authorize("event_trigger:delete")
    trigger = visible(db, caller, trigger_id)
    db.delete(trigger)
    db.commit()
    drop_trust(keystone, trigger.trust_id, caller)


def function_usage(function_id, version, *, db):
    """How many event triggers run ``function_id`` (at ``version`` unless it is ``None``);
    those naming an alias do not count, as webhooks."""
    return usage.count(db, EventTrigger, function_id, version)


def bindings(db):
    """The queue bindings every event trigger together needs."""
    rows = db.execute(sa.select(EventTrigger.exchanges, EventTrigger.topics))
    return notification_matching.all_bindings(
        [{"exchanges": exchanges, "topics": topics} for exchanges, topics in rows])


def handle_notification(body, exchange, routing_key, *, db, submit):
    """Start the executions of the triggers a notification matches; their ids. A malformed
    message is logged and dropped (``[]``); a target that is gone is logged and skipped.
    Any other failure of a submit propagates, so that the consumer redelivers the
    notification (each submit is idempotent by trigger and message)."""
    try:
        notification = notification_envelopes.unwrap(body)
    except notification_envelopes.MalformedNotification as exc:
        LOG.warning("dropped a message from exchange %r, routing key %r: %s", exchange,
                    routing_key, exc)
        return []
    started = []
    for trigger in candidates(db, notification["project"]):
        fields = trigger.to_dict()
        if not (notification_matching.routed_to(fields, exchange, routing_key)
                and notification_matching.matches(fields, notification)):
            continue
        values = {**trigger.target(), "sync": False,
                  "input": json.dumps(notification_matching.execution_input(notification)),
                  "description": notification_matching.execution_description(trigger.id)}
        key = notification_matching.idempotency_key(trigger.id, notification["message_id"])
        try:
            started.append(submit(trigger.project_id, values, key,
                                  trust_id=trigger.trust_id)["id"])
        except QinlingError as exc:   # the function, version or alias is gone: nothing runs
            LOG.warning("event trigger %s: %s %s not run: %s", trigger.id,
                        notification["event_type"], notification["message_id"], exc)
    return started


def candidates(db, project):
    """The triggers that may want a notification of ``project``: that project's, and those
    of every project."""
    scope = EventTrigger.all_projects.is_(True)
    if project is not None:
        scope = sa.or_(scope, EventTrigger.project_id == project)
    return list(db.scalars(sa.select(EventTrigger).where(scope)))


def check_all_projects(caller, clean):
    if clean.get("all_projects") and not caller.is_admin:
        raise Forbidden(ALL_PROJECTS_FORBIDDEN)


def visible(db, caller, trigger_id):
    return get_scoped(db, EventTrigger, trigger_id, caller.project_id, caller.is_admin,
                      not_found(trigger_id))


def not_found(trigger_id):
    return f"Event trigger not found [id={trigger_id}]"
