"""Migration 0003 on a database that already holds functions (SQLite, PostgreSQL, MariaDB)."""
import datetime
import os

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

import qinling_function
from qinling_nameko.database import ensure_database


def test_0003_adds_max_retries_unset(database_url):
    ensure_database(database_url)
    cfg = Config()
    cfg.set_main_option("script_location",
                        os.path.join(os.path.dirname(qinling_function.__file__), "migrations"))
    cfg.set_main_option("sqlalchemy.url", database_url)
    command.upgrade(cfg, "0002")
    engine = sa.create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO functions (id, project_id, code, cpu, memory_size, timeout, count, "
            "latest_version, version_counter, created_at) VALUES ('f1', 'p', "
            "'{\"source\": \"package\"}', 100, 1, 5, 0, 0, 0, :at)"),
            {"at": datetime.datetime(2020, 1, 1)})
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT max_retries FROM functions")).scalar_one() is None
    command.downgrade(cfg, "0002")
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("functions")}
    assert "max_retries" not in columns and "timeout" in columns
    engine.dispose()
