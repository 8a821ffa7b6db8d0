"""Function aliases (owned by the function service): a project-unique name for a function
version, resolved each time it is used."""
from marshmallow import Schema

from qinling_api.schemas import request_fields as rf
from qinling_api.schemas.query_strings import list_query
from qinling_api.schemas.request_schema import RequestSchema
from qinling_api.schemas.response_fields import integer, listed, text, timestamp


def _version(description):
    return rf.IntegerOrDigits(allow_none=True, metadata={
        "description": f"{description} Digits in a string are accepted (the CLI sends them); "
                       f"the function service requires 0 to {rf.MAX_VERSION}."})


class AliasCreate(RequestSchema):
    """``POST /v1/aliases``."""

    service_required = ("name", "function_id")
    name = rf.Text(allow_none=True, metadata={
        "description": "The alias, unique in the project.", "maxLength": 255})
    function_id = rf.Text(allow_none=True, metadata={"description": "The function."})
    function_version = _version("The version (0, the default: the function's live code).")
    description = rf.Text(allow_none=True, metadata={"description": "A description.",
                                                         "maxLength": 255})


class AliasUpdate(RequestSchema):
    """``PUT /v1/aliases/{name}``: the fields given with a value change."""

    function_id = rf.Text(allow_none=True, metadata={"description": "Another function."})
    function_version = _version("Another version.")
    description = rf.Text(allow_none=True, metadata={"description": "A description.",
                                                         "maxLength": 255})


class Alias(Schema):
    id = text("The alias's id.")
    name = text("Its name.")
    description = text("Its description.", nullable=True)
    function_id = text("The function it names.")
    function_version = integer("The version it names (0: the live code).")
    project_id = text("The project that owns it.")
    created_at = timestamp("When it was created.")
    updated_at = timestamp("When it last changed, or null.", nullable=True)


AliasQuery = list_query("AliasQuery", ("created_at", "updated_at", "name"),
                        ("name", "function_id", "function_version", "description"))


AliasList = listed("function_aliases", Alias, "The aliases.")
