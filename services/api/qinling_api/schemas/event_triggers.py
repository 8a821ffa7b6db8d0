"""Event triggers (owned by the trigger service): a function version, or the version an alias
names when it fires, run on each OpenStack notification read from RabbitMQ whose event type
matches a glob, of the trigger's project (or of any, for an admin's ``all_projects``), whose
payload holds the ``filters``. The trigger service checks the rules; the gateway checks the
JSON types."""
from marshmallow import Schema, fields

from qinling_api.schemas import request_fields as rf
from qinling_api.schemas.query_strings import list_query
from qinling_api.schemas.request_schema import RequestSchema
from qinling_api.schemas.response_fields import flag, integer, listed, text, timestamp

NAME_LENGTH = 255   # of the name, description, event type and each exchange or topic
MAX_NAMES = 16      # exchanges, and topics, of one trigger
MAX_FILTERS = 32
AMQP_NAME = r"^[A-Za-z0-9_.:-]+$"
GLOB = r"^[!-~]+$"   # printable ASCII, no space
DEFAULT_EXCHANGES = ("nova", "cinder", "glance", "neutron", "openstack")
DEFAULT_TOPICS = ("notifications",)

EVENT_TYPE = ("A glob (`fnmatch`, case-sensitive: `*`, `?`, `[seq]`) of the notifications' "
              "event type, such as `compute.instance.create.*`: printable ASCII without "
              f"spaces, at most {NAME_LENGTH} characters.")
NAMES = (f"a non-empty list of at most {MAX_NAMES} names (letters, digits, `-`, `_`, `.`, "
         f"`:`; at most {NAME_LENGTH} characters; not starting with `amq.`); duplicates "
         "are dropped.")
EXCHANGES = ("The RabbitMQ exchanges whose notifications it reads: " + NAMES + " Default: "
             + ", ".join(f"`{e}`" for e in DEFAULT_EXCHANGES)
             + ", or the operator's `[trigger] notification_exchanges`.")
TOPICS = ("The notification topics (oslo.messaging's `[oslo_messaging_notifications] "
          "topics`): " + NAMES + " Default: `notifications`; Nova's versioned notifications "
          "are on `versioned_notifications`.")
FILTERS = (f"At most {MAX_FILTERS} dotted payload paths (such as `image_meta.os_type`) each "
           "mapped to the JSON string, number, boolean or null the payload must hold there "
           "(`true` is not `1`). Default: none.")
ALL_PROJECTS = ("Whether notifications of every project match (admins only: 403 for "
                "others); default false: only those of the trigger's project (the "
                "notification's `_context_project_id`, else its payload's `tenant_id`, "
                "`project_id` or `owner`).")
RESET = " `null` restores the default."


def _version(description):
    return rf.IntegerOrDigits(allow_none=True, metadata={
        "description": f"{description} Digits in a string are accepted; the trigger service "
                       f"requires 0 to {rf.MAX_VERSION}."})


def _names(description):
    return rf.TextList(allow_none=True, item_metadata={
        "pattern": AMQP_NAME, "maxLength": NAME_LENGTH},
        metadata={"description": description, "minItems": 1, "maxItems": MAX_NAMES})


def _filters(description):
    return rf.ScalarObject(allow_none=True, metadata={"description": description,
                                                      "maxProperties": MAX_FILTERS})


class EventTriggerCreate(RequestSchema):
    """``POST /v1/event_triggers``: an ``event_type``, and ``function_id`` (and
    ``function_version``) or ``function_alias``."""

    service_required = ("event_type",)

    name = rf.Text(allow_none=True, metadata={"description": "A name.",
                                              "maxLength": NAME_LENGTH})
    description = rf.Text(allow_none=True, metadata={"description": "A description.",
                                                     "maxLength": NAME_LENGTH})
    function_id = rf.Text(allow_none=True, metadata={"description": "The function."})
    function_version = _version("Its version (0, the default: the live code).")
    function_alias = rf.Text(allow_none=True, metadata={
        "description": "An alias instead, resolved each time the trigger fires.",
        "maxLength": NAME_LENGTH})
    event_type = rf.Text(allow_none=True, metadata={"description": EVENT_TYPE,
                                                    "maxLength": NAME_LENGTH,
                                                    "pattern": GLOB})
    exchanges = _names(EXCHANGES)
    topics = _names(TOPICS)
    filters = _filters(FILTERS)
    all_projects = rf.Flag(allow_none=True, metadata={"description": ALL_PROJECTS})


class EventTriggerUpdate(RequestSchema):
    """``PUT /v1/event_triggers/{id}``: the fields given change. A function clears the alias
    and an alias the function; ``null`` restores the default of ``exchanges``, ``topics``,
    ``filters`` and ``all_projects`` (and leaves any other field as it is)."""

    null_resets = ("exchanges", "topics", "filters", "all_projects")

    name = rf.Text(allow_none=True, metadata={"description": "A name.",
                                              "maxLength": NAME_LENGTH})
    description = rf.Text(allow_none=True, metadata={"description": "A description.",
                                                     "maxLength": NAME_LENGTH})
    function_id = rf.Text(allow_none=True, metadata={
        "description": "Another function (its `function_version` defaults to 0)."})
    function_version = _version("Another version.")
    function_alias = rf.Text(allow_none=True, metadata={
        "description": "An alias instead of the function.", "maxLength": NAME_LENGTH})
    event_type = rf.Text(allow_none=True, metadata={
        "description": "Another glob. " + EVENT_TYPE, "maxLength": NAME_LENGTH,
        "pattern": GLOB})
    exchanges = _names(EXCHANGES + RESET)
    topics = _names(TOPICS + RESET)
    filters = _filters("Other filters (they replace the old ones). " + FILTERS + RESET)
    all_projects = rf.Flag(allow_none=True, metadata={"description": ALL_PROJECTS + RESET})


class EventTrigger(Schema):
    id = text("The event trigger's id.")
    name = text("Its name.", nullable=True)
    description = text("Its description.", nullable=True)
    function_id = text("The function it runs, or null with an alias.", nullable=True)
    function_version = integer("The version it runs (0: the live code), or null with an "
                               "alias.", nullable=True)
    function_alias = text("The alias it runs, resolved when it fires, or null.",
                          nullable=True)
    event_type = text("The glob of the event types it matches.")
    exchanges = fields.List(fields.String(), required=True, metadata={
        "description": "The RabbitMQ exchanges it reads."})
    topics = fields.List(fields.String(), required=True, metadata={
        "description": "The notification topics it reads."})
    filters = fields.Dict(keys=fields.String(), values=rf.Scalar(), required=True, metadata={
        "description": "The values its matches' payloads hold, by dotted path (may be "
                       "empty)."})
    all_projects = flag("Whether notifications of every project match.")
    project_id = text("The project that owns it (its executions run there).")
    created_at = timestamp("When it was created.")
    updated_at = timestamp("When it last changed, or null.", nullable=True)


EventTriggerQuery = list_query(
    "EventTriggerQuery", ("created_at", "updated_at"),
    ("name", "function_id", "function_version", "function_alias", "event_type",
     "description"))

EventTriggerList = listed("event_triggers", EventTrigger, "The event triggers.")
