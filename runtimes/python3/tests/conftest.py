"""The Python 3 runtime's own modules (``pyruntime``), importable as server.py imports them."""
import pathlib
import sys

_RUNTIME = str(pathlib.Path(__file__).resolve().parents[1])
if _RUNTIME not in sys.path:
    sys.path.insert(0, _RUNTIME)
