"""Opening a profile's SQLite file: refuse what is not ours, configure every connection, migrate.

The checks run before anything can write: a file that is not a SQLite database, or whose schema is newer
than this release, is refused with the file left byte-for-byte as it was, because the most likely cause is
a user pointing us at the wrong file or an older build opening a newer profile, and "helpfully" touching
either one would destroy data. The inspection itself uses a read-only connection without our PRAGMAs, so
not even the journal mode changes on a refused file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, QueuePool

from groundstation.domain.errors import InvalidError, NotFoundError

SQLITE_HEADER = b"SQLite format 3\x00"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 5000


def alembic_config() -> Config:
    """An Alembic config built in code: the scripts ship inside the package, no alembic.ini on disk."""
    config = Config()
    # ConfigParser interpolation would read a '%' in the install path as a placeholder.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def _known_revision(revision: str) -> bool:
    script = ScriptDirectory.from_config(alembic_config())
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def check_sqlite_header(path: Path) -> None:
    """Refuse a file that is not a SQLite database. An empty file is what SQLite itself makes of a new
    database before the first write, so it passes (a crash at that moment must not brick a profile)."""
    with path.open("rb") as f:
        header = f.read(len(SQLITE_HEADER))
    if header and header != SQLITE_HEADER:
        raise InvalidError(f"{path} is not a SQLite database; refusing to open it (the file was not changed)")


def _connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    # A URI with mode=ro never creates the file and makes SQLite itself refuse writes; mode=rw also never
    # creates it, so a profile whose database vanished fails instead of coming back empty.
    uri = f"{path.resolve().as_uri()}?mode={'ro' if read_only else 'rw'}"
    # The pool may close a connection from another thread than the store's worker (engine disposal).
    return sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)


def _raw_engine(path: Path, *, read_only: bool, pooled: bool = True) -> Engine:
    # The pool class is explicit: a bare "sqlite://" URL would otherwise get the in-memory database's
    # one-connection-per-thread pool.
    return create_engine(
        "sqlite+pysqlite://",
        creator=lambda: _connect(path, read_only=read_only),
        poolclass=QueuePool if pooled else NullPool,
    )


def stored_revision(path: Path) -> tuple[str | None, bool]:
    """The file's Alembic revision and whether it holds any table, read without changing the file."""
    engine = _raw_engine(path, read_only=True, pooled=False)
    try:
        with engine.connect() as conn:
            revision = MigrationContext.configure(conn).get_current_revision()
            has_tables = bool(inspect(conn).get_table_names())
    except Exception as exc:
        raise InvalidError(f"{path} cannot be read as a SQLite database: {exc}") from exc
    finally:
        engine.dispose()
    return revision, has_tables


def check_revision(path: Path, *, read_only: bool) -> None:
    """Refuse a schema this release cannot work with; say what to do about it."""
    revision, has_tables = stored_revision(path)
    if revision is None:
        if has_tables:
            raise InvalidError(f"{path} is a SQLite database but not a groundstation profile (no schema revision)")
        if read_only:
            raise InvalidError(f"{path} has no schema yet; open the profile once for the runtime to create it")
        return
    if not _known_revision(revision):
        raise InvalidError(
            f"{path} has schema revision {revision!r}, which this release does not know: it was written by a "
            "newer groundstation; upgrade groundstation to open it (the file was not changed)"
        )
    head = head_revision()
    if read_only and revision != head:
        raise InvalidError(
            f"{path} has schema revision {revision!r}, older than this release's {head!r}; open the profile "
            "once for the runtime to upgrade it"
        )


def _configure_connection(read_only: bool) -> Any:
    def on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        # Take transaction control from the sqlite3 module's legacy mode, which would skip BEGIN before
        # SELECTs, DDL and SAVEPOINTs (breaking nested transactions); the "begin" hook emits it instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if read_only:
                cursor.execute("PRAGMA query_only = ON")
            else:
                # WAL lets read-only CLI listings run beside the runtime; NORMAL is durable enough in WAL
                # (a power cut can lose the last commits, never corrupt the file) and much faster.
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    return on_connect


def create_profile_engine(path: Path, *, read_only: bool) -> Engine:
    """An engine whose every connection carries the profile's PRAGMAs; checks nothing, see open_database."""
    engine = _raw_engine(path, read_only=read_only)
    event.listen(engine, "connect", _configure_connection(read_only))

    # Writers take SQLite's write lock when the transaction starts, not at its first write: with a second
    # writer beside the runtime (a `tokens` command), a deferred BEGIN that reads and then writes can fail
    # at once with "database is locked" where an immediate one waits out the busy timeout.
    begin = "BEGIN" if read_only else "BEGIN IMMEDIATE"

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    return engine


def upgrade(engine: Engine) -> None:
    """Apply every migration up to head, in one transaction on one of the engine's own connections."""
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def open_database(path: Path, *, read_only: bool, create: bool = False) -> Engine:
    """Check, connect and (for writers) migrate ``path``. ``create`` allows making a new file."""
    if path.exists():
        check_sqlite_header(path)
        check_revision(path, read_only=read_only)
    elif read_only or not create:
        raise NotFoundError(f"no profile database at {path}")
    else:
        # mode=rw never creates a file, so make an empty one: SQLite treats it as a new database.
        path.touch(exist_ok=False)
    engine = create_profile_engine(path, read_only=read_only)
    if not read_only:
        try:
            upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
    return engine
