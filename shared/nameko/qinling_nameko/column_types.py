"""Column types and table options that mean the same on every database Qinling runs on
(SQLite, PostgreSQL, MySQL/MariaDB). Models and migrations use them; on SQLite and PostgreSQL
they are SQLAlchemy's plain types, and their DDL has not changed.

On MySQL/MariaDB:

- timestamps keep their microseconds (``DATETIME(6)``; a bare ``DATETIME`` drops them): rows
  made within one second still list in the order they were made (keyset pages too), and a
  compare-and-set on a timestamp (a job's claim) compares what was written;
- long text is ``LONGTEXT``, as Qinling had it (``TEXT`` stops at 64 KiB; logs are kept up to
  1 Mi characters);
- tables are ``utf8mb4`` (any Unicode, whatever the server's or the database's default, e.g.
  Kolla's ``utf8``) with a binary collation: names, keys and ``has`` filters compare as on
  PostgreSQL and SQLite, case and accents included (with a ``_ci`` collation an alias ``Prod``
  would collide with ``prod``); trailing spaces alone still do not tell two names apart
  (``utf8mb4_bin`` pads, and is the binary collation MySQL and MariaDB share). The options are
  given under both of SQLAlchemy's prefixes: a ``mariadb://`` URL reads only ``mariadb_`` ones.
"""
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

MYSQL = ("mysql", "mariadb")   # SQLAlchemy's two names of the dialect

DateTime = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), *MYSQL)
LongText = sa.Text().with_variant(mysql.LONGTEXT(), *MYSQL)
CHARSET = "utf8mb4"
COLLATION = "utf8mb4_bin"
TABLE_OPTIONS = {f"{prefix}_{option}": value for prefix in MYSQL
                 for option, value in (("charset", CHARSET), ("collate", COLLATION))}
