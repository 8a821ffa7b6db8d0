"""Name -> class registries for pluggable drivers (orchestrators, storage backends)."""
import difflib
import importlib


class UnknownDriver(ValueError):
    pass


class Registry:
    """Maps a driver name to ``"module:Class"`` and loads it on demand.

    Loading on demand keeps optional dependencies (boto3, kubernetes...) out of processes
    that do not use them.
    """

    def __init__(self, kind, base, drivers):
        self.kind = kind
        self.base = base
        self._drivers = dict(drivers)

    @property
    def names(self):
        return sorted(self._drivers)

    def load(self, name):
        try:
            path = self._drivers[name]
        except KeyError:
            close = difflib.get_close_matches(name, self._drivers, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise UnknownDriver(
                f"Unknown {self.kind} {name!r}; known: {', '.join(self.names)}.{hint}") from None
        module, _, attr = path.partition(":")
        cls = getattr(importlib.import_module(module), attr)
        if not issubclass(cls, self.base):
            raise TypeError(f"{path} is not a {self.base.__name__}")
        return cls
