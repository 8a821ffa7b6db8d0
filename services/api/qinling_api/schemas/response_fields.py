"""Builders of response fields: each one required (present in every response) and described,
and the list envelope Qinling answers with."""
from marshmallow import Schema, fields, validate

TIMESTAMP = "UTC time, `YYYY-MM-DDTHH:MM:SSZ`."


def described(field_class, description, nullable=False, required=True, **metadata):
    """A response field (present in every response unless ``required=False``)."""
    return field_class(required=required, allow_none=nullable,
                       metadata={"description": description, **metadata})


def text(description, nullable=False, **metadata):
    return described(fields.String, description, nullable, **metadata)


def integer(description, nullable=False, **metadata):
    return described(fields.Integer, description, nullable, **metadata)


def flag(description, **metadata):
    return described(fields.Boolean, description, **metadata)


def timestamp(description, nullable=False):
    return described(fields.String, f"{description} {TIMESTAMP}", nullable, format="date-time")


def one_of(description, choices, nullable=False):
    return fields.String(required=True, allow_none=nullable, validate=validate.OneOf(choices),
                         metadata={"description": description})


def many(item, description):
    """A response field holding a list of ``item`` objects."""
    return fields.List(fields.Nested(item), required=True, metadata={"description": description})


def listed(key, item, description, name=None):
    """The list envelope Qinling answers with: ``{key: [item, ...]}``."""
    return Schema.from_dict({key: many(item, description)},
                            name=name or f"{item.__name__}List")
