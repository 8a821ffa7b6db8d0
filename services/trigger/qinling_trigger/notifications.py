"""Pure rules of event triggers: OpenStack notifications as they arrive on RabbitMQ, which
trigger each one matches, what the execution it starts receives, the fields of a trigger and
the queue bindings it needs. No I/O: the consumer passes the message, gets plain data back.

The wire formats are oslo.messaging's (``Notifier`` with the ``messaging``/``messagingv2``
drivers on the rabbit transport):

* the AMQP body is JSON; with ``messagingv2`` it is the envelope
  ``{"oslo.version": "2.0", "oslo.message": "<the message as a JSON string>"}``, with the
  older ``messaging`` driver the message itself (v1, bare);
* the message is ``{message_id, publisher_id, event_type, priority, payload, timestamp}`` plus
  the request context flattened as ``_context_<key>`` (``_context_project_id``...); Glance sends
  an empty context;
* Nova's versioned notifications (topic ``versioned_notifications``) carry the payload as an
  object ``{"nova_object.name", "nova_object.namespace", "nova_object.version",
  "nova_object.data": {...}}``, nested objects alike: ``payload`` here is the plain data.
"""
import fnmatch
import hashlib
import json
import math
import re

from qinling_shared import jsontext
from qinling_shared.exceptions import InvalidInput

ENVELOPE_VERSION_KEY = "oslo.version"
ENVELOPE_MESSAGE_KEY = "oslo.message"
ENVELOPE_MAJOR = "2"
NOVA_DATA = "nova_object.data"
# the project of a notification: the context first, then these payload fields, in order
CONTEXT_PROJECT_KEYS = ("_context_project_id", "_context_tenant")
PAYLOAD_PROJECT_KEYS = ("tenant_id", "project_id", "owner")
INPUT_FIELDS = ("event_type", "publisher_id", "timestamp", "payload", "message_id")

DEFAULT_EXCHANGES = ("nova", "cinder", "glance", "neutron", "openstack")
DEFAULT_TOPICS = ("notifications",)
NAME_LENGTH = 255
TEXT_LENGTH = 255
MAX_NAMES = 16         # exchanges, and topics, of one trigger
MAX_FILTERS = 32
# AMQP 0-9-1 exchange names (and the topics oslo.messaging builds routing keys from)
AMQP_NAME = re.compile(r"[A-Za-z0-9_.:-]+")
EVENT_TYPE = re.compile(r"[\x21-\x7e]+")   # printable ASCII, no space
KEY_PREFIX = "event-trigger"
IDEMPOTENCY_KEY_LENGTH = 255
# the fields of an event trigger a client may set
FIELDS = ("name", "description", "function_id", "function_version", "function_alias",
          "event_type", "exchanges", "topics", "filters", "all_projects")


class MalformedNotification(ValueError):
    """A message that is no notification: the consumer logs it and acks it (drops it)."""


# --- unwrapping -----------------------------------------------------------------------------

def unwrap(body):
    """The notification in an AMQP body (bytes, text or the already decoded JSON value), as
    ``{event_type, publisher_id, timestamp, priority, payload, message_id, project}``.

    ``payload`` is plain data (Nova's versioned objects unwrapped). ``message_id`` is the
    publisher's, or, when a publisher sent none, ``"sha256:<hex>"`` of the message's content,
    so that a redelivered copy keeps its id. Raises ``MalformedNotification``.
    """
    message = _message(_decode(body, "body"))
    event_type = message.get("event_type")
    if not isinstance(event_type, str) or not event_type:
        raise MalformedNotification("Malformed notification: no event_type.")
    payload = plain(message.get("payload"))
    message_id = message.get("message_id")
    if not isinstance(message_id, str) or not message_id:
        message_id = content_id(message)
    return {
        "event_type": event_type,
        "publisher_id": _text_or_none(message.get("publisher_id")),
        "timestamp": _text_or_none(message.get("timestamp")),
        "priority": _text_or_none(message.get("priority")),
        "payload": payload,
        "message_id": message_id,
        "project": project_of(message, payload),
    }


def _decode(value, what):
    if isinstance(value, (bytes, bytearray, memoryview, str)):
        try:
            return jsontext.loads(value, f"Malformed notification {what}")
        except (ValueError, RecursionError) as error:   # InvalidInput is no ValueError
            raise MalformedNotification(f"Malformed notification: the {what} is not JSON "
                                        f"({error}).") from None
        except InvalidInput as error:
            raise MalformedNotification(str(error)) from None
    try:   # decoded by kombu already: still no lone surrogate (no serializer could send it)
        surrogate = jsontext.has_lone_surrogate(value)
    except RecursionError:
        raise MalformedNotification("Malformed notification: JSON nesting too deep.") from None
    if surrogate:
        raise MalformedNotification(
            f"Malformed notification {what}: invalid Unicode (a lone surrogate).")
    return value


def _message(value):
    """The message of a v2 envelope, or a v1 bare message."""
    if not isinstance(value, dict):
        raise MalformedNotification("Malformed notification: not a JSON object.")
    if ENVELOPE_MESSAGE_KEY not in value and ENVELOPE_VERSION_KEY not in value:
        return value
    version = value.get(ENVELOPE_VERSION_KEY)
    if not isinstance(version, str) or version.split(".")[0] != ENVELOPE_MAJOR:
        raise MalformedNotification(
            f"Malformed notification: unsupported envelope version {version!r} (2.x).")
    raw = value.get(ENVELOPE_MESSAGE_KEY)
    if not isinstance(raw, str):
        raise MalformedNotification(
            "Malformed notification: the envelope's oslo.message is not a JSON string.")
    message = _decode(raw, "oslo.message")
    if not isinstance(message, dict):
        raise MalformedNotification(
            "Malformed notification: the envelope's oslo.message is not a JSON object.")
    return message


def _text_or_none(value):
    return value if isinstance(value, str) else None


def plain(value):
    """``value`` with every Nova versioned object replaced by its ``nova_object.data``."""
    if isinstance(value, dict):
        if NOVA_DATA in value and isinstance(value[NOVA_DATA], dict):
            value = value[NOVA_DATA]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def content_id(message):
    """A stable id of a message that has none: ``sha256:`` and the digest of its content."""
    content = {k: v for k, v in message.items() if k != "message_id"}
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(text.encode("ascii")).hexdigest()


def project_of(message, payload):
    """The project a notification belongs to: ``_context_project_id`` (older contexts:
    ``_context_tenant``), else the payload's ``tenant_id``, ``project_id`` or ``owner``;
    ``None`` when none is a non-empty string."""
    candidates = [message.get(key) for key in CONTEXT_PROJECT_KEYS]
    if isinstance(payload, dict):
        candidates += [payload.get(key) for key in PAYLOAD_PROJECT_KEYS]
    return next((c for c in candidates if isinstance(c, str) and c), None)


# --- matching -------------------------------------------------------------------------------

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


# --- validation -----------------------------------------------------------------------------

def new_event_trigger(values, default_exchanges=DEFAULT_EXCHANGES):
    """The fields of ``POST /v1/event_triggers`` with their defaults, once they keep the
    rules; ``InvalidInput`` otherwise. Whether the caller may ask for ``all_projects`` (admins
    only) is the service's check."""
    if values.get("event_type") in (None, ""):
        raise InvalidInput("Required param is missing. Required: {'event_type'}")
    clean = {"name": text(values, "name"), "description": text(values, "description")}
    clean.update(target(values))
    clean["event_type"] = event_type(values["event_type"])
    clean["exchanges"] = names(values.get("exchanges"), "exchanges", default_exchanges)
    clean["topics"] = names(values.get("topics"), "topics", DEFAULT_TOPICS)
    clean["filters"] = filters(values.get("filters"))
    clean["all_projects"] = flag(values.get("all_projects"), "all_projects")
    return clean


def event_trigger_changes(values, default_exchanges=DEFAULT_EXCHANGES):
    """The changes of ``PUT /v1/event_triggers/{id}``: only the fields given. Setting
    ``function_alias`` clears ``function_id`` and ``function_version``; setting
    ``function_id`` clears the alias (``function_version`` then defaults to 0). ``null``
    restores the default of ``exchanges``, ``topics``, ``filters`` and ``all_projects``."""
    given = {field for field in FIELDS if field in values}
    clean = {}
    for field in given & {"name", "description"}:
        clean[field] = text(values, field)
    if given & {"function_id", "function_alias"}:
        clean.update(target(values))
    elif "function_version" in given:
        clean["function_version"] = version(values["function_version"])
    if "event_type" in given:
        if values["event_type"] in (None, ""):
            raise InvalidInput("Invalid event_type: it must not be empty.")
        clean["event_type"] = event_type(values["event_type"])
    if "exchanges" in given:
        clean["exchanges"] = names(values["exchanges"], "exchanges", default_exchanges)
    if "topics" in given:
        clean["topics"] = names(values["topics"], "topics", DEFAULT_TOPICS)
    if "filters" in given:
        clean["filters"] = filters(values["filters"])
    if "all_projects" in given:
        clean["all_projects"] = flag(values["all_projects"], "all_projects")
    if not clean:
        raise InvalidInput(f"Nothing to update: give one of {', '.join(FIELDS)}.")
    return clean


def text(values, name, max_length=TEXT_LENGTH):
    value = values.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"Invalid {name}: a string is required.")
    if len(value) > max_length:
        raise InvalidInput(f"Invalid {name}: at most {max_length} characters.")
    return value


def version(value):
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput("Invalid function_version: a non-negative integer is required.")
    return value


def target(values):
    """The function a trigger runs: ``function_id`` with ``function_version`` (default 0),
    or ``function_alias`` (resolved when the trigger fires), never both."""
    function_id, alias = values.get("function_id"), values.get("function_alias")
    if function_id in (None, "") and alias in (None, ""):
        raise InvalidInput("Either function_alias or function_id must be provided.")
    if function_id not in (None, "") and alias not in (None, ""):
        raise InvalidInput("Only one of function_alias and function_id may be provided.")
    if alias not in (None, ""):
        if values.get("function_version") not in (None, 0):
            raise InvalidInput("function_version can not be given with function_alias.")
        return {"function_id": None, "function_version": None,
                "function_alias": text(values, "function_alias")}
    return {"function_id": text(values, "function_id", 36),
            "function_version": version(values.get("function_version")),
            "function_alias": None}


def event_type(value):
    if not isinstance(value, str):
        raise InvalidInput("Invalid event_type: a string is required.")
    if len(value) > NAME_LENGTH or not EVENT_TYPE.fullmatch(value):
        raise InvalidInput(f"Invalid event_type {value!r}: a glob such as "
                           f"'compute.instance.create.*' of at most {NAME_LENGTH} printable "
                           "ASCII characters without spaces is required.")
    return value


def names(value, field, default):
    """A list of exchange or topic names; ``None`` gives the default. Duplicates are
    dropped, the order kept."""
    if value is None:
        return list(default)
    if not isinstance(value, list) or not value:
        raise InvalidInput(f"Invalid {field}: a non-empty list of names is required.")
    for name in value:
        if (not isinstance(name, str) or len(name) > NAME_LENGTH
                or not AMQP_NAME.fullmatch(name) or name.startswith("amq.")):
            raise InvalidInput(
                f"Invalid {field}: {name!r} is not a name of at most {NAME_LENGTH} letters, "
                "digits, '-', '_', '.' or ':' (and 'amq.' is reserved).")
    unique = list(dict.fromkeys(value))
    if len(unique) > MAX_NAMES:
        raise InvalidInput(f"Invalid {field}: at most {MAX_NAMES} names.")
    return unique


def filters(value):
    """An object of dotted payload paths to the JSON scalars they must equal."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidInput("Invalid filters: an object of dotted payload paths to values "
                           "is required.")
    if len(value) > MAX_FILTERS:
        raise InvalidInput(f"Invalid filters: at most {MAX_FILTERS} paths.")
    for path, expected in value.items():
        if (not isinstance(path, str) or not path or len(path) > NAME_LENGTH
                or "" in path.split(".")):
            raise InvalidInput(f"Invalid filters: {path!r} is not a dotted payload path such "
                               "as 'image_meta.os'.")
        if isinstance(expected, float) and not math.isfinite(expected):
            expected = [expected]   # refused below
        if expected is not None and not isinstance(expected, (str, int, float, bool)):
            raise InvalidInput(f"Invalid filters: the value of {path!r} must be a string, "
                               "number, boolean or null.")
    return dict(value)


def flag(value, name):
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InvalidInput(f"Invalid {name}: true or false is required.")
    return value
