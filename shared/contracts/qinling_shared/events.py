"""Event names (past tense) and the service that dispatches each.

Payloads are plain JSON objects; every payload carries the resource ``id``.
"""

FUNCTION_CREATED = "function_created"
FUNCTION_UPDATED = "function_updated"
FUNCTION_DELETED = "function_deleted"
RUNTIME_UPDATED = "runtime_updated"
RUNTIME_DELETED = "runtime_deleted"
VERSION_CREATED = "version_created"
VERSION_DELETED = "version_deleted"
ALIAS_UPDATED = "alias_updated"
ALIAS_DELETED = "alias_deleted"

SOURCES = {
    FUNCTION_CREATED: "function",
    FUNCTION_UPDATED: "function",
    FUNCTION_DELETED: "function",
    RUNTIME_UPDATED: "execution",
    RUNTIME_DELETED: "execution",
    VERSION_CREATED: "function",
    VERSION_DELETED: "function",
    ALIAS_UPDATED: "function",
    ALIAS_DELETED: "function",
}
