"""The v1 API contract as marshmallow schemas: one module per resource, ``common`` for the
shapes every resource shares (the fault body, timestamps, list queries).

Request schemas (``RequestSchema``) are what the gateway loads request bodies with
(``validation.load``): field types only; rules such as ranges and required fields that a
service owns are documented here (``service_required``, metadata) but checked by that service.
Response schemas document what the gateway sends, Qinling's quirks included (see
``rendering``), exactly: every field is required and no other field is allowed unless
the schema says so (``Meta.unknown = INCLUDE``); they are never used to build responses.
``qinling_api.openapi`` turns both into the OpenAPI document.
"""
