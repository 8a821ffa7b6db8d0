"""Text no database can store is an ``InvalidInput`` before the statement runs, on the real
SQLite, PostgreSQL and MariaDB drivers (a lone surrogate arrives over RPC from any ``\\ud800``)."""
import pytest
import sqlalchemy as sa

from qinling_nameko import storable_text
from qinling_nameko.database import ensure_database, make_engine
from qinling_shared.exceptions import InvalidInput
from qinling_testing.databases import KINDS, scratch_database

ROWS = sa.Table("rows", sa.MetaData(), sa.Column("id", sa.String(36), primary_key=True),
                sa.Column("text", sa.Text))


@pytest.fixture(params=KINDS)
def engine(request, tmp_path):
    with scratch_database(request.param, tmp_path, "rows") as url:
        ensure_database(url)
        engine = make_engine(url)
        ROWS.create(engine)
        yield engine
        engine.dispose()


@pytest.mark.parametrize("text", ["\ud800", "a\udc00b", "\U0001F600\udfff"])
def test_lone_surrogates_are_invalid_input_on_insert_and_query(engine, text):
    with engine.begin() as conn:
        with pytest.raises(InvalidInput) as err:
            conn.execute(ROWS.insert(), {"id": "r1", "text": text})
        assert str(err.value) == storable_text.LONE_SURROGATE
    with engine.connect() as conn, pytest.raises(InvalidInput):
        conn.execute(sa.select(ROWS).where(ROWS.c.id == text))


def test_executemany_is_checked_too(engine):
    with engine.begin() as conn, pytest.raises(InvalidInput):
        conn.execute(ROWS.insert(), [{"id": "r1", "text": "ok"}, {"id": "r2", "text": "\ud800"}])


def test_nul_is_refused_where_the_database_cannot_store_it(engine):
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            with pytest.raises(InvalidInput) as err:
                conn.execute(ROWS.insert(), {"id": "r1", "text": "a\x00b"})
            assert str(err.value) == storable_text.NUL
        else:
            conn.execute(ROWS.insert(), {"id": "r1", "text": "a\x00b"})
            assert conn.execute(sa.select(ROWS.c.text)).scalar_one() == "a\x00b"


def test_other_text_is_stored_as_it_is(engine):
    text = "caf\u00e9 \U0001F600 \t\n"
    with engine.begin() as conn:
        conn.execute(ROWS.insert(), {"id": "r1", "text": text})
        assert conn.execute(sa.select(ROWS.c.text)).scalar_one() == text


@pytest.mark.parametrize("value,nul_allowed,message", [
    ("plain", False, None), (3, False, None), (None, True, None), (b"\x00", False, None),
    ("a\x00", True, None), ("a\x00", False, storable_text.NUL),
    ("\u00e9\x00", False, storable_text.NUL), ("\ud800", True, storable_text.LONE_SURROGATE),
])
def test_text_refusal(value, nul_allowed, message):
    assert storable_text.text_refusal(value, nul_allowed) == message
