"""List queries: Qinling's filter operators plus limit/marker/sort pagination.

``parse(params, allowed)`` is pure and runs in the gateway (a query string becomes a JSON-safe
``ListQuery`` dict sent over RPC); ``apply(select, model, query)`` runs in the service that owns
the table. Filter values may carry an operator prefix: ``eq: neq: in: nin: gt: gte: lt: lte:
has:`` (``in``/``nin`` take comma lists, ``has`` is a substring match), as Qinling's
``rest_utils.get_filters``. Absent pagination parameters give the full list, as Qinling.
"""
import sqlalchemy as sa

from qinling_shared.exceptions import Forbidden, InvalidInput

OPERATORS = ("eq", "neq", "in", "nin", "gt", "gte", "lt", "lte", "has")
PAGING = ("limit", "marker", "sort_key", "sort_dir")
MAX_LIMIT = 1000


def parse(params, allowed):
    """``{"status": "neq:failed", "limit": "10"}`` → ``{"filters": [[field, op, value]],
    "all_projects": bool, "project_id": str|None, "limit", "marker", "sort_key", "sort_dir"}``.
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
        if name not in allowed:
            raise InvalidInput(f"Invalid filter {name!r}; known: {', '.join(sorted(allowed))}.")
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


def apply(statement, model, query, sortable):
    """Add the filters, sort and page of ``query`` to ``statement`` (a ``select(model)``).

    Values are compared as the column's type (``"1"`` matches an integer column).
    """
    for name, op, value in query.get("filters", ()):
        column = getattr(model, name)
        statement = statement.where(_condition(column, op, value))
    sort_key = query.get("sort_key") or "created_at"
    if sort_key not in sortable:
        raise InvalidInput(f"Invalid sort_key {sort_key!r}; known: {', '.join(sorted(sortable))}.")
    column = getattr(model, sort_key)
    descending = query.get("sort_dir") == "desc"
    order = [column.desc(), model.id.desc()] if descending else [column.asc(), model.id.asc()]
    if query.get("marker"):
        statement = statement.where(_after_marker(statement, model, column, query["marker"],
                                                  descending))
    statement = statement.order_by(*order)
    if query.get("limit"):
        statement = statement.limit(query["limit"])
    return statement


def _typed(column, value):
    python_type = column.type.python_type
    if python_type is bool:
        return str(value).lower() in ("true", "1", "yes")
    try:
        return python_type(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"Invalid value {value!r} for {column.key}.") from None


COMPARISONS = {
    "eq": lambda c, v: c == v, "neq": lambda c, v: c != v, "gt": lambda c, v: c > v,
    "gte": lambda c, v: c >= v, "lt": lambda c, v: c < v, "lte": lambda c, v: c <= v,
}


def _condition(column, op, value):
    if op == "has":
        return column.contains(str(value), autoescape=True)
    if op in ("in", "nin"):
        values = [_typed(column, v) for v in value]
        return column.in_(values) if op == "in" else column.not_in(values)
    if column.type.python_type is bool and op not in ("eq", "neq"):
        raise InvalidInput(f"Invalid filter {column.key!r}: only eq, neq, in and nin apply to it.")
    return COMPARISONS[op](column, _typed(column, value))


def validate(query, allowed):
    """A query received over RPC, checked again where it is applied (never trust the wire)."""
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


def _after_marker(statement, model, column, marker, descending):
    """Keyset pagination: rows strictly after the marker row in the sort order."""
    marker_row = sa.select(column, model.id).where(model.id == marker).subquery()
    marker_value = sa.select(marker_row.c[0]).scalar_subquery()
    marker_id = sa.select(marker_row.c[1]).scalar_subquery()
    if descending:
        return sa.or_(column < marker_value, sa.and_(column == marker_value, model.id < marker_id))
    return sa.or_(column > marker_value, sa.and_(column == marker_value, model.id > marker_id))


def scoped_rows(session, model, query, sortable, project_id, is_admin, filters=None,
                visible=None):
    """The rows a caller may list: its own project's (or the ``visible`` clause, e.g. "own or
    public"), or (admins only) every project's or one named project's; filtered, sorted and
    paged by ``query`` (``parse``'s output), whose filters must be among ``filters``."""
    query = validate(query, filters if filters is not None else
                     {name for name, _, _ in (query or {}).get("filters", [])})
    statement = sa.select(model)
    if query.get("all_projects") or query.get("project_id"):
        if not is_admin:
            raise Forbidden()
        if query.get("project_id"):
            statement = statement.where(model.project_id == query["project_id"])
    else:
        statement = statement.where(model.project_id == project_id if visible is None
                                    else visible)
    marker = query.get("marker")
    if marker and session.get(model, marker) is None:
        raise InvalidInput(f"Invalid marker: no {model.__tablename__} row [id={marker}].")
    return list(session.scalars(apply(statement, model, query, sortable)))
