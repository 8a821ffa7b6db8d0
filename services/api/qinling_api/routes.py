"""The whole URL table (each route is an operation of ``openapi.operations``)."""
from qinling_api import metrics
from qinling_api.keys import api_reference_key, openapi_key
from qinling_api.openapi import document, reference
from qinling_api.views import (aliases, event_triggers, executions, functions, health, jobs,
                               openapi, root, runtimes, versions, webhooks, workers)

FUNCTION = "/v1/functions/{id}"
VERSION = FUNCTION + "/versions/{version}"
WEBHOOK = "/v1/webhooks/{id}"
JOB = "/v1/jobs/{id}"
EVENT_TRIGGER = "/v1/event_triggers/{id}"


def setup_routes(app):
    add = app.router.add_route
    add("GET", "/", root.versions)
    add("GET", "/v1", root.v1)
    add("GET", "/v1/", root.v1)
    add("GET", "/healthz", health.healthz)
    add("GET", "/v1/openapi.json", openapi.openapi_document)
    add("GET", "/v1/api-ref", openapi.api_reference)
    app[openapi_key] = document.build()
    app[api_reference_key] = reference.page()
    add("GET", "/metrics", metrics.serve_metrics)

    add("POST", "/v1/runtimes", runtimes.create_runtime)
    add("GET", "/v1/runtimes", runtimes.list_runtimes)
    add("GET", "/v1/runtimes/{id}", runtimes.get_runtime)
    add("PUT", "/v1/runtimes/{id}", runtimes.update_runtime)
    add("DELETE", "/v1/runtimes/{id}", runtimes.delete_runtime)
    add("GET", "/v1/runtimes/{id}/pool", runtimes.get_runtime_pool)

    add("POST", "/v1/functions", functions.create_function)
    add("GET", "/v1/functions", functions.list_functions)
    add("GET", FUNCTION, functions.get_function)
    add("PUT", FUNCTION, functions.update_function)
    add("DELETE", FUNCTION, functions.delete_function)
    # tempest asks for .../workers/ (trailing slash): both spellings are routes
    add("GET", FUNCTION + "/workers", workers.list_workers)
    add("GET", FUNCTION + "/workers/", workers.list_workers)
    for target in (FUNCTION, VERSION):  # admin scaling, of version 0 or of version {version}
        add("POST", target + "/scale_up", workers.scale_up)
        add("POST", target + "/scale_down", workers.scale_down)
        add("POST", target + "/detach", workers.detach)

    add("POST", FUNCTION + "/versions", versions.create_version)
    add("GET", FUNCTION + "/versions", versions.list_versions)
    add("GET", VERSION, versions.get_version)
    add("DELETE", VERSION, versions.delete_version)

    # tempest posts to /v1//aliases: routed as is (a redirected POST is not re-sent by
    # every client; python-qinlingclient follows no 307/308)
    for prefix in ("/v1/aliases", "/v1//aliases"):
        add("POST", prefix, aliases.create_alias)
        add("GET", prefix, aliases.list_aliases)
    add("GET", "/v1/aliases/{name}", aliases.get_alias)
    add("PUT", "/v1/aliases/{name}", aliases.update_alias)
    add("DELETE", "/v1/aliases/{name}", aliases.delete_alias)

    add("POST", "/v1/executions", executions.create_execution)
    add("GET", "/v1/executions", executions.list_executions)
    add("GET", "/v1/executions/{id}", executions.get_execution)
    add("DELETE", "/v1/executions/{id}", executions.delete_execution)
    add("GET", "/v1/executions/{id}/log", executions.get_execution_log)
    add("POST", "/v1/executions/{id}/cancel", executions.cancel_execution)

    add("POST", "/v1/webhooks", webhooks.create_webhook)
    add("GET", "/v1/webhooks", webhooks.list_webhooks)
    add("GET", WEBHOOK, webhooks.get_webhook)
    add("PUT", WEBHOOK, webhooks.update_webhook)
    add("DELETE", WEBHOOK, webhooks.delete_webhook)
    add("POST", WEBHOOK + "/invoke", webhooks.invoke_webhook)

    add("POST", "/v1/jobs", jobs.create_job)
    add("GET", "/v1/jobs", jobs.list_jobs)
    add("GET", JOB, jobs.get_job)
    add("PUT", JOB, jobs.update_job)
    add("DELETE", JOB, jobs.delete_job)

    add("POST", "/v1/event_triggers", event_triggers.create_event_trigger)
    add("GET", "/v1/event_triggers", event_triggers.list_event_triggers)
    add("GET", EVENT_TRIGGER, event_triggers.get_event_trigger)
    add("PUT", EVENT_TRIGGER, event_triggers.update_event_trigger)
    add("DELETE", EVENT_TRIGGER, event_triggers.delete_event_trigger)
