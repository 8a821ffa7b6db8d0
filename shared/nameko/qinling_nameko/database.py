"""A service's database (its own, or one the services share with their own tables and
Alembic version tables): engine creation, Alembic upgrade at start, a session per Nameko
worker."""
import importlib
import logging
import os

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from nameko.extensions import DependencyProvider
from sqlalchemy.orm import Session

from qinling_shared.exceptions import NotFound

from qinling_nameko import column_types, storable_text

LOG = logging.getLogger(__name__)
VERSION_TABLE = "alembic_version"   # Alembic's own name: a database of one service


def ensure_database(url):
    """Create a missing PostgreSQL or MySQL/MariaDB database (SQLite creates its file by
    itself). Services sharing one database may all find it missing at once: any of them
    creates it, the others find it made."""
    url = sa.engine.make_url(url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        if url.database and url.database != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(url.database)), exist_ok=True)
    elif backend == "postgresql":
        _ensure_postgresql_database(url)
    elif backend in column_types.MYSQL:
        _ensure_mysql_database(url)


def _ensure_postgresql_database(url):
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": url.database}).scalar()
            if not exists:
                LOG.info("creating database %s", url.database)
                try:
                    conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
                except (sa.exc.ProgrammingError, sa.exc.IntegrityError):
                    # another service sharing the database created it meanwhile
                    if not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                        {"n": url.database}).scalar():
                        raise
    finally:
        admin.dispose()


def _ensure_mysql_database(url):
    """Only a missing database needs a right to create it (Kolla makes the database and
    grants its user every right on it alone); ``IF NOT EXISTS`` lets services race."""
    admin = sa.create_engine(url.set(database="information_schema"))
    try:
        with admin.connect() as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM information_schema.schemata "
                                          "WHERE schema_name = :n"), {"n": url.database}).scalar()
            if not exists:
                LOG.info("creating database %s", url.database)
                name = conn.dialect.identifier_preparer.quote_identifier(url.database)
                conn.execute(sa.text(f"CREATE DATABASE IF NOT EXISTS {name} CHARACTER SET "
                                     f"{column_types.CHARSET} COLLATE {column_types.COLLATION}"))
    finally:
        admin.dispose()


def upgrade(url, script_location, version_table=VERSION_TABLE):
    """Bring the schema to the newest Alembic revision of the service, whose revision is
    kept in ``version_table`` (one per service when services share a database)."""
    ensure_database(url)
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", script_location)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["version_table"] = version_table
    command.upgrade(cfg, "head")


def make_engine(url):
    """The engine of a service's sessions. On MySQL/MariaDB transactions read committed
    rows, as on PostgreSQL (InnoDB's default, repeatable read, would keep showing a worker the
    rows as they were at its first read)."""
    backend = sa.engine.make_url(url).get_backend_name()
    if backend == "sqlite":
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    else:
        isolation = {"isolation_level": "READ COMMITTED"} if backend in column_types.MYSQL \
            else {}
        engine = sa.create_engine(url, pool_pre_ping=True, **isolation)
    storable_text.install(engine)
    return engine


def _sqlite_pragmas(dbapi_connection, _record):
    """WAL with synchronous=NORMAL: commits survive a crash of the process (not of the
    machine) without an fsync each, and readers never wait for the writer."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database(DependencyProvider):
    """Injects a SQLAlchemy session per worker; migrates the schema when the service starts.

    ``package`` is the service package holding ``migrations/``. Reads ``DATABASE_URL`` and
    ``DATABASE_VERSION_TABLE`` (default ``alembic_version``) from the container config.
    """

    def __init__(self, package):
        # a filesystem path: importlib.resources cannot resolve editable installs' folders
        module = importlib.import_module(package)
        self.script_location = os.path.join(os.path.dirname(module.__file__), "migrations")
        self.engine = None
        self.sessions = {}

    def setup(self):
        url = self.container.config["DATABASE_URL"]
        upgrade(url, self.script_location,
                self.container.config.get("DATABASE_VERSION_TABLE") or VERSION_TABLE)
        self.engine = make_engine(url)

    def stop(self):
        if self.engine is not None:
            self.engine.dispose()

    def get_dependency(self, worker_ctx):
        session = Session(self.engine, expire_on_commit=False)
        self.sessions[worker_ctx] = session
        return session

    def worker_teardown(self, worker_ctx):
        session = self.sessions.pop(worker_ctx, None)
        if session is not None:
            session.close()


def get_scoped(session, model, row_id, project_id, is_admin, not_found):
    """The row of ``model`` with ``row_id`` if the caller may see it, else ``NotFound``.

    Admins see every project's rows; others only their own project's. ``not_found`` is the
    message, e.g. ``"Function not found [id=...]"``.
    """
    row = session.get(model, row_id) if isinstance(row_id, str) else None
    if row is None or not (is_admin or row.project_id == project_id):
        raise NotFound(not_found)
    return row
