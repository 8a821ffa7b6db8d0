"""A container's ``resources`` for the function's limits: requests equal to limits (the pod's
QoS class is Guaranteed), cpu in millicpu and memory in bytes, as Kubernetes quantities.

They sit on the container, never on the pod (Qinling's pod-level ``resources`` were ignored).
"""


def container_resources(cpu, memory_size):
    """``{"requests": ..., "limits": ...}`` for ``cpu`` millicpu and ``memory_size`` bytes."""
    quantities = {"cpu": f"{int(cpu)}m", "memory": str(int(memory_size))}
    return {"requests": dict(quantities), "limits": dict(quantities)}
