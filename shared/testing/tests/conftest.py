"""pytest runs with --import-mode=importlib (no test folder on sys.path): make the helpers of
this folder (``kube_fixtures``) importable, and its fixtures (``tls``, ``kube``, ``api``: the
fake Kubernetes API server's) available."""
import pathlib
import sys

_HERE = str(pathlib.Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

from kube_fixtures import api, kube, tls  # noqa: E402,F401 - fixtures
