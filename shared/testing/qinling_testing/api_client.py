"""A small requests-based client of the Qinling REST API, for e2e tests and the benchmark.

Every call returns the ``requests.Response``; nothing is asserted here, so tests can check
error answers as easily as successes.
"""
import json
import time

import requests

from qinling_testing import packages


class ApiClient:
    def __init__(self, url, headers=None, timeout=60.0):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers.update(headers or {})

    def request(self, method, path, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        return self.session.request(method, self.url + path, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    # -- the common steps -----------------------------------------------------------------

    def create_runtime(self, name="python3", image="python3", **fields):
        return self.post("/v1/runtimes", json={"name": name, "image": image, **fields})

    def create_function(self, runtime_id, name="hello", package=None, **fields):
        """Upload a package function (multipart, as python-qinlingclient does).

        ``package``: zip bytes (default: the hello function).
        """
        data = {"code": json.dumps({"source": "package"}), "runtime_id": runtime_id,
                "name": name, **{k: str(v) for k, v in fields.items()}}
        zipped = packages.hello_package() if package is None else package
        return self.post("/v1/functions", data=data,
                         files={"package": (f"{name}.zip", zipped, "application/zip")})

    def execute(self, function_id, input=None, sync=True, **fields):
        """``input`` is sent as Qinling expects it: a string (dicts are JSON-encoded)."""
        body = {"function_id": function_id, "sync": sync, **fields}
        if input is not None:
            body["input"] = input if isinstance(input, str) else json.dumps(input)
        return self.post("/v1/executions", json=body)

    def wait_for_status(self, path, statuses, timeout=60.0, interval=0.1):
        """Poll ``GET path`` until its ``status`` is one of ``statuses``; return the body."""
        deadline = time.monotonic() + timeout
        while True:
            body = self.get(path).json()
            if body.get("status") in statuses:
                return body
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{path} is still {body.get('status')!r} after {timeout:g}s")
            time.sleep(interval)

    def close(self):
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
