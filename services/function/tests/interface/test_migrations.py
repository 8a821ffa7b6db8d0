"""Migration 0002 on a database that already holds functions (SQLite, PostgreSQL, MariaDB)."""
import datetime
import os

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

import qinling_function
from qinling_nameko.database import ensure_database


def alembic(url):
    cfg = Config()
    cfg.set_main_option("script_location",
                        os.path.join(os.path.dirname(qinling_function.__file__), "migrations"))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def test_0002_keeps_existing_functions(database_url):
    ensure_database(database_url)
    cfg = alembic(database_url)
    command.upgrade(cfg, "0001")
    engine = sa.create_engine(database_url)
    row = {"id": "f1", "project_id": "p", "code": '{"source": "package", "md5sum": "abc"}',
           "cpu": 100, "memory_size": 1, "timeout": 5, "count": 0, "latest_version": 3,
           "created_at": datetime.datetime(2020, 1, 1)}
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO functions (id, project_id, code, cpu, memory_size, timeout, count, "
            "latest_version, created_at) VALUES (:id, :project_id, :code, :cpu, :memory_size, "
            ":timeout, :count, :latest_version, :created_at)"), row)
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        migrated = conn.execute(sa.text(
            "SELECT package_md5, version_counter FROM functions WHERE id = 'f1'")).one()
        tables = set(sa.inspect(conn).get_table_names())
    assert tuple(migrated) == ("abc", 3)
    assert {"function_versions", "function_aliases"} <= tables
    command.downgrade(cfg, "0001")
    with engine.connect() as conn:
        assert "function_versions" not in sa.inspect(conn).get_table_names()
    engine.dispose()
