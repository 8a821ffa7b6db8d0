"""Dependency providers of the function service (values come from the container config)."""
from nameko.extensions import DependencyProvider


class Limits(DependencyProvider):
    """The ``[resource_limits]`` values as a plain dict (config key ``RESOURCE_LIMITS``)."""

    def get_dependency(self, worker_ctx):
        return dict(self.container.config["RESOURCE_LIMITS"])


class Settings(DependencyProvider):
    """The ``[function]`` values as a plain dict (config key ``FUNCTION``):
    ``max_versions``, the most versions one function may have."""

    def setup(self):
        self.settings = {"max_versions": int(self.container.config["FUNCTION"]["max_versions"])}

    def get_dependency(self, worker_ctx):
        return dict(self.settings)
