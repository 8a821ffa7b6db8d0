"""Scratch databases for tests on the database servers of this machine kind, all on 127.0.0.1:
a SQLite file, PostgreSQL (user ``postgres``, trust authentication) or MariaDB (``root``, no
password). Each test gets a database nobody used yet (the first ``ensure_database`` or
``upgrade`` makes it, as a service would), dropped afterwards. ``scripts/infra`` starts the
servers when they do not answer."""
import contextlib
import secrets
import uuid

import sqlalchemy as sa

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432"
MARIADB = "mysql+pymysql://root@127.0.0.1:3306"
KINDS = ("sqlite", "postgresql", "mariadb")
SERVERS = {"postgresql": POSTGRES, "mariadb": MARIADB}


@contextlib.contextmanager
def scratch_database(kind, folder, prefix="qinling_test"):
    """The URL of a fresh database of ``kind`` (one of ``KINDS``); a SQLite file goes in
    ``folder``. Dropped at exit, even with connections still open to it."""
    if kind == "sqlite":
        yield f"sqlite:///{folder}/{prefix}.sqlite"
        return
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    try:
        yield f"{SERVERS[kind]}/{name}"
    finally:
        drop_database(kind, name)


def drop_database(kind, name):
    """Drop database ``name`` on the ``kind`` server if it exists, ending its sessions."""
    admin = _admin(kind)
    try:
        with admin.connect() as conn:
            if kind == "postgresql":
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                return
            sessions = conn.execute(sa.text(
                "SELECT id FROM information_schema.processlist WHERE db = :n"), {"n": name})
            for session_id in sessions.scalars().all():
                with contextlib.suppress(sa.exc.OperationalError):  # ended meanwhile
                    conn.execute(sa.text(f"KILL {int(session_id)}"))
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
    finally:
        admin.dispose()


@contextlib.contextmanager
def mariadb_account(url, user_prefix="qinling"):
    """A MariaDB account for the database of ``url`` (a root URL of ``scratch_database``), as
    Kolla makes a service's: a user with a password and every right on that database alone.
    Yields the Kolla-style URL ``mysql+pymysql://<user>:<password>@127.0.0.1/<database>``;
    the user is dropped at exit."""
    database = sa.engine.make_url(url).database
    user, password = f"{user_prefix}_{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(18)
    grant_on = database.replace("_", r"\_")   # a GRANT's database name is a LIKE pattern
    admin = _admin("mariadb")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f"CREATE USER '{user}'@'%' IDENTIFIED BY :pw"), {"pw": password})
            conn.execute(sa.text(f"GRANT ALL PRIVILEGES ON `{grant_on}`.* TO '{user}'@'%'"))
        yield f"mysql+pymysql://{user}:{password}@127.0.0.1/{database}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP USER IF EXISTS '{user}'@'%'"))
        admin.dispose()


def _admin(kind):
    database = "postgres" if kind == "postgresql" else ""
    return sa.create_engine(f"{SERVERS[kind]}/{database}", isolation_level="AUTOCOMMIT")
