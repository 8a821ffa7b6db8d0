"""The Alembic ``env.py`` body every service shares: ``run()`` from each service's env.py.

Replicas of a service start together (``docker compose up --scale execution=2``) and would
race to create the same tables; each upgrade holds a lock of the database, named after the
service's version table, so that one migrates and the others then find the schema at head.
"""
import contextlib
import zlib

import sqlalchemy as sa
from alembic import context
from sqlalchemy import engine_from_config, pool

from qinling_nameko import column_types

LOCK_TIMEOUT = 300  # s a replica waits for another one's migrations (MySQL/MariaDB)


def run():
    config = context.config
    engine = engine_from_config(config.get_section(config.config_ini_section, {}),
                                prefix="sqlalchemy.", poolclass=pool.NullPool)
    version_table = config.attributes.get("version_table", "alembic_version")
    with engine.connect() as connection, migration_lock(connection, version_table):
        # batch mode lets ALTER TABLE migrations run on SQLite as on PostgreSQL
        context.configure(connection=connection, render_as_batch=True,
                          version_table=version_table)
        with context.begin_transaction():
            context.run_migrations()


@contextlib.contextmanager
def migration_lock(connection, name):
    """Hold the database's lock ``name`` (session-level) while the block runs: an advisory
    lock on PostgreSQL, ``GET_LOCK`` on MySQL/MariaDB; SQLite's file lock does it already."""
    backend = connection.dialect.name
    if backend == "postgresql":
        key = zlib.crc32(f"qinling-migrations:{name}".encode())
        take = sa.text("SELECT pg_advisory_lock(:key)").bindparams(key=key)
        give = sa.text("SELECT pg_advisory_unlock(:key)").bindparams(key=key)
    elif backend in column_types.MYSQL:
        lock = f"qinling-migrations:{name}"
        take = sa.text("SELECT GET_LOCK(:lock, :wait)").bindparams(lock=lock, wait=LOCK_TIMEOUT)
        give = sa.text("SELECT RELEASE_LOCK(:lock)").bindparams(lock=lock)
    else:
        yield
        return
    if connection.execute(take).scalar() == 0:  # GET_LOCK's timeout
        raise TimeoutError(f"Waited {LOCK_TIMEOUT} s for another replica's migrations.")
    connection.commit()  # the lock outlives this transaction; Alembic begins its own
    try:
        yield
    finally:
        connection.execute(give)
        connection.commit()
