"""Connecting to the database and bringing its schema up to date with Alembic."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlmodel import Session, create_engine

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DATA_DIR = Path("data")
MIGRATION_LOCK = 0x56_42_4D_49_47_52  # "VBMIGR": the PostgreSQL advisory lock every schema upgrade holds
# The newest migration's revision (a test checks it is Alembic's head). A database already at it opens
# without importing Alembic: ~8 MB of modules (Mako, every dialect's DDL) a running bot does not need.
HEAD = "0009_i11"


def default_database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'vruchtbare-bodem.sqlite3'}"


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3 here."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def create_private_file(path: Path) -> None:
    """The SQLite file, readable by its owner only (0600 in a 0700 folder when we create it).
    SQLite gives its -wal and -shm files the database file's permissions."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(path, 0o600)  # whatever the umask


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.execute("PRAGMA busy_timeout=5000")  # wait for a lock instead of failing at once
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable at every commit in WAL mode, minus power loss
    cursor.close()


class _OneWriter:
    """SQLite's writers, one at a time, queued in Python.

    SQLite lets one transaction write at a time; another writer waits in its busy handler, which
    polls with sleeps of 1 up to 100 ms. With several threads writing (updates of many chats handled
    side by side) those sleeps, not the work, made the latency. Here the next writer starts the moment
    the previous one ends. Reads take no turn. Waiting is bounded: after ``WAIT`` s a writer goes on and
    SQLite's own lock (and busy timeout) decides, as without this."""

    WAIT = 5.0
    KEY = "vb_writer"

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def attach(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)
        event.listen(engine.pool, "checkin", self._checkin)

    def _before(self, conn, _cursor, statement: str, _parameters, _context, _executemany) -> None:
        if self.KEY in conn.info or statement.lstrip()[:6].upper() in ("SELECT", "PRAGMA"):
            return
        if self._lock.acquire(timeout=self.WAIT):
            conn.info[self.KEY] = True

    def _end(self, conn) -> None:
        if conn.info.pop(self.KEY, False):
            self._lock.release()

    def _checkin(self, _dbapi_connection, record) -> None:  # a connection returned in any state gives its turn back
        if record.info.pop(self.KEY, False):
            self._lock.release()


class _PingWhenIdle:
    """A server connection that sat idle may have been dropped (a restart, a proxy's idle timeout): check it
    on checkout, but only then. SQLAlchemy's pool_pre_ping costs a round trip on every checkout, three an
    answered input; a connection in steady use was checked by the statements it just ran."""

    IDLE = 10.0  # seconds unused after which a connection is checked before use

    def attach(self, engine: Engine) -> None:
        event.listen(engine.pool, "checkout", self._checkout)
        event.listen(engine.pool, "checkin", self._checkin)

    def _checkin(self, _dbapi_connection, record) -> None:
        record.info["vb_idle_since"] = time.monotonic()

    def _checkout(self, dbapi_connection, record, _proxy) -> None:
        since = record.info.get("vb_idle_since")
        if since is None or time.monotonic() - since < self.IDLE:
            return
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
            dbapi_connection.rollback()
        except Exception as exc:  # the pool throws this connection away and takes (or makes) another
            raise DisconnectionError() from exc


class Database:
    """One engine, migrated on open; sessions commit or roll back as a unit."""

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        self.url = normalise_url(url or default_database_url())
        parsed = make_url(self.url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            create_private_file(Path(parsed.database))
        sqlite = parsed.get_backend_name() == "sqlite"
        # hide_parameters: a database error in the log must not carry the answer text it was saving.
        self.engine: Engine = create_engine(self.url, hide_parameters=True)
        if sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            _OneWriter().attach(self.engine)
        else:
            _PingWhenIdle().attach(self.engine)  # a server connection can drop between updates; a file cannot
        if migrate and self.stored_revision() != HEAD:
            self.upgrade()

    def stored_revision(self) -> str | None:
        """The revision recorded in the database, read without Alembic; None when there is none (or the
        database cannot be read: then the upgrade says why)."""
        try:
            with self.engine.connect() as connection:
                rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        except DBAPIError:  # no such table: never migrated
            return None
        return rows[0] if len(rows) == 1 else None

    def alembic_config(self) -> Config:
        from alembic.config import Config  # Alembic only when migrating (see HEAD)

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        cfg.attributes["connection_engine"] = self.engine
        return cfg

    def upgrade(self, revision: str = "head") -> None:
        """Safe with several processes on one PostgreSQL database: the migrations take an advisory lock."""
        from alembic import command

        command.upgrade(self.alembic_config(), revision)

    def revision(self) -> str | None:
        """The schema revision the database is at (None: never migrated)."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def head(self) -> str | None:
        """The newest revision this code knows."""
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(self.alembic_config()).get_current_head()

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
