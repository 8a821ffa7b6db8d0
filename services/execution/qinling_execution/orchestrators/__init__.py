"""Orchestrator drivers: run function workers locally, in Kubernetes, or (in tests) nowhere."""
from qinling_shared.drivers import Registry

from qinling_execution.orchestrators.base import ImageRun, Limits, Orchestrator, PoolInfo, Worker

REGISTRY = Registry("orchestrator", Orchestrator, {
    "local": "qinling_execution.orchestrators.local.driver:LocalOrchestrator",
    "kubernetes": "qinling_execution.orchestrators.kubernetes.driver:KubernetesOrchestrator",
    "fake": "qinling_execution.orchestrators.fake:FakeOrchestrator",
})

__all__ = ["REGISTRY", "ImageRun", "Limits", "Orchestrator", "PoolInfo", "Worker",
           "load_orchestrator"]


def load_orchestrator(name: str, settings: dict) -> Orchestrator:
    """The driver ``name`` built from ``settings``; ``UnknownDriver`` names the close match."""
    return REGISTRY.load(name).from_settings(settings)
