"""Do a service's Alembic migrations build exactly the schema its models declare?"""
import os

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from qinling_nameko.database import VERSION_TABLE, upgrade


def drift(package, metadata, url, version_table=VERSION_TABLE):
    """The differences between ``metadata`` and a database migrated to head ([] = none).
    Tables ``metadata`` does not declare are left out: the Alembic version tables, and the
    other services' tables in a database the services share."""
    upgrade(url, os.path.join(os.path.dirname(package.__file__), "migrations"), version_table)

    def declared(obj, name, type_, reflected, compare_to):
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        return table is None or table in metadata.tables

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": declared})
            return compare_metadata(context, metadata)
    finally:
        engine.dispose()
