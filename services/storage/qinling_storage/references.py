"""What a download reference names: a stored package, or an object in Swift. Pure.

Package keys made by the service are always ``<project_id>/<uuid>.zip`` (two segments).
``swift/<container>/<object>`` (three or more segments; the object name may hold '/')
names an object of the ``[swift]`` account: code of a function whose source is Swift.
"""
import dataclasses

from qinling_shared.exceptions import InvalidInput

SWIFT_PREFIX = "swift/"
MAX_CONTAINER_LENGTH = 256
MAX_OBJECT_LENGTH = 1024


@dataclasses.dataclass(frozen=True)
class SwiftObject:
    container: str
    name: str

    @property
    def reference(self):
        return f"{SWIFT_PREFIX}{self.container}/{self.name}"


def swift_object(container, name):
    """A checked :class:`SwiftObject`; ``InvalidInput`` for an unusable name."""
    if not isinstance(container, str) or not container or "/" in container:
        raise InvalidInput("Swift container name must be a non-empty string without '/'.")
    if not isinstance(name, str) or not name:
        raise InvalidInput("Swift object name must be a non-empty string.")
    if len(container) > MAX_CONTAINER_LENGTH or len(name) > MAX_OBJECT_LENGTH:
        raise InvalidInput(f"Swift container names are at most {MAX_CONTAINER_LENGTH} "
                           f"characters, object names at most {MAX_OBJECT_LENGTH}.")
    if any(ord(ch) < 32 for ch in container + name):
        raise InvalidInput("Swift names must not contain control characters.")
    return SwiftObject(container, name)


def parse_swift(key):
    """The :class:`SwiftObject` that ``key`` references, or ``None`` for a package key."""
    if not isinstance(key, str) or not key.startswith(SWIFT_PREFIX) or key.count("/") < 2:
        return None
    container, name = key[len(SWIFT_PREFIX):].split("/", 1)
    return swift_object(container, name)
