"""A container's ``resources`` for the function's limits: requests equal to limits (the pod's
QoS class is Guaranteed), cpu in millicpu and memory in bytes, as Kubernetes quantities.

They sit on the container, never on the pod (Qinling's pod-level ``resources`` were ignored).

A worker serves up to ``[engine] function_concurrency`` runs at once, and a container has one
cgroup for all of them: it is sized for that many runs at the function's limits, plus the
runtime server's own memory (``worker_size``). Each run's memory is still limited to the
function's by the runtime server (rlimits), as Qinling's pods did not.
"""
SERVER_MEMORY = 64 * 2**20  # bytes: the runtime server itself (Node.js takes about 40 MiB)


def worker_size(cpu, memory_size, concurrency):
    """``(cpu, memory)`` of a worker's container for ``concurrency`` runs of a function with
    ``cpu`` millicpu and ``memory_size`` bytes."""
    return cpu * concurrency, SERVER_MEMORY + memory_size * concurrency


def container_resources(cpu, memory_size):
    """``{"requests": ..., "limits": ...}`` for ``cpu`` millicpu and ``memory_size`` bytes."""
    quantities = {"cpu": f"{int(cpu)}m", "memory": str(int(memory_size))}
    return {"requests": dict(quantities), "limits": dict(quantities)}
