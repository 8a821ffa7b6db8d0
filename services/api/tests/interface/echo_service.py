"""A tiny nameko service for the interface tests, run as a subprocess (eventlet stays there).

    python echo_service.py <amqp uri> <service name>
"""
import eventlet

eventlet.monkey_patch()

import pathlib  # noqa: E402
import sys  # noqa: E402

from nameko.contextdata import ContextDataProvider  # noqa: E402

from qinling_nameko import providers, runner  # noqa: E402
from qinling_nameko.ping import pong  # noqa: E402
from qinling_nameko.rpc import rpc  # noqa: E402
from qinling_shared import exceptions  # noqa: E402
from qinling_shared.context import REQUEST_ID  # noqa: E402


class RequestId(ContextDataProvider):
    context_key = REQUEST_ID


class Echo:
    name = "echo"

    caller = providers.CurrentCaller()
    request_id = RequestId()

    @rpc
    def ping(self):
        return pong(self.name)

    @rpc
    def echo(self, *args, **kwargs):
        return {"args": list(args), "kwargs": kwargs}

    @rpc
    def whoami(self):
        return {"project_id": self.caller.project_id, "request_id": self.request_id,
                "is_admin": self.caller.is_admin}

    @rpc
    def get_execution(self, execution_id):
        raise exceptions.NotFound(f"Execution not found [id={execution_id}]")

    @rpc
    def fail(self):
        raise ValueError("kaboom: a secret detail")

    @rpc
    def hang(self, marker):
        """Say (with a file) that the call arrived, then never answer in time."""
        pathlib.Path(marker).touch()
        eventlet.sleep(60)

    @rpc
    def record(self, path, line):
        """Append ``line`` to the file ``path``: the test counts the calls that ran."""
        with open(path, "a") as f:
            f.write(line + "\n")
        return line

    @rpc
    def once(self, marker):
        """The first delivery says (with a file) that it arrived and never answers; the next
        (a redelivery, once the first replica died) answers."""
        if not pathlib.Path(marker).exists():
            pathlib.Path(marker).touch()
            eventlet.sleep(60)
        return "answered by a later delivery"

    @rpc
    def hold(self, marker, release):
        """Say that the call arrived, then answer once the file ``release`` exists."""
        pathlib.Path(marker).touch()
        for _ in range(600):
            if pathlib.Path(release).exists():
                return "released"
            eventlet.sleep(0.05)
        return "never released"


if __name__ == "__main__":
    uri, Echo.name = sys.argv[1], sys.argv[2]
    runner.setup_logging(Echo.name)
    runner.run([Echo], {"AMQP_URI": uri, "serializer": "json", "max_workers": 10})
