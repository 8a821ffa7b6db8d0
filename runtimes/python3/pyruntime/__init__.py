"""The Python 3 runtime's own modules (standard library only; imported by ``server.py``).

The name is deliberately unlike anything a user package would call a module: execution children
import user code in a process that has these modules loaded.
"""
