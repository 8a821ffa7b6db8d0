"""List queries on the wire: Qinling's filter operators plus limit/marker/sort pagination.

``parse(params)`` runs in the gateway: a query string becomes a JSON-safe query dict sent over
RPC. The service that owns the table checks it with ``validate(query, filters)`` against the
filters it declares (the one place they are declared) and applies it
(``qinling_nameko.queries``). Filter values may carry an operator prefix: ``eq: neq: in: nin:
gt: gte: lt: lte: has:`` (``in``/``nin`` take comma lists, ``has`` is a substring match), as
Qinling's ``rest_utils.get_filters``. Absent pagination parameters give the full list, as Qinling.
"""
from qinling_shared.exceptions import InvalidInput

OPERATORS = ("eq", "neq", "in", "nin", "gt", "gte", "lt", "lte", "has")
PAGING = ("limit", "marker", "sort_key", "sort_dir")
MAX_LIMIT = 1000


def parse(params):
    """``{"status": "neq:failed", "limit": "10"}`` → ``{"filters": [[field, op, value]],
    "all_projects": bool, "project_id": str|None, "limit", "marker", "sort_key", "sort_dir"}``.
    Which fields may be filtered is the owning service's rule (``validate``).
    """
    query = {"filters": [], "all_projects": _boolean(params.get("all_projects", "false")),
             "project_id": params.get("project_id") or None,
             "limit": _limit(params.get("limit")), "marker": params.get("marker") or None,
             "sort_key": params.get("sort_key") or "created_at",
             "sort_dir": (params.get("sort_dir") or "asc").lower()}
    if query["sort_dir"] not in ("asc", "desc"):
        raise InvalidInput("Invalid sort_dir: asc or desc is required.")
    for name, raw in params.items():
        if name in PAGING or name in ("all_projects", "project_id"):
            continue
        query["filters"].append([name, *_operator(raw)])
    return query


def _boolean(raw):
    value = str(raw).lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise InvalidInput("Invalid all_projects: true or false is required.")
    return value in ("true", "1", "yes")


def _limit(raw):
    if raw in (None, ""):
        return None
    try:
        limit = int(raw)
    except ValueError:
        raise InvalidInput("Invalid limit: an integer is required.") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"Invalid limit: it must be between 1 and {MAX_LIMIT}.")
    return limit


def _operator(raw):
    op, sep, value = str(raw).partition(":")
    if sep and op in OPERATORS:
        return op, (value.split(",") if op in ("in", "nin") else value)
    return "eq", str(raw)


def validate(query, allowed):
    """A query received over RPC, checked again where it is applied (the owner of the filter names; never trust the wire)."""
    if query is None:
        return {}
    if not isinstance(query, dict) or not isinstance(query.get("filters", []), list):
        raise InvalidInput("Invalid list query.")
    for item in query.get("filters", []):
        if not (isinstance(item, (list, tuple)) and len(item) == 3):
            raise InvalidInput("Invalid list query.")
        name, op, value = item
        if name not in allowed:
            raise InvalidInput(f"Invalid filter {name!r}; known: {', '.join(sorted(allowed))}.")
        if op not in OPERATORS or (op in ("in", "nin")) != isinstance(value, list):
            raise InvalidInput(f"Invalid filter operator {op!r}.")
    return query
