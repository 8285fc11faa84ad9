"""Profiles on disk: ``<root>/profiles/<name>/profile.db`` (plus recordings and logs later).

Each tenant is a directory with its own database, so no query can ever mix two profiles' data and deleting a
profile is deleting a directory. Every name passes ``validate_profile_name`` before it becomes part of a
path: nothing a user types can reach outside the profiles directory or create anything when it is invalid.
"""

from __future__ import annotations

import builtins
import contextlib
import logging
import os
import shutil
import stat
import threading
from datetime import UTC, datetime
from pathlib import Path

import platformdirs
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from groundstation.domain.errors import ConflictError, GroundstationError, NotFoundError
from groundstation.domain.models import Profile
from groundstation.domain.profiles import is_valid_profile_name, validate_profile_name
from groundstation.storage.database import (
    check_sqlite_header,
    create_profile_engine,
    describe_database_error,
    open_database,
)
from groundstation.storage.locking import ProfileLock
from groundstation.storage.repositories import SqlSettingsRepository
from groundstation.storage.store import SqliteProfileStore

HOME_ENV = "GROUNDSTATION_HOME"
DB_FILE = "profile.db"
LOCK_FILE = "profile.lock"
# Where the profile remembers its own creation time: file times are not portable (no birth time on Linux)
# and change with copies, while a row travels with the database.
CREATED_AT_KEY = "profile.created_at"
# A profile holds API token hashes and telemetry: on POSIX its directories (and the root above them) are
# the owner's alone, and so are its files. Older releases made them 0755/0644; opening tightens them.
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
_DB_COMPANIONS = ("-wal", "-shm", "-journal")

log = logging.getLogger(__name__)
_told_lock = threading.Lock()
_told: set[Path] = set()  # paths whose tightening was logged in this process: once each


def default_root() -> Path:
    """``$GROUNDSTATION_HOME`` if set (tests, portable installs), else the platform's user data dir."""
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home)
    return Path(platformdirs.user_data_dir("groundstation", appauthor=False))


class FileProfileCatalog:
    def __init__(self, root: Path | None = None) -> None:
        self._root = root if root is not None else default_root()

    @property
    def root(self) -> Path:
        return self._root

    @property
    def profiles_dir(self) -> Path:
        return self._root / "profiles"

    def profile_dir(self, name: str) -> Path:
        """The directory of ``name``; raises InvalidError before building any path from a bad name."""
        return self.profiles_dir / validate_profile_name(name)

    def list(self) -> builtins.list[Profile]:
        """Profiles sorted by name. Directories whose name is not a valid profile name are ignored, so a
        stray folder a user drops in never shows up as a profile."""
        if not self.profiles_dir.is_dir():
            return []
        found = []
        for entry in sorted(self.profiles_dir.iterdir()):
            if is_valid_profile_name(entry.name) and (entry / DB_FILE).is_file():
                found.append(Profile(entry.name, str(entry), self._created_at(entry / DB_FILE)))
        return found

    def exists(self, name: str) -> bool:
        return (self.profile_dir(name) / DB_FILE).is_file()

    def create(self, name: str) -> Profile:
        directory = self.profile_dir(name)
        db_path = directory / DB_FILE
        if db_path.exists():
            raise ConflictError(f"profile {name!r} already exists", holder=name)
        made_directory = not directory.exists()
        try:
            self._make_private_dirs(directory)
        except OSError as exc:
            raise describe_database_error(directory, exc) from exc
        self._tighten(name)
        # The lock keeps a concurrent create or open of the same name out while the schema is built.
        lock = self._lock(directory, name)
        try:
            if db_path.exists():
                raise ConflictError(f"profile {name!r} already exists", holder=name)
            created_at = datetime.now(UTC)
            try:
                self._build(db_path, created_at)
            except BaseException:
                # Leave no half-made profile behind: it would list as a profile and refuse a second create.
                for leftover in (db_path, *(db_path.with_name(DB_FILE + s) for s in ("-wal", "-shm", "-journal"))):
                    leftover.unlink(missing_ok=True)
                raise
        finally:
            lock.release()
            if made_directory and not db_path.exists():
                shutil.rmtree(directory, ignore_errors=True)
        return Profile(name, str(directory), created_at)

    def _make_private_dirs(self, directory: Path) -> None:
        """The root, ``profiles/`` and ``directory``, each made owner-only if new (the root's parents keep
        the system's defaults: they are the user's, not ours)."""
        self._root.parent.mkdir(parents=True, exist_ok=True)
        for path in (self._root, self.profiles_dir, directory):
            path.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)

    def _tighten(self, name: str) -> None:
        """Make the profile's directories and database files owner-only where they are not (profiles made by
        an older release); each path is logged once per process. Never fails an open: a file someone else owns
        or a read-only directory keeps its mode."""
        if os.name != "posix":
            return
        directory = self.profile_dir(name)
        db_path = directory / DB_FILE
        targets = [(p, PRIVATE_DIR_MODE) for p in (self._root, self.profiles_dir, directory)]
        files = [db_path, *(db_path.with_name(DB_FILE + suffix) for suffix in _DB_COMPANIONS), directory / LOCK_FILE]
        targets += [(p, PRIVATE_FILE_MODE) for p in files]
        changed: builtins.list[Path] = []
        for path, mode in targets:
            try:
                st = path.lstat()
                if stat.S_ISLNK(st.st_mode) or not stat.S_IMODE(st.st_mode) & 0o077 or st.st_uid != os.getuid():
                    continue
                os.chmod(path, stat.S_IMODE(st.st_mode) & mode)
            except OSError:
                continue
            changed.append(path)
        with _told_lock:
            untold = [p for p in changed if p not in _told]
            _told.update(untold)
        if untold:
            log.warning(
                "profile %r: made %s readable by its owner only (other users could read them)",
                name,
                ", ".join(map(str, untold)),
            )

    @staticmethod
    def _lock(directory: Path, name: str) -> ProfileLock:
        try:
            return ProfileLock.acquire(directory / LOCK_FILE, name)
        except GroundstationError:
            raise
        except OSError as exc:
            raise describe_database_error(directory / DB_FILE, exc) from exc

    @staticmethod
    def _build(db_path: Path, created_at: datetime) -> None:
        engine = open_database(db_path, read_only=False, create=True)
        try:
            with Session(engine) as db, db.begin():
                SqlSettingsRepository(db).set(CREATED_AT_KEY, created_at.isoformat())
        finally:
            engine.dispose()

    def delete(self, name: str) -> None:
        directory = self.profile_dir(name)
        if not directory.is_dir():
            raise NotFoundError(f"profile {name!r} does not exist")
        # Holding the lock while deleting stops a runtime from opening the profile halfway through; the lock
        # file goes last because Windows cannot delete a file that is open.
        lock = self._lock(directory, name)
        try:
            for entry in directory.iterdir():
                if entry.name == LOCK_FILE:
                    continue
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
        finally:
            lock.release()
        shutil.rmtree(directory)

    def open(self, name: str, *, read_only: bool = False) -> SqliteProfileStore:
        directory = self.profile_dir(name)
        db_path = directory / DB_FILE
        if not db_path.is_file():
            raise NotFoundError(f"profile {name!r} does not exist")
        self._tighten(name)
        # Readers take no lock: WAL lets them read beside the runtime, and they cannot write.
        lock = None if read_only else self._lock(directory, name)
        try:
            engine = open_database(db_path, read_only=read_only)
        except BaseException:
            if lock is not None:
                lock.release()
            raise
        try:
            with Session(engine) as db:
                created_at = _created_at_from(db)
        except Exception as exc:
            engine.dispose()
            if lock is not None:
                lock.release()
            raise describe_database_error(db_path, exc) from exc
        except BaseException:
            engine.dispose()
            if lock is not None:
                lock.release()
            raise
        profile = Profile(name, str(directory), created_at)
        return SqliteProfileStore(profile, engine, read_only=read_only, lock=lock)

    def open_beside_runtime(self, name: str) -> SqliteProfileStore:
        """A writer that takes no lock, for short administrative writes (API tokens) while a runtime holds
        the profile. It never migrates: the profile must already be at this release's schema (the runtime
        beside it migrated it); SQLite's own locking and the busy timeout order its writes with the
        runtime's."""
        reader = self.open(name, read_only=True)  # checks header, schema and existence, writes nothing
        profile = reader.profile
        reader.close_sync()
        db_path = self.profile_dir(name) / DB_FILE
        engine = create_profile_engine(db_path, read_only=False)
        try:
            with engine.connect():
                pass  # a read-only file or directory says so now, in words, not at the first write
        except Exception as exc:
            engine.dispose()
            raise describe_database_error(db_path, exc) from exc
        return SqliteProfileStore(profile, engine, read_only=False, lock=None)

    @staticmethod
    def _created_at(db_path: Path) -> datetime | None:
        """Read from the profile's settings; None when the database cannot tell (damaged, foreign, newer),
        so that one bad profile never breaks the listing of the others."""
        try:
            check_sqlite_header(db_path)
            engine = create_profile_engine(db_path, read_only=True)
        except (GroundstationError, OSError):
            return None
        try:
            with Session(engine) as db:
                return _created_at_from(db)
        except SQLAlchemyError:
            return None
        finally:
            engine.dispose()


def _created_at_from(db: Session) -> datetime | None:
    value = SqlSettingsRepository(db).get(CREATED_AT_KEY)
    if not isinstance(value, str):
        return None
    with contextlib.suppress(ValueError):
        return datetime.fromisoformat(value)
    return None
