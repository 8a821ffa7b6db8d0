"""Functions (owned by the function service).

A function is created and updated with a form, as python-qinlingclient sends it: multipart
(fields, and the ``package`` file) or urlencoded; a JSON body is accepted too. Every field
reaches the function service as text, as a form carries it, and the service checks them
(required ``code``, resource ranges, code sources). The JSON body schemas are what the
gateway loads; the form schemas only document the forms (their fields are always text).
"""
from marshmallow import EXCLUDE, INCLUDE, Schema, fields, validate

from qinling_api.schemas import request_fields as rf
from qinling_api.schemas.query_strings import list_query
from qinling_api.schemas.request_schema import RequestSchema
from qinling_api.schemas.response_fields import integer, listed, text, timestamp

SOURCES = ("package", "swift", "image")
CODE = ("`{\"source\": \"package\"[, \"md5sum\": ...]}` (with the `package` file), "
        "`{\"source\": \"swift\", \"swift\": {\"container\", \"object\"}}` or "
        "`{\"source\": \"image\", \"image\": \"<image>\"}`.")
TEXT_FIELDS = {  # name: (description, max length or None)
    "runtime_id": ("The runtime (not for image functions).", 36),
    "name": ("A name.", 255),
    "description": ("A description.", 255),
    "entry": ("`module.function` to call (default `main.main`).", 80),
}
INTEGER_FIELDS = {
    "cpu": "Millicpu (the service's range, default 100).",
    "memory_size": "Bytes of memory (the service's range, default 32 MiB).",
    "timeout": "Seconds (the service's range, default 5).",
    "max_retries": "Retries of an async execution after platform failures: 0 to 10.",
}
SOURCE = "The code source when `code` is not sent (`package`, with the file)."
SWIFT = "A swift function's new `{\"container\", \"object\"}` when `code` is not sent."


def json_fields(names):
    """The JSON body fields among ``names``: text, integers as text, objects as JSON text."""
    made = {}
    for name in names:
        if name in ("code", "swift"):
            made[name] = rf.FormObject(allow_none=True, metadata={
                "description": (CODE if name == "code" else SWIFT) + " An object, or its JSON "
                               "text."})
        elif name in INTEGER_FIELDS:
            made[name] = rf.FormInteger(allow_none=True, metadata={
                "description": INTEGER_FIELDS[name] + " An integer, or its digits."})
        else:
            description, length = TEXT_FIELDS.get(name, (SOURCE, None))
            limit = {"maxLength": length} if length else {}
            made[name] = rf.Text(allow_none=True, metadata={"description": description,
                                                            **limit})
    return made


def form_fields(names, package):
    """The form fields among ``names`` (all text), and the ``package`` file if asked for."""
    made = {name: fields.String(metadata={"description": field.metadata["description"]})
            for name, field in json_fields(names).items()}
    if package:
        made["package"] = fields.String(metadata={
            "format": "binary", "description": "The package: a zip of the code."})
    return made


CREATE_FIELDS = ("code", "runtime_id", "name", "description", "entry", "cpu", "memory_size",
                 "timeout", "max_retries")
UPDATE_FIELDS = ("code", "source", "swift", "name", "description", "entry", "cpu",
                 "memory_size", "timeout", "max_retries")


class FormSchema(Schema):
    """A form: open, as the gateway skips the fields it does not know
    (``function_form.read_multipart``, ``read_urlencoded``)."""

    class Meta:
        unknown = EXCLUDE


def request_schemas(name, names, required=()):
    """``(json, multipart, urlencoded)`` schemas of one request."""
    schemas = []
    for kind, made in (("", json_fields(names)), ("Multipart", form_fields(names, True)),
                       ("Form", form_fields(names, False))):
        base = RequestSchema if not kind else FormSchema
        schema = base.from_dict(made, name=f"{name}{kind}")
        schema.service_required = required
        schemas.append(schema)
    return tuple(schemas)


FunctionCreate, FunctionCreateMultipart, FunctionCreateForm = request_schemas(
    "FunctionCreate", CREATE_FIELDS, required=("code",))
FunctionUpdate, FunctionUpdateMultipart, FunctionUpdateForm = request_schemas(
    "FunctionUpdate", UPDATE_FIELDS)


class Code(Schema):
    """A function's code as it was given, with the package's md5 set by the service."""

    class Meta:
        unknown = INCLUDE  # an image function's code keeps the keys it was given

    source = fields.String(required=True, validate=validate.OneOf(SOURCES),
                           metadata={"description": "`package`, `swift` or `image`."})
    md5sum = fields.Raw(metadata={"description": "A package's md5 (package functions)."})
    image = fields.Raw(metadata={"description": "The image (image functions)."})
    swift = fields.Raw(metadata={"description": "`{\"container\", \"object\"}` (swift)."})


def function_fields(code):
    return {
        "id": text("The function's id."),
        "name": text("Its name.", nullable=True),
        "description": text("Its description.", nullable=True),
        "cpu": integer("Millicpu."),
        "memory_size": integer("Bytes of memory."),
        "timeout": integer("Seconds."),
        "runtime_id": text("Its runtime (null for image functions).", nullable=True),
        "code": code,
        "entry": text("`module.function` (null for image functions).", nullable=True),
        "count": integer("Executions of its live code."),
        "latest_version": integer("Its highest version number (0: none)."),
        "max_retries": integer("Its retry maximum, or null (the platform's default).",
                               nullable=True),
        "project_id": text("The project that owns it."),
        "created_at": timestamp("When it was created."),
        "updated_at": timestamp("When it last changed, or null.", nullable=True),
    }


Function = Schema.from_dict(function_fields(fields.Nested(Code, required=True)),
                            name="Function")
FunctionInList = Schema.from_dict(function_fields(text(
    "JSON text of its code (Qinling's quirk in lists): " + CODE)), name="FunctionInList")

FunctionQuery = list_query(
    "FunctionQuery", ("created_at", "updated_at", "name"),
    ("id", "name", "description", "runtime_id", "entry", "cpu", "memory_size", "timeout",
     "count", "latest_version"))


FunctionList = listed("functions", FunctionInList, "The functions.", name="FunctionList")
