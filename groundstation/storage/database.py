"""Opening a profile's SQLite file: refuse what is not ours, configure every connection, migrate.

The checks run before anything can write: a file that is not a SQLite database, or whose schema is newer
than this release, is refused with the file left byte-for-byte as it was, because the most likely cause is
a user pointing us at the wrong file or an older build opening a newer profile, and "helpfully" touching
either one would destroy data. The inspection itself uses a read-only connection without our PRAGMAs, so
not even the journal mode changes on a refused file.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, QueuePool

from groundstation.domain.errors import GroundstationError, InvalidError, NotFoundError, UnavailableError

log = logging.getLogger(__name__)

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


# SQLite's primary result codes (the low byte of an extended code) that describe_database_error sorts.
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 3, 5, 6, 8
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN = 10, 11, 13, 14
_SQLITE_AUTH, _SQLITE_NOTADB = 23, 26
_PERMISSION_CODES = frozenset({_SQLITE_PERM, _SQLITE_READONLY, _SQLITE_CANTOPEN, _SQLITE_AUTH})
_PERMISSION_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


def damaged_message(path: Path) -> str:
    return (
        f"cannot open {path}: the file is damaged (truncated or not a SQLite database); it was left as it "
        "is and a copy of it is safe to keep; restore the profile from a backup"
    )


def permission_message(path: Path) -> str:
    return f"cannot open {path}: permission denied (the file or its directory is read-only)"


def describe_database_error(path: Path, exc: BaseException) -> GroundstationError:
    """One sentence a person can act on for a failure to open or read the profile database at ``path``,
    from a sqlite3 error (bare or wrapped by SQLAlchemy) or an OSError; never SQLAlchemy's own text.
    A domain error passes through unchanged."""
    if isinstance(exc, GroundstationError):
        return exc
    cause: BaseException = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    if isinstance(cause, OSError):
        if cause.errno in _PERMISSION_ERRNOS:
            return UnavailableError(permission_message(path))
        if cause.errno == errno.ENOSPC:
            return UnavailableError(f"cannot write {path}: the disk is full")
        return UnavailableError(f"cannot open {path}: {cause.strerror or cause}")
    if isinstance(cause, sqlite3.Error):
        code = (getattr(cause, "sqlite_errorcode", None) or 0) & 0xFF
        reason = str(cause.args[0]) if cause.args else type(cause).__name__
        if code in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
            return InvalidError(damaged_message(path))
        if code in _PERMISSION_CODES:
            return UnavailableError(permission_message(path))
        if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
            return UnavailableError(
                f"cannot open {path}: another process kept the database locked for more than "
                f"{BUSY_TIMEOUT_MS / 1000:g} s; try again"
            )
        if code == _SQLITE_FULL:
            return UnavailableError(f"cannot write {path}: the disk is full")
        if code == _SQLITE_IOERR:
            return UnavailableError(f"cannot read {path}: the disk reported an I/O error ({reason})")
        return UnavailableError(f"cannot open {path}: {reason}")
    return UnavailableError(f"cannot open {path}: {type(cause).__name__}: {cause}")


def check_sqlite_header(path: Path) -> None:
    """Refuse a file that is not a SQLite database. An empty file is what SQLite itself makes of a new
    database before the first write, so it passes (a crash at that moment must not brick a profile)."""
    try:
        with path.open("rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise describe_database_error(path, exc) from exc
    if header and header != SQLITE_HEADER and SQLITE_HEADER.startswith(header):
        raise InvalidError(damaged_message(path))  # cut off inside the header: truncated
    if header and header != SQLITE_HEADER:
        raise InvalidError(f"{path} is not a SQLite database; refusing to open it (the file was not changed)")


def _connect(path: Path, *, read_only: bool, immutable: bool = False) -> sqlite3.Connection:
    # A URI with mode=ro never creates the file and makes SQLite itself refuse writes; mode=rw also never
    # creates it, so a profile whose database vanished fails instead of coming back empty. immutable=1
    # (readers only) opens a file SQLite could not otherwise read: in WAL mode even a reader needs to create
    # the -shm file, which a read-only directory refuses.
    mode = "ro&immutable=1" if immutable else ("ro" if read_only else "rw")
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    # The pool may close a connection from another thread than the store's worker (engine disposal).
    return sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)


def _raw_engine(path: Path, *, read_only: bool, pooled: bool = True, immutable: bool = False) -> Engine:
    # The pool class is explicit: a bare "sqlite://" URL would otherwise get the in-memory database's
    # one-connection-per-thread pool.
    return create_engine(
        "sqlite+pysqlite://",
        creator=lambda: _connect(path, read_only=read_only, immutable=immutable),
        poolclass=QueuePool if pooled else NullPool,
    )


def stored_revision(path: Path, *, immutable: bool = False) -> tuple[str | None, bool]:
    """The file's Alembic revision and whether it holds any table, read without changing the file."""
    engine = _raw_engine(path, read_only=True, pooled=False, immutable=immutable)
    try:
        with engine.connect() as conn:
            revision = MigrationContext.configure(conn).get_current_revision()
            has_tables = bool(inspect(conn).get_table_names())
    except Exception as exc:
        raise describe_database_error(path, exc) from exc
    finally:
        engine.dispose()
    return revision, has_tables


def _needs_immutable(path: Path) -> bool:
    """Whether a reader must open ``path`` immutable: SQLite cannot open it read-only the ordinary way
    (its directory or -shm file is read-only) although the file itself can be read."""
    try:
        stored_revision(path)
    except UnavailableError:
        try:
            stored_revision(path, immutable=True)
        except GroundstationError:
            return False
        return True
    except GroundstationError:
        return False
    return False


def check_revision(path: Path, *, read_only: bool, immutable: bool = False) -> None:
    """Refuse a schema this release cannot work with; say what to do about it."""
    revision, has_tables = stored_revision(path, immutable=immutable)
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


def create_profile_engine(path: Path, *, read_only: bool, immutable: bool = False) -> Engine:
    """An engine whose every connection carries the profile's PRAGMAs; checks nothing, see open_database."""
    engine = _raw_engine(path, read_only=read_only, immutable=immutable)
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
    """Check, connect and (for writers) migrate ``path``. ``create`` allows making a new file.

    A reader of a profile whose directory is read-only (a mounted backup, a locked-down copy) opens the file
    immutable: no runtime can be writing there, since a runtime needs to write its lock file beside it."""
    immutable = False
    if path.exists():
        check_sqlite_header(path)
        immutable = read_only and _needs_immutable(path)
        if immutable:
            wal = path.with_name(path.name + "-wal")
            # Worth a line only when it hides something: the last run's changes not yet merged into the file.
            level = logging.WARNING if _size(wal) else logging.DEBUG
            log.log(level, "%s is in a read-only directory: reading the file as it is (without its -wal file)", path)
        check_revision(path, read_only=read_only, immutable=immutable)
    elif read_only or not create:
        raise NotFoundError(f"no profile database at {path}")
    else:
        # mode=rw never creates a file, so make an empty one: SQLite treats it as a new database. Owner-only:
        # it holds token hashes and telemetry (SQLite gives its -wal and -shm files the same mode).
        try:
            path.touch(mode=0o600, exist_ok=False)
        except OSError as exc:
            raise describe_database_error(path, exc) from exc
    engine = create_profile_engine(path, read_only=read_only, immutable=immutable)
    if not read_only:
        try:
            upgrade(engine)
        except Exception as exc:
            engine.dispose()
            raise describe_database_error(path, exc) from exc
        except BaseException:
            engine.dispose()
            raise
    return engine


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
