"""Which event trigger an OpenStack notification (``notification_envelopes.unwrap``'s
output) starts, what the execution receives, its idempotency key, and the queue bindings the
triggers need. Pure rules."""
import fnmatch
import hashlib

INPUT_FIELDS = ("event_type", "publisher_id", "timestamp", "payload", "message_id")
KEY_PREFIX = "event-trigger"
IDEMPOTENCY_KEY_LENGTH = 255


MISSING = object()


def lookup(payload, path):
    """The value at the dotted ``path`` of ``payload`` (objects only), else ``MISSING``."""
    value = payload
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return MISSING
        value = value[key]
    return value


def same(expected, actual):
    """JSON equality of a filter's scalar and a payload value: ``true`` is not ``1``, ``1``
    is ``1.0``, and an object or array never equals a scalar."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, (int, float)):
        return isinstance(actual, (int, float)) and expected == actual
    if expected is None:
        return actual is None
    return isinstance(actual, str) and expected == actual


def matches(trigger, notification):
    """Whether ``trigger`` (``event_type`` glob, ``project_id``, ``all_projects``,
    ``filters``) wants ``notification`` (from ``unwrap``).

    The glob has ``fnmatch`` semantics, case-sensitive. Without ``all_projects`` the
    notification's project must be the trigger's (a notification of no project matches no
    such trigger). Each filter's path must exist in the payload and hold the value.
    """
    if not fnmatch.fnmatchcase(notification["event_type"], trigger["event_type"]):
        return False
    if not trigger.get("all_projects") and (
            notification["project"] is None or notification["project"] != trigger["project_id"]):
        return False
    payload = notification["payload"]
    return all(same(value, lookup(payload, path))
               for path, value in (trigger.get("filters") or {}).items())


def topic_of(routing_key):
    """The topic of a notification's routing key ``<topic>.<priority>``."""
    return routing_key.rpartition(".")[0] if "." in routing_key else routing_key


def routed_to(trigger, exchange, routing_key):
    """Whether a message that came from ``exchange`` with ``routing_key`` is on one of
    ``trigger``'s exchanges and topics (its queue is shared with every other trigger's)."""
    return exchange in trigger["exchanges"] and topic_of(routing_key) in trigger["topics"]


def execution_input(notification):
    """The input of the execution a match starts."""
    return {field: notification[field] for field in INPUT_FIELDS}


def execution_description(trigger_id):
    """The description of such an execution, naming the trigger as jobs and webhooks do."""
    return f"Created by Event trigger {trigger_id}"


def idempotency_key(trigger_id, message_id):
    """``event-trigger:<trigger id>:<message id>``: a redelivered notification starts no
    second execution. The execution service takes at most 255 printable ASCII characters:
    a message id that does not fit is replaced by ``sha256:`` and its hex digest."""
    key = f"{KEY_PREFIX}:{trigger_id}:{message_id}"
    if len(key) <= IDEMPOTENCY_KEY_LENGTH and key.isascii() and key.isprintable():
        return key
    digest = hashlib.sha256(str(message_id).encode("utf-8", "surrogatepass")).hexdigest()
    key = f"{KEY_PREFIX}:{trigger_id}:sha256:{digest}"
    if len(key) > IDEMPOTENCY_KEY_LENGTH or not (key.isascii() and key.isprintable()):
        raise ValueError(f"Trigger id {trigger_id!r} makes no valid idempotency key.")
    return key


# --- bindings -------------------------------------------------------------------------------

def queue_bindings(exchanges, topics, durable=False):
    """The bindings a trigger's queue needs, each exchange declared as oslo.messaging
    declares it (topic type, ``durable`` = its ``amqp_durable_queues``, default false, not
    auto-deleted) and bound with ``<topic>.*`` (every priority: ``notifications.info``,
    ``notifications.error``...)."""
    return [{"exchange": exchange, "exchange_type": "topic", "durable": durable,
             "auto_delete": False, "routing_key": f"{topic}.*"}
            for exchange in exchanges for topic in topics]


def all_bindings(triggers, durable=False):
    """The bindings of several triggers, each once, in a stable order."""
    seen = {}
    for trigger in triggers:
        for binding in queue_bindings(trigger["exchanges"], trigger["topics"], durable):
            seen.setdefault((binding["exchange"], binding["routing_key"]), binding)
    return [seen[key] for key in sorted(seen)]
