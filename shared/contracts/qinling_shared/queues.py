"""Names of the RabbitMQ queues the services consume: declared by the services, probed by the
gateway (consumers on an RPC queue, messages waiting in the execution queue)."""

EXECUTION_QUEUE = "qinling-executions-run"  # the execution queue's run queue (asynchronous)


def rpc_queue(service):
    """The queue of a Nameko service's RPC methods (nameko names it ``rpc-<service>``)."""
    return f"rpc-{service}"
