"""The v1 API contract as marshmallow schemas: one module per resource, and the shapes every
resource shares: ``request_schema`` (the base of request bodies), ``request_fields`` (typed
request fields with Qinling's messages), ``response_fields`` (described response fields,
timestamps, list envelopes), ``fault`` (the error body), ``service_info`` (the roots and
``/healthz``) and ``query_strings`` (the queries of lists and downloads).

Request schemas (``RequestSchema``) are what the gateway loads request bodies with
(``validation.load``): field types only; rules such as ranges and required fields that a
service owns are documented here (``service_required``, metadata) but checked by that service.
Response schemas document what the gateway sends, Qinling's quirks included (see
``rendering``), exactly: every field is required and no other field is allowed unless
the schema says so (``Meta.unknown = INCLUDE``); they are never used to build responses.
``qinling_api.openapi`` turns both into the OpenAPI document.
"""
