"""Inside an execution child: import the entry, call it with the input, encode the result.

Nothing here forks or waits; :mod:`pyruntime.execution` does that around :func:`call`.
"""
import errno
import importlib
import inspect
import json
import os
import sys
import traceback

from .contract import RESOURCE_MESSAGE

POSITIONAL_KEY = "__function_input"
MAX_RESULT_BYTES = 16 * 1024 * 1024
_RUNTIME_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_RESOURCE_ERRNOS = (errno.EAGAIN, errno.ENOMEM)


class InvalidEntry(Exception):
    pass


def arguments(fn_input):
    """Qinling's rule: an object gives keyword arguments, except that the key
    ``__function_input`` gives one positional argument; any other non-null value is one
    positional argument; null gives none. Returns ``(args, kwargs)``."""
    if fn_input is None:
        return (), {}
    if isinstance(fn_input, dict):
        kwargs = dict(fn_input)
        if POSITIONAL_KEY in kwargs:
            return (kwargs.pop(POSITIONAL_KEY),), kwargs
        return (), kwargs
    return (fn_input,), {}


def load_entry(package_dir, entry):
    """The callable named by ``entry`` (``module.function``, the module may be dotted)."""
    module_name, _, function_name = entry.rpartition(".")
    if not module_name or not function_name:
        raise InvalidEntry(f"Invalid entry {entry!r}: expected 'module.function'.")
    sys.path[:] = [package_dir] + [p for p in sys.path if p != _RUNTIME_DIR]
    module = importlib.import_module(module_name)
    function = getattr(module, function_name, None)
    if not callable(function):
        raise InvalidEntry(f"Module {module_name!r} has no function {function_name!r}.")
    return function


def call(package_dir, entry, fn_input, openstack=None):
    """Run the function; ``{"output", "success"}``. Tracebacks go to stderr (the log).
    ``openstack``: the run's OpenStack access, given as ``context`` (``with_context``)."""
    if hasattr(sys, "set_int_max_str_digits"):
        # Python >= 3.11 refuses str() of ints over 4300 digits; Qinling's functions (e.g.
        # tempest's pi to 50 000 digits) ran without that limit. CPU limits bound the cost.
        sys.set_int_max_str_digits(0)
    try:
        function = load_entry(package_dir, entry)
        args, kwargs = arguments(fn_input)
        if wants_context(function, openstack is not None):
            kwargs["context"] = context_of(openstack)
        return {"output": function(*args, **kwargs), "success": True, **_openstack_use()}
    except BaseException as exc:  # noqa: B902 - user code may raise anything, even SystemExit
        traceback.print_exc()
        return {"output": failure_message(exc), "success": False, **_openstack_use()}


def context_of(openstack):
    """The function's ``context``: ``{"os_session", "region_name"}`` (``None`` values
    without OpenStack access)."""
    from . import openstack as openstack_session   # preloaded with the server
    return openstack_session.context_of(openstack)


def _openstack_use():
    """``{"openstack_used": True}`` when the run made its OpenStack session (the server
    then loads keystoneauth1 for the next runs), else nothing."""
    from . import openstack as openstack_session
    return {"openstack_used": True} if openstack_session.used() else {}


def wants_context(function, has_openstack):
    """Qinling gave every function ``context={"os_session": ...}`` (so each had to take
    ``**kwargs``). Here a function that names a ``context`` parameter always gets it; one
    that takes ``**kwargs`` gets it when the run has OpenStack access (Keystone is on), as
    Qinling's examples expect (``kwargs["context"]["os_session"]``)."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False
    if any(p.name == "context" and p.kind != p.VAR_KEYWORD for p in parameters):
        return True
    return has_openstack and any(p.kind == p.VAR_KEYWORD for p in parameters)


def failure_message(exc):
    """What the user sees in ``result.output`` for an exception raised by their code."""
    if isinstance(exc, MemoryError):
        return RESOURCE_MESSAGE
    if isinstance(exc, OSError) and exc.errno in _RESOURCE_ERRNOS:
        return RESOURCE_MESSAGE  # e.g. fork failing under RLIMIT_NPROC, as Qinling did
    if isinstance(exc, SystemExit):
        return f"Function exited with status {exc.code!r}."
    return str(exc) or type(exc).__name__


def encode(result):
    """The result as JSON bytes; a value JSON cannot carry becomes a clear failure."""
    try:
        data = json.dumps(result, allow_nan=False).encode()
    except (TypeError, ValueError, RecursionError) as exc:
        return _failure(f"Function result is not JSON-serialisable: {exc}")
    if len(data) > MAX_RESULT_BYTES:
        return _failure(f"Function result is too large: {len(data)} bytes encoded, "
                        f"the limit is {MAX_RESULT_BYTES}.")
    return data


def _failure(message):
    return json.dumps({"output": message, "success": False}).encode()
