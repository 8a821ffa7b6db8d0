"""The Alembic ``env.py`` body every service shares: ``run()`` from each service's env.py."""
from alembic import context
from sqlalchemy import engine_from_config, pool


def run():
    config = context.config
    engine = engine_from_config(config.get_section(config.config_ini_section, {}),
                                prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        # batch mode lets ALTER TABLE migrations run on SQLite as on PostgreSQL
        context.configure(connection=connection, render_as_batch=True,
                          version_table=config.attributes.get("version_table",
                                                              "alembic_version"))
        with context.begin_transaction():
            context.run_migrations()
