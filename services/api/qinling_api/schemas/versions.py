"""Function versions (owned by the function service)."""
from marshmallow import Schema

from qinling_api.schemas import request_fields as rf
from qinling_api.schemas.request_schema import RequestSchema
from qinling_api.schemas.response_fields import integer, listed, text, timestamp


class VersionCreate(RequestSchema):
    """``POST /v1/functions/{id}/versions``; the body is optional. Only package functions
    have versions, at most 10, each with another package (403 otherwise)."""

    description = rf.Text(allow_none=True, metadata={
        "description": "A description.", "maxLength": 255})


class Version(Schema):
    id = text("The version's id.")
    description = text("Its description.", nullable=True)
    function_id = text("Its function.")
    version_number = integer("Its number: 1, 2, ...")
    count = integer("Executions of this version.")
    project_id = text("The project that owns it.")
    created_at = timestamp("When it was created.")
    updated_at = timestamp("When it last changed, or null.", nullable=True)


VersionList = listed("function_versions", Version, "The versions, by number.")
