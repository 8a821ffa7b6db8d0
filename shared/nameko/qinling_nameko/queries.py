"""List queries applied where the rows live: a ``qinling_shared.listing`` query dict as SQL.

Values are compared as the column's type; keyset pagination after a marker row; tenancy
(``scoped_rows``): a caller lists its own project's rows unless the policy lets it ask for all
projects or a named one.
"""
import sqlalchemy as sa

from qinling_shared.exceptions import Forbidden, InvalidInput
from qinling_shared.listing import validate


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


def _after_marker(statement, model, column, marker, descending):
    """Keyset pagination: rows strictly after the marker row in the sort order."""
    marker_row = sa.select(column, model.id).where(model.id == marker).subquery()
    marker_value = sa.select(marker_row.c[0]).scalar_subquery()
    marker_id = sa.select(marker_row.c[1]).scalar_subquery()
    if descending:
        return sa.or_(column < marker_value, sa.and_(column == marker_value, model.id < marker_id))
    return sa.or_(column > marker_value, sa.and_(column == marker_value, model.id > marker_id))


def scoped_rows(session, model, query, sortable, project_id, may_list_all, filters,
                visible=None):
    """The rows a caller may list: its own project's (or the ``visible`` clause, e.g. "own or
    public"), or (if ``may_list_all``: the policy's ``<resource>:get_all:all_projects``)
    every project's or one named project's; filtered, sorted and paged by ``query``
    (``parse``'s output), whose filters must be among ``filters``."""
    query = validate(query, filters)
    statement = sa.select(model)
    if query.get("all_projects") or query.get("project_id"):
        if not may_list_all:
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
