"""The active runs: the runs this replica has on workers now, so that a cancel can reach the
right worker.

A cancel is broadcast to every replica; the one running the execution asks its worker to stop
it, or kills its container (an image function's run, kept here as :data:`ON_CONTAINER_ENGINE`
instead of a worker URL: ``cancellation``). A cancel that arrives before the run reached a worker (a cold start under
way) is remembered, and the run is not started.
"""
import collections

from nameko.extensions import DependencyProvider

ON_CONTAINER_ENGINE = "container-engine"  # where an image function's run is (not a URL)


class ActiveRuns:
    def __init__(self, remember=1000):
        self.remember = remember
        self._workers = {}                              # execution id -> worker URL
        self._cancelled = collections.OrderedDict()     # ids cancelled before they ran here

    def start(self, execution_id, url):
        """Record a run about to start on ``url``; ``False`` when it was cancelled already."""
        if self._cancelled.pop(execution_id, None) is not None:
            return False
        self._workers[execution_id] = url
        return True

    def end(self, execution_id):
        self._workers.pop(execution_id, None)

    def cancel(self, execution_id):
        """The URL of the worker running ``execution_id`` here, or ``None`` (then remembered,
        in case its run is about to start)."""
        url = self._workers.get(execution_id)
        if url is None:
            self._cancelled[execution_id] = True
            while len(self._cancelled) > self.remember:
                self._cancelled.popitem(last=False)
        return url

    def __contains__(self, execution_id):
        return execution_id in self._workers


class ActiveRunsProvider(DependencyProvider):
    """One :class:`ActiveRuns` per service container, shared by its Nameko workers."""

    def setup(self):
        self.runs = ActiveRuns()

    def get_dependency(self, worker_ctx):
        return self.runs
