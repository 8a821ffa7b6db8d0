"""OpenStack notifications as they arrive on RabbitMQ: the message in an AMQP body, its
payload as plain data and its project. No I/O: the consumer passes the body, gets plain data
back.

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
import hashlib
import json

from qinling_shared import jsontext
from qinling_shared.exceptions import InvalidInput

ENVELOPE_VERSION_KEY = "oslo.version"
ENVELOPE_MESSAGE_KEY = "oslo.message"
ENVELOPE_MAJOR = "2"
NOVA_DATA = "nova_object.data"
# the project of a notification: the context first, then these payload fields, in order
CONTEXT_PROJECT_KEYS = ("_context_project_id", "_context_tenant")
PAYLOAD_PROJECT_KEYS = ("tenant_id", "project_id", "owner")


class MalformedNotification(ValueError):
    """A message that is no notification: the consumer logs it and acks it (drops it)."""


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
