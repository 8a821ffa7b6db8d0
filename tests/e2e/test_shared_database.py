"""One database for every service, as Kolla configures it (a ``[database] connection``
without ``{service}``): each service keeps its own tables and its own Alembic version table,
on SQLite, PostgreSQL and MariaDB (through Kolla's
``mysql+pymysql://<user>:<password>@host/<database>``, a user with every right on that
database alone), and the whole platform runs on it."""
import datetime
import os

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

import qinling_execution.models
import qinling_function.models
import qinling_trigger.models
from qinling_nameko.database import upgrade
from qinling_testing.api_client import ApiClient
from qinling_testing.databases import KINDS, MARIADB, mariadb_account, scratch_database
from qinling_testing.platform import healthy_platform
from qinling_testing.schema import drift

SERVICES = {"function": qinling_function, "execution": qinling_execution,
            "trigger": qinling_trigger}
MODELS = {"function": qinling_function.models, "execution": qinling_execution.models,
          "trigger": qinling_trigger.models}
ENDED = {"success", "error", "failed"}


def tables_of(service):
    return set(MODELS[service].Base.metadata.tables)


def migrate_every_service(url):
    for service, package in SERVICES.items():
        upgrade(url, os.path.join(os.path.dirname(package.__file__), "migrations"),
                f"alembic_version_{service}")


def test_no_two_services_own_a_table_of_the_same_name():
    owners = [table for service in SERVICES for table in tables_of(service)]
    assert len(owners) == len(set(owners))


@pytest.fixture(params=KINDS)
def shared_url(request, tmp_path):
    """A database no service made yet (the first to start makes it), dropped afterwards; on
    MariaDB reached as Kolla's service account."""
    with scratch_database(request.param, tmp_path, "qinling") as url:
        if request.param != "mariadb":
            yield url
            return
        with mariadb_account(url) as kolla_url:
            yield kolla_url


def test_every_service_migrates_into_one_database(shared_url):
    for _ in range(2):   # a restart finds every service at its head: nothing to do
        migrate_every_service(shared_url)
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
    for service, package in SERVICES.items():   # the migrations build what the models say
        assert drift(package, MODELS[service].Base.metadata, shared_url,
                     f"alembic_version_{service}") == [], service


@pytest.mark.parametrize("charset, scheme", [("latin1", "mysql+pymysql"),
                                             ("utf8mb3", "mariadb+pymysql")])
def test_on_mariadb_the_schema_keeps_microseconds_long_text_and_any_unicode(
        tmp_path, charset, scheme):
    """Timestamps are DATETIME(6) and long text LONGTEXT (Alembic's comparison sees neither),
    and tables are utf8mb4 with a binary collation even in a database made beforehand with an
    older default character set (MySQL's latin1, the utf8mb3 many deployments set), through
    either of SQLAlchemy's URL schemes."""
    with scratch_database("mariadb", tmp_path, "qinling") as url, \
            mariadb_account(url) as account_url:
        kolla_url = account_url.replace("mysql+pymysql", scheme, 1)
        name = sa.engine.make_url(url).database
        admin = sa.create_engine(f"{MARIADB}/information_schema")
        with admin.begin() as conn:
            conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET {charset}"))
        admin.dispose()
        migrate_every_service(kolla_url)
        engine = sa.create_engine(kolla_url)
        with engine.begin() as conn:
            collations = dict(conn.execute(sa.text(
                "SELECT table_name, table_collation FROM information_schema.tables "
                "WHERE table_schema = DATABASE()")).all())
            types = {(table, column): column_type for table, column, column_type in
                     conn.execute(sa.text(
                         "SELECT table_name, column_name, column_type FROM "
                         "information_schema.columns WHERE table_schema = DATABASE()"))}
            conn.execute(qinling_trigger.models.Webhook.__table__.insert(), {
                "id": "w1", "project_id": "p", "description": "caf\u00e9 \U0001F600",
                "created_at": datetime.datetime(2030, 1, 1)})
            assert conn.execute(sa.text("SELECT description FROM webhooks")).scalar_one() \
                == "caf\u00e9 \U0001F600"
        engine.dispose()
    expected = set().union(*(tables_of(s) for s in SERVICES))
    assert {t: c for t, c in collations.items() if t in expected} == \
        dict.fromkeys(expected, "utf8mb4_bin")
    declared = {(table.name, column.name): column.type.compile(dialect=mysql.dialect()).lower()
                for models in MODELS.values() for table in models.Base.metadata.tables.values()
                for column in table.columns}
    timestamps = {key for key, ddl in declared.items() if ddl == "datetime(6)"}
    long_texts = {key for key, ddl in declared.items() if ddl == "longtext"}
    assert ("jobs", "next_execution_time") in timestamps and ("executions", "logs") in long_texts
    assert {key for key in timestamps if types[key] == "datetime(6)"} == timestamps
    assert {key for key in long_texts if types[key] == "longtext"} == long_texts


def test_the_platform_runs_on_one_database(shared_url):
    """Three services start together on one database (on PostgreSQL and MariaDB, the first
    to find it missing creates it; the others may race it)."""
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
        invoked = requests.post(webhook.json()["webhook_url"], data={"name": "hook"},
                                timeout=60)
        assert invoked.status_code == 202, invoked.text
        by_hook = api.wait_for_status(f"/v1/executions/{invoked.json()['execution_id']}",
                                      ENDED)
        assert by_hook["status"] == "success", by_hook
        # keyset pages, one execution each, in the order they were made
        pages, marker = [], None
        for _ in range(3):
            page = api.get("/v1/executions", params={"limit": 1, **(
                {"marker": marker} if marker else {})}).json()["executions"]
            pages += [e["id"] for e in page]
            marker = page[-1]["id"] if page else None
        assert pages == [execution["id"], by_hook["id"]]
        for name in ("Prod", "prod"):   # names keep their case on every database
            alias = api.post("/v1/aliases", json={"name": name, "function_id": function["id"]})
            assert alias.status_code == 201, alias.text
        job = api.post("/v1/jobs", json={"function_id": function["id"],
                                         "pattern": "0 0 1 1 *"})
        assert job.status_code == 201, job.text
        assert api.delete(f"/v1/functions/{function['id']}").status_code == 403  # in use
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        versions = {t for t in sa.inspect(conn).get_table_names() if t.startswith("alembic")}
    engine.dispose()
    assert versions == {f"alembic_version_{service}" for service in SERVICES}
