"""A missing database is made by whichever of the services sharing it gets there first, on
PostgreSQL and MariaDB (SQLite makes its file itself): the others, racing it, find it made."""
import pytest
import sqlalchemy as sa
from eventlet import patcher

from qinling_nameko.database import ensure_database
from qinling_testing.databases import MARIADB, scratch_database

real_threading = patcher.original("threading")
SERVICES = 8


@pytest.mark.parametrize("kind", ["postgresql", "mariadb"])
def test_services_racing_to_make_a_missing_database_all_find_it(kind, tmp_path):
    with scratch_database(kind, tmp_path) as url:
        start, errors = real_threading.Barrier(SERVICES), []

        def service():
            start.wait()
            try:
                ensure_database(url)
            except Exception as error:  # noqa: BLE001 - the test reports it
                errors.append(error)

        threads = [real_threading.Thread(target=service) for _ in range(SERVICES)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == [] and not any(thread.is_alive() for thread in threads)
        ensure_database(url)   # found: nothing to do
        engine = sa.create_engine(url)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
        engine.dispose()


def test_a_mariadb_database_is_made_utf8mb4_binary(tmp_path):
    with scratch_database("mariadb", tmp_path) as url:
        ensure_database(url)
        admin = sa.create_engine(f"{MARIADB}/information_schema")
        with admin.connect() as conn:
            made = conn.execute(sa.text(
                "SELECT default_character_set_name, default_collation_name FROM schemata "
                "WHERE schema_name = :n"), {"n": sa.engine.make_url(url).database}).one()
        admin.dispose()
    assert tuple(made) == ("utf8mb4", "utf8mb4_bin")
