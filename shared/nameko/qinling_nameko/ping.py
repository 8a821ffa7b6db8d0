"""Liveness over RPC, mixed into every service: the gateway's /healthz calls ``ping``."""
from nameko.rpc import rpc


class Pingable:
    def health(self):
        """Extra facts a service reports in /healthz (override)."""
        return {}

    @rpc
    def ping(self):
        return {"service": self.name, "status": "ok", **self.health()}
