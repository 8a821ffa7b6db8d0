"""The OpenAPI 3.1 document of the v1 API, made from ``qinling_api.schemas`` with apispec
(``document``), the table of its operations (``operations``) and the HTML reference page
rendered from it (``reference``). Both are built once, when the app is made."""
