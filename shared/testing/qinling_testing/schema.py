"""Do a service's Alembic migrations build exactly the schema its models declare?"""
import os

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from qinling_nameko.database import upgrade


def drift(package, metadata, url):
    """The differences between ``metadata`` and a database migrated to head ([] = none)."""
    upgrade(url, os.path.join(os.path.dirname(package.__file__), "migrations"))
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return [d for d in compare_metadata(context, metadata)
                    if not (isinstance(d, tuple) and d[0] == "remove_table"
                            and d[1].name == "alembic_version")]
    finally:
        engine.dispose()
