"""A fresh RabbitMQ vhost, made and removed through the management API (as nameko's fixtures do)."""
import urllib.parse
import uuid

import requests


class RabbitVhost:
    def __init__(self, management_url="http://127.0.0.1:15672", amqp_host="127.0.0.1",
                 amqp_port=5672, user="guest", password="guest", name=None):
        self.management_url = management_url.rstrip("/")
        self.amqp_host, self.amqp_port = amqp_host, amqp_port
        self.auth = (user, password)
        self.name = name or f"qinling-test-{uuid.uuid4().hex[:12]}"

    @property
    def transport_url(self):
        """The vhost as qinling.conf's ``[DEFAULT] transport_url``."""
        user, password = (urllib.parse.quote(part, safe="") for part in self.auth)
        vhost = urllib.parse.quote(self.name, safe="")
        return f"rabbit://{user}:{password}@{self.amqp_host}:{self.amqp_port}/{vhost}"

    def _api(self, method, *segments, **kwargs):
        path = "/".join(urllib.parse.quote(s, safe="") for s in segments)
        url = f"{self.management_url}/api/{path}"
        response = requests.request(method, url, auth=self.auth, timeout=10, **kwargs)
        if not response.ok and not (method == "DELETE" and response.status_code == 404):
            raise RuntimeError(f"RabbitMQ management API: {method} {url} -> "
                               f"{response.status_code} {response.text[:200]}")
        return response

    def create(self):
        self._api("PUT", "vhosts", self.name)
        self._api("PUT", "permissions", self.name, self.auth[0],
                  json={"configure": ".*", "write": ".*", "read": ".*"})
        return self

    def delete(self):
        """Idempotent."""
        self._api("DELETE", "vhosts", self.name)

    def connections(self):
        """Names of the client connections to this vhost (the management API learns of a new
        one within its statistics interval, a few seconds)."""
        return [c["name"] for c in self._api("GET", "vhosts", self.name, "connections").json()]

    def close_connections(self):
        """Close every client connection to this vhost, as a network failure would; how many
        were closed."""
        names = self.connections()
        for name in names:
            self._api("DELETE", "connections", name)
        return len(names)

    def __enter__(self):
        return self.create()

    def __exit__(self, *exc_info):
        self.delete()
