"""The function's workers, found as the execution service finds them, and the body it sends.

Workers are in etcd under ``/qinling/workers/<function_id>/<version>/<worker_name>`` with a
JSON value ``{"url": ...}``. The ``/execute`` body is built like the execution service builds
it: the function spec from the function service and a signed package URL from the storage
service (RPC over the platform's vhost).
"""
import json
import uuid

from nameko.standalone.rpc import ClusterRpcProxy

from qinling_shared.config import amqp_uri
from qinling_shared.context import tenancy

PREFIX = "/qinling/workers/"


def urls(platform, function_id, version=0):
    """Base URLs of the function version's workers."""
    prefix = f"{PREFIX}{function_id}/{version}/"
    found = [json.loads(value)["url"] for _, value in platform.etcd.read_prefix(prefix)]
    if not found:
        raise RuntimeError(f"no worker of function {function_id} in etcd under {prefix}")
    return found


def body_factory(platform, function_id, function_input, version=0):
    """``body_for(number)``: the ``/execute`` body of one request."""
    config = {"AMQP_URI": amqp_uri(platform.rabbit.transport_url)}
    with ClusterRpcProxy(config, context_data=tenancy(is_admin=True)) as rpc:
        spec = rpc.function.get_function_spec(function_id)
        package_url = rpc.storage.sign_url(spec["package_key"])
    fixed = {
        "function_id": function_id, "function_version": version, "entry": spec["entry"],
        "input": function_input, "timeout": spec["timeout"], "cpu": spec["cpu"],
        "memory_size": spec["memory_size"], "package_url": package_url,
        "package_sha256": spec["package_sha256"],
    }

    def body_for(number):
        return {"execution_id": str(uuid.uuid4()), **fixed}
    return body_for
