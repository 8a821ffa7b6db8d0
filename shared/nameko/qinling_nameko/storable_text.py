"""Text a database cannot store, refused as ``InvalidInput`` before the statement runs.

Strings reach a service over RPC as JSON, so a ``"\\ud800"`` escape from any caller (the
gateway, the trigger service, a script) arrives as a lone surrogate, which neither SQLite,
PostgreSQL nor MySQL/MariaDB can encode, and PostgreSQL refuses NUL characters in text. Either would fail inside
the driver as an encoding or data error: an HTTP 500 with no hint for the client. Checked once
here, for every statement of every service, the client gets a 400 that names the problem.
NUL is refused on PostgreSQL only: SQLite and MySQL/MariaDB store it, and refusing it there
would change what works today.
"""
import sqlalchemy as sa

from qinling_shared.exceptions import InvalidInput
from qinling_shared.jsontext import is_lone_surrogate_free

LONE_SURROGATE = "Invalid input: text must be valid Unicode (it holds a lone surrogate)."
NUL = "Invalid input: text must not hold a NUL character."


def text_refusal(value, nul_allowed):
    """The message refusing a statement parameter, or ``None`` when it can be stored."""
    if not isinstance(value, str) or value.isascii() and (nul_allowed or "\x00" not in value):
        return None
    if not is_lone_surrogate_free(value):
        return LONE_SURROGATE
    if not nul_allowed and "\x00" in value:
        return NUL
    return None


def parameter_values(parameters, executemany):
    """Every value of a statement's DBAPI parameters (a dict or a sequence, or a list of
    those for ``executemany``)."""
    for params in (parameters if executemany else (parameters,)):
        yield from (params.values() if isinstance(params, dict) else params or ())


def refuse_unstorable_text(conn, cursor, statement, parameters, context, executemany):
    """SQLAlchemy ``before_cursor_execute`` listener: raise ``InvalidInput`` for a parameter
    the database cannot store."""
    nul_allowed = conn.dialect.name != "postgresql"
    for value in parameter_values(parameters, executemany):
        message = text_refusal(value, nul_allowed)
        if message is not None:
            raise InvalidInput(message)


def install(engine):
    """Check every statement ``engine`` runs."""
    sa.event.listen(engine, "before_cursor_execute", refuse_unstorable_text)
