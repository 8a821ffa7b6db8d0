"""The Nameko side of every Qinling service: database provider, context providers, runner,
``ping``, the Alembic env body and list queries in SQL.

Importing this package registers the wire errors (``qinling_shared.exceptions``) with Nameko's
deserializer, so that a service calling another by RPC gets the same typed exception back,
not a generic ``RemoteError``.
"""
from nameko.exceptions import deserialize_to_instance

from qinling_shared.exceptions import WIRE_ERRORS

for _error in WIRE_ERRORS.values():
    deserialize_to_instance(_error)
