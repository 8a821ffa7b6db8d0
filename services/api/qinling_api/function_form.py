"""The body of ``POST`` and ``PUT /v1/functions``: text fields, a package streamed to storage.

python-qinlingclient sends multipart/form-data (fields, then the ``package`` file) for
package functions and a urlencoded form for image/swift ones; a JSON body is accepted too.
On update it merges the keys of ``code`` into the form (``source=package``) instead of
sending ``code``. Fields reach the function service as strings, as a form carries them
(JSON objects as JSON text, integers as digits): each body is loaded with the request's schema
(``schemas.functions``). The package part is read chunk by chunk and passed on to the
storage service as it arrives: never held whole. The form's rules (required fields, ranges,
code sources) are the function service's; here only its shape is read.
"""
import aiohttp

from qinling_api import validation
from qinling_shared.exceptions import InvalidInput

PACKAGE = "package"
CHUNK_SIZE = 64 * 1024
FORM_TYPES = ("", "application/x-www-form-urlencoded")
MALFORMED_MULTIPART = "Malformed multipart/form-data request body."
# a bad part header (a control character in a name: BadHttpMessage), an unknown charset
# (LookupError), broken framing or text (ValueError, RuntimeError, AssertionError)
MULTIPART_ERRORS = (ValueError, RuntimeError, AssertionError, LookupError,
                    aiohttp.http_exceptions.BadHttpMessage)


async def read(request, schema, upload):
    """``(values, package)``: the fields of the request schema ``schema`` present, as text,
    and what ``upload`` returned or ``None``.

    ``upload(chunks)`` stores an async iterator of bytes (the ``package`` part).
    """
    values, package = await read_body(request, validation.field_names(schema), upload)
    return validation.load(schema, values), package


async def read_body(request, fields, upload):
    """``(values, package)`` as the body carries them: form text, or the JSON object's."""
    content_type = request.content_type
    if content_type == "multipart/form-data":
        return await read_multipart(request, fields, upload)
    if content_type == "application/json":
        return validation.json_object(await request.read()), None
    if content_type in FORM_TYPES:
        return await read_urlencoded(request, fields), None
    raise InvalidInput(f"Unsupported Content-Type '{content_type}': use multipart/form-data, "
                       "application/x-www-form-urlencoded or application/json.")


async def read_urlencoded(request, fields):
    try:
        form = await request.post()
    except ValueError:
        raise InvalidInput("Malformed form request body.") from None
    return {name: form[name] for name in fields if isinstance(form.get(name), str)}


async def read_multipart(request, fields, upload):
    """A package stored before the body turns out broken is left to the storage service's
    reaper (see ``views.functions``)."""
    values, package = {}, None
    try:
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, aiohttp.BodyPartReader):
                continue  # a nested multipart: not part of this API
            if part.name == PACKAGE and package is None:
                package = await upload_part(part, upload)
            elif part.name in fields and part.name not in values:
                values[part.name] = await part.text()
            # any other part is skipped: the reader drains it before the next one
    except MULTIPART_ERRORS:  # how aiohttp reports a bad body
        raise InvalidInput(MALFORMED_MULTIPART) from None
    return values, package


async def upload_part(part, upload):
    read_errors = []
    try:
        return await upload(part_chunks(part, read_errors))
    except Exception:
        if read_errors:  # the client's body broke, not the storage service
            raise read_errors[0] from None
        raise


async def part_chunks(part, read_errors):
    try:
        while chunk := await part.read_chunk(CHUNK_SIZE):
            yield chunk
    except Exception as exc:
        read_errors.append(exc)
        raise

