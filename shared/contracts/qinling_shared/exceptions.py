"""Wire errors: raised by services, carried over RPC, answered over HTTP with their status.

Each error takes exactly one argument, the message a user sees, and carries its HTTP status
(``http_status``): the one table from error to status, used by the gateway and by the storage
service's HTTP endpoint alike. Nameko services register them with Nameko's deserializer
(``qinling_nameko``) so that a service calling another gets the same typed exception back.
"""


class QinlingError(Exception):
    """Base of every error a service may raise on purpose."""

    default_message = "Unexpected error."
    http_status = 500

    def __init__(self, message=None):
        super().__init__(message or self.default_message)

    @property
    def message(self):
        return self.args[0]


class InvalidInput(QinlingError):
    default_message = "Invalid input."
    http_status = 400


class NotFound(QinlingError):
    default_message = "Resource not found."
    http_status = 404


class Unauthorized(QinlingError):
    """The request lacks valid credentials, e.g. a signed webhook invoke's signature."""

    default_message = "Unauthorized."
    http_status = 401


class Forbidden(QinlingError):
    default_message = "Operation not allowed"
    http_status = 403


class NotAllowed(QinlingError):
    """The method exists but not for this resource (HTTP 405)."""

    default_message = "Method not allowed."
    http_status = 405


class Conflict(QinlingError):
    default_message = "Conflict."
    http_status = 409


class PayloadTooLarge(QinlingError):
    default_message = "Request body is too large."
    http_status = 413


class Unavailable(QinlingError):
    """A dependency (service, broker, etcd, worker) cannot be reached now."""

    default_message = "Service unavailable."
    http_status = 503


WIRE_ERRORS = {cls.__name__: cls for cls in (
    InvalidInput, NotFound, Unauthorized, Forbidden, NotAllowed, Conflict, PayloadTooLarge,
    Unavailable,
)}


def from_wire(exc_type, message):
    """Rebuild a wire error from its name and message; ``None`` for an unknown name."""
    cls = WIRE_ERRORS.get(exc_type)
    return cls(message) if cls else None


def wire_error(exc):
    """The wire error class ``exc`` is (or subclasses); ``None`` for anything else."""
    for cls in type(exc).__mro__:
        if WIRE_ERRORS.get(cls.__name__) is cls:
            return cls
    return None
