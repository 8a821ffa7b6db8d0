"""Wire errors: raised by services, carried over RPC, mapped to HTTP once, in the gateway.

Each error takes exactly one argument, the message a user sees. They are registered with
nameko so that a service calling another service gets the same typed exception back, not
a generic ``RemoteError``.
"""
from nameko.exceptions import deserialize_to_instance


class QinlingError(Exception):
    """Base of every error a service may raise on purpose."""

    default_message = "Unexpected error."

    def __init__(self, message=None):
        super().__init__(message or self.default_message)

    @property
    def message(self):
        return self.args[0]


@deserialize_to_instance
class InvalidInput(QinlingError):
    default_message = "Invalid input."


@deserialize_to_instance
class NotFound(QinlingError):
    default_message = "Resource not found."


@deserialize_to_instance
class Forbidden(QinlingError):
    default_message = "Operation not allowed"


@deserialize_to_instance
class NotAllowed(QinlingError):
    """The method exists but not for this resource (HTTP 405)."""

    default_message = "Method not allowed."


@deserialize_to_instance
class Conflict(QinlingError):
    default_message = "Conflict."


@deserialize_to_instance
class PayloadTooLarge(QinlingError):
    default_message = "Request body is too large."


@deserialize_to_instance
class Unavailable(QinlingError):
    """A dependency (service, broker, etcd, worker) cannot be reached now."""

    default_message = "Service unavailable."


WIRE_ERRORS = {cls.__name__: cls for cls in (
    InvalidInput, NotFound, Forbidden, NotAllowed, Conflict, PayloadTooLarge, Unavailable,
)}


def from_wire(exc_type, message):
    """Rebuild a wire error from its name and message; ``None`` for an unknown name."""
    cls = WIRE_ERRORS.get(exc_type)
    return cls(message) if cls else None
