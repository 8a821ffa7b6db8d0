"""The kubernetes driver's fixtures (``kube_harness``): ``tls``, ``kube`` (the fake API
server) and ``driver``."""
from kube_harness import driver, kube, tls  # noqa: F401 - fixtures
