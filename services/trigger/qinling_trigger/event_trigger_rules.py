"""The fields of an event trigger (``POST`` and ``PUT /v1/event_triggers``): defaults,
rules and messages. Whether the caller may ask for ``all_projects`` (admins only) is the
handler's check."""
import math
import re

from qinling_shared.exceptions import InvalidInput
from qinling_shared.fields import text
from qinling_shared.versions import field as version

DEFAULT_EXCHANGES = ("nova", "cinder", "glance", "neutron", "openstack")
DEFAULT_TOPICS = ("notifications",)
NAME_LENGTH = 255
MAX_NAMES = 16         # exchanges, and topics, of one trigger
MAX_FILTERS = 32
# AMQP 0-9-1 exchange names (and the topics oslo.messaging builds routing keys from)
AMQP_NAME = re.compile(r"[A-Za-z0-9_.:-]+")
EVENT_TYPE = re.compile(r"[\x21-\x7e]+")   # printable ASCII, no space
# the fields of an event trigger a client may set
FIELDS = ("name", "description", "function_id", "function_version", "function_alias",
          "event_type", "exchanges", "topics", "filters", "all_projects")


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
