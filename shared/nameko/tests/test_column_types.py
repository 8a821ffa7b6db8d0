"""The column types and table options of every service's tables keep on MariaDB what SQLite
and PostgreSQL keep (microseconds, long text, case), and leave those two databases' DDL as it
was."""
import datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.schema import CreateTable

from qinling_nameko.column_types import TABLE_OPTIONS, DateTime, LongText
from qinling_nameko.database import ensure_database, make_engine
from qinling_testing.databases import KINDS, scratch_database

SAMPLES = sa.Table("samples", sa.MetaData(),
                   sa.Column("id", sa.String(36), primary_key=True),
                   sa.Column("name", sa.String(255), unique=True),
                   sa.Column("at", DateTime), sa.Column("text", LongText), **TABLE_OPTIONS)


@pytest.fixture(params=KINDS)
def engine(request, tmp_path):
    with scratch_database(request.param, tmp_path, "samples") as url:
        ensure_database(url)
        engine = make_engine(url)
        SAMPLES.create(engine)
        yield engine
        engine.dispose()


@pytest.mark.parametrize("url, ddl", [
    ("sqlite://", "CREATE TABLE t (at DATETIME, text TEXT)"),
    ("postgresql+psycopg://", "CREATE TABLE t (at TIMESTAMP WITHOUT TIME ZONE, text TEXT)"),
    ("mysql+pymysql://", "CREATE TABLE t (at DATETIME(6), text LONGTEXT)"
                         "CHARSET=utf8mb4 COLLATE utf8mb4_bin"),
    ("mariadb+pymysql://", "CREATE TABLE t (at DATETIME(6), text LONGTEXT)"
                           "CHARSET=utf8mb4 COLLATE utf8mb4_bin"),
])
def test_ddl_of_each_database(url, ddl):
    table = sa.Table("t", sa.MetaData(), sa.Column("at", DateTime), sa.Column("text", LongText),
                     **TABLE_OPTIONS)
    compiled = str(CreateTable(table).compile(dialect=sa.engine.make_url(url).get_dialect()()))
    assert " ".join(compiled.split()).replace("( ", "(").replace(" )", ")") == ddl


def test_timestamps_keep_their_microseconds_and_order(engine):
    first = datetime.datetime(2030, 1, 1, 12, 0, 0, 123456)
    with engine.begin() as conn:
        conn.execute(SAMPLES.insert(), [{"id": "b", "at": first + datetime.timedelta(
            microseconds=1)}, {"id": "a", "at": first}])
        assert conn.execute(sa.select(SAMPLES.c.id).order_by(SAMPLES.c.at)).scalars().all() \
            == ["a", "b"]
        assert conn.execute(sa.select(SAMPLES.c.id).where(SAMPLES.c.at == first)).scalar_one() \
            == "a"


def test_long_text_holds_a_mebibyte_of_four_byte_characters(engine):
    text = "\U0001F600" * (1024 * 1024)
    with engine.begin() as conn:
        conn.execute(SAMPLES.insert(), {"id": "a", "text": text})
        assert conn.execute(sa.select(SAMPLES.c.text)).scalar_one() == text


def test_names_compare_with_their_case_and_accents(engine):
    with engine.begin() as conn:
        conn.execute(SAMPLES.insert(), [{"id": "a", "name": "Prod"}, {"id": "b", "name": "prod"},
                                        {"id": "c", "name": "caf\u00e9"},
                                        {"id": "d", "name": "cafe"}])
        assert conn.execute(sa.select(SAMPLES.c.id).where(SAMPLES.c.name == "prod")
                            ).scalars().all() == ["b"]
    with engine.begin() as conn, pytest.raises(sa.exc.IntegrityError):
        conn.execute(SAMPLES.insert(), {"id": "e", "name": "Prod"})
