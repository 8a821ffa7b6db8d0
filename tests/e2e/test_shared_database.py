"""One database for every service, as Kolla configures it (a ``[database] connection``
without ``{service}``): each service keeps its own tables and its own Alembic version table,
on SQLite and on PostgreSQL, and the whole platform runs on it."""
import os
import uuid

import pytest
import sqlalchemy as sa

import qinling_execution.models
import qinling_function.models
import qinling_trigger.models
from qinling_nameko.database import upgrade
from qinling_testing.api_client import ApiClient
from qinling_testing.platform import healthy_platform

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432"
SERVICES = {"function": qinling_function, "execution": qinling_execution,
            "trigger": qinling_trigger}
MODELS = {"function": qinling_function.models, "execution": qinling_execution.models,
          "trigger": qinling_trigger.models}


def tables_of(service):
    return set(MODELS[service].Base.metadata.tables)


def test_no_two_services_own_a_table_of_the_same_name():
    owners = [table for service in SERVICES for table in tables_of(service)]
    assert len(owners) == len(set(owners))


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/qinling.sqlite"
        return
    name = f"qinling_shared_{uuid.uuid4().hex[:8]}"
    yield f"{POSTGRES}/{name}"
    admin = sa.create_engine(f"{POSTGRES}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_every_service_migrates_into_one_database(shared_url):
    for _ in range(2):   # a restart finds every service at its head: nothing to do
        for service, package in SERVICES.items():
            upgrade(shared_url, os.path.join(os.path.dirname(package.__file__), "migrations"),
                    f"alembic_version_{service}")
    engine = sa.create_engine(shared_url)
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        heads = {service: conn.execute(sa.text(
            f"SELECT version_num FROM alembic_version_{service}")).scalars().all()
            for service in SERVICES}
    engine.dispose()
    expected = set().union(*(tables_of(s) for s in SERVICES))
    assert tables == expected | {f"alembic_version_{s}" for s in SERVICES}
    assert all(len(revisions) == 1 for revisions in heads.values()), heads


def test_the_platform_runs_on_one_database(shared_url):
    """Three services start together on one database (on PostgreSQL, the first to find it
    missing creates it; the others may race it)."""
    url = shared_url
    with healthy_platform(conf_overrides={"database": {"connection": url}}) as platform, \
            ApiClient(platform.url) as api:
        runtime = api.create_runtime().json()
        api.wait_for_status(f"/v1/runtimes/{runtime['id']}", {"available"})
        function = api.create_function(runtime["id"]).json()
        execution = api.execute(function["id"], {"name": "one database"}).json()
        assert execution["status"] == "success", execution
        webhook = api.post("/v1/webhooks", json={"function_id": function["id"]})
        assert webhook.status_code == 201, webhook.text
        assert api.delete(f"/v1/functions/{function['id']}").status_code == 403  # in use
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        versions = {t for t in sa.inspect(conn).get_table_names() if t.startswith("alembic")}
    engine.dispose()
    assert versions == {f"alembic_version_{service}" for service in SERVICES}
