"""Scratch databases are made on the real servers and dropped afterwards, even with a
connection still open; a Kolla-style MariaDB account reaches its database alone and is dropped."""
import pytest
import sqlalchemy as sa

from qinling_nameko.database import ensure_database
from qinling_testing.databases import MARIADB, POSTGRES, mariadb_account, scratch_database

LIST_DATABASES = {
    "postgresql": (f"{POSTGRES}/postgres", "SELECT datname FROM pg_database"),
    "mariadb": (f"{MARIADB}/information_schema", "SELECT schema_name FROM schemata"),
}


def databases(kind):
    url, query = LIST_DATABASES[kind]
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        names = set(conn.execute(sa.text(query)).scalars())
    engine.dispose()
    return names


@pytest.mark.parametrize("kind", sorted(LIST_DATABASES))
def test_a_scratch_database_is_dropped_with_a_connection_still_open(kind, tmp_path):
    with scratch_database(kind, tmp_path) as url:
        name = sa.engine.make_url(url).database
        assert name not in databases(kind)   # made by its first user, as a service would
        ensure_database(url)
        engine = sa.create_engine(url)
        conn = engine.connect()
        conn.execute(sa.text("SELECT 1"))
        assert name in databases(kind)
    assert name not in databases(kind)
    conn.invalidate()
    engine.dispose()


def test_a_kolla_style_account_reaches_its_database_alone(tmp_path):
    with scratch_database("mariadb", tmp_path) as url, mariadb_account(url) as kolla_url:
        account = sa.engine.make_url(kolla_url)
        assert (account.username.startswith("qinling_"), bool(account.password),
                account.database) == (True, True, sa.engine.make_url(url).database)
        ensure_database(kolla_url)   # its rights on the database let it make it
        engine = sa.create_engine(kolla_url)
        with engine.connect() as conn:
            visible = set(conn.execute(sa.text("SHOW DATABASES")).scalars())
            with pytest.raises(sa.exc.OperationalError, match="Access denied"):
                conn.execute(sa.text("CREATE DATABASE qinling_not_granted"))
        engine.dispose()
        assert visible == {"information_schema", account.database}
    engine = sa.create_engine(kolla_url)
    with pytest.raises(sa.exc.OperationalError, match="Access denied"):   # the user is gone
        engine.connect()
    engine.dispose()
