"""Replicas of a service started together migrate one at a time (``migrations.
migration_lock``): on PostgreSQL and MariaDB every one of them starts, and the schema is at
head once, as the execution service's Alembic scripts make it. Each replica is a process of
its own, as in a deployment (Alembic's context is one per process)."""
import subprocess
import sys

import pytest
import sqlalchemy as sa

from qinling_testing.databases import scratch_database

REPLICAS = 4
REPLICA = """
import importlib.resources, sys
from qinling_nameko.database import upgrade
upgrade(sys.argv[1], str(importlib.resources.files("qinling_execution") / "migrations"))
"""


@pytest.mark.parametrize("kind", ["postgresql", "mariadb"])
def test_replicas_migrating_at_once_all_start_on_one_schema(kind, tmp_path):
    with scratch_database(kind, tmp_path) as url:
        replicas = [subprocess.Popen([sys.executable, "-c", REPLICA, url], text=True,
                                     stderr=subprocess.PIPE) for _ in range(REPLICAS)]
        failures = [replica.stderr.read() for replica in replicas if replica.wait(120) != 0]
        assert failures == []
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            versions = conn.execute(sa.text("SELECT version_num FROM alembic_version")).all()
            tables = set(sa.inspect(conn).get_table_names())
        engine.dispose()
    assert len(versions) == 1 and {"executions", "runtimes"} <= tables
