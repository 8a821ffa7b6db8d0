"""The whole URL table."""
from qinling_api.views import executions, functions, health, root, runtimes


def setup_routes(app):
    add = app.router.add_route
    add("GET", "/", root.versions)
    add("GET", "/v1", root.v1)
    add("GET", "/v1/", root.v1)
    add("GET", "/healthz", health.healthz)

    add("POST", "/v1/runtimes", runtimes.create_runtime)
    add("GET", "/v1/runtimes", runtimes.list_runtimes)
    add("GET", "/v1/runtimes/{id}", runtimes.get_runtime)

    add("POST", "/v1/functions", functions.create_function)
    add("GET", "/v1/functions", functions.list_functions)
    add("GET", "/v1/functions/{id}", functions.get_function)

    add("POST", "/v1/executions", executions.create_execution)
    add("GET", "/v1/executions", executions.list_executions)
    add("GET", "/v1/executions/{id}", executions.get_execution)
    add("DELETE", "/v1/executions/{id}", executions.delete_execution)
    add("GET", "/v1/executions/{id}/log", executions.get_execution_log)
