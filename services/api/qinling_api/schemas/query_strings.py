"""The query strings of lists (paging, sorting, projects, filters) and of downloads."""
from marshmallow import Schema, fields, validate

from qinling_shared.listing import MAX_LIMIT, OPERATORS

FILTER = ("Filter: `[op:]value`, `op` one of " + ", ".join(OPERATORS)
          + " (`in`/`nin` take a comma list, `has` a substring; default `eq`).")


def list_query(name, sort_keys, filters):
    """The query string of a list: paging, sorting, projects, and the service's filters."""
    query = {
        "limit": fields.Integer(validate=validate.Range(1, MAX_LIMIT),
                                metadata={"description": "At most this many items."}),
        "marker": fields.String(metadata={"description": "Items after the one with this id."}),
        "sort_key": fields.String(validate=validate.OneOf(sort_keys),
                                  metadata={"description": "Default `created_at`."}),
        "sort_dir": fields.String(validate=validate.OneOf(("asc", "desc")),
                                  metadata={"description": "Default `asc`."}),
        "all_projects": fields.Boolean(metadata={
            "description": "Every project's items (admins only; default false)."}),
        "project_id": fields.String(metadata={
            "description": "One project's items (admins only)."}),
    }
    query.update({field: fields.String(metadata={"description": FILTER}) for field in filters})
    return Schema.from_dict(query, name=name)


class DownloadQuery(Schema):
    download = fields.Boolean(metadata={
        "description": "`true` (or 1, yes, on, y, t): the package (a zip) instead of the "
                       "JSON; default false."})
