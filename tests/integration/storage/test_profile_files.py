"""Profile files on disk: owner-only modes, read-only and damaged profiles told apart in words."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from groundstation.domain.errors import InvalidError, UnavailableError
from groundstation.storage import FileProfileCatalog
from groundstation.storage.database import describe_database_error
from tests.immutable import immutable

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@posix_only
async def test_a_new_profile_is_readable_by_its_owner_only(catalog: FileProfileCatalog) -> None:
    os.chmod(catalog.root, 0o755)  # what a plain mkdir makes: create tightens the root too
    catalog.create("acme")
    directory = catalog.profile_dir("acme")
    for path in (catalog.root, catalog.profiles_dir, directory):
        assert _mode(path) == 0o700, path
    store = catalog.open("acme")
    try:
        await store.run(lambda uow: uow.settings.set("x", 1))  # the WAL and its index exist now
        files = [directory / n for n in ("profile.db", "profile.db-wal", "profile.db-shm", "profile.lock")]
        assert all(f.exists() for f in files)
        for path in files:
            assert _mode(path) == 0o600, path
    finally:
        await store.close()


@posix_only
def test_an_older_open_profile_is_tightened_on_open_and_logged_once(
    catalog: FileProfileCatalog, caplog: pytest.LogCaptureFixture
) -> None:
    catalog.create("old")
    directory = catalog.profile_dir("old")
    for path in (catalog.root, catalog.profiles_dir, directory):
        os.chmod(path, 0o755)
    for path in (directory / "profile.db", directory / "profile.lock"):
        os.chmod(path, 0o644)
    caplog.set_level(logging.WARNING, logger="groundstation.storage.catalog")
    caplog.clear()  # create tightened (and told about) the root the test made 0755
    catalog.open("old", read_only=True).close_sync()
    assert _mode(directory) == 0o700 and _mode(catalog.root) == 0o700
    assert _mode(directory / "profile.db") == 0o600 and _mode(directory / "profile.lock") == 0o600
    said = [r.getMessage() for r in caplog.records if "owner only" in r.getMessage()]
    assert len(said) == 1 and str(directory / "profile.db") in said[0] and str(directory / "profile.lock") in said[0]
    os.chmod(directory / "profile.db", 0o644)  # loosened again: tightened again, but not told twice
    catalog.open("old", read_only=True).close_sync()
    assert _mode(directory / "profile.db") == 0o600
    assert len([r for r in caplog.records if "owner only" in r.getMessage()]) == 1


def _truncated_copy(catalog: FileProfileCatalog, name: str) -> Path:
    catalog.create(name)
    db = catalog.profile_dir(name) / "profile.db"
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 20])  # the header and a page or two survive, the rest is gone
    return db


def test_a_truncated_database_is_called_damaged_never_raw_sqlalchemy_text(catalog: FileProfileCatalog) -> None:
    db = _truncated_copy(catalog, "cut")
    before = db.read_bytes()
    for read_only in (True, False):
        with pytest.raises(InvalidError) as caught:
            catalog.open("cut", read_only=read_only).close_sync()
        message = caught.value.message
        assert message.startswith(f"cannot open {db}: the file is damaged (truncated or not a SQLite database)")
        assert "restore the profile from a backup" in message and "safe to keep" in message
        assert "SQL:" not in message and "sqlalche.me" not in message and "delete" not in message
    assert db.read_bytes() == before  # refused, not repaired


def test_a_file_cut_inside_its_header_is_damaged_too(catalog: FileProfileCatalog) -> None:
    catalog.create("stub")
    db = catalog.profile_dir("stub") / "profile.db"
    db.write_bytes(b"SQLite for")
    with pytest.raises(InvalidError, match="the file is damaged"):
        catalog.open("stub", read_only=True)


def test_errors_from_real_sqlite_files_are_classified(tmp_path: Path, catalog: FileProfileCatalog) -> None:
    db = _truncated_copy(catalog, "cut")
    with pytest.raises(sqlite3.DatabaseError) as corrupt:
        sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True).execute("SELECT * FROM audit_entries").fetchall()
    described = describe_database_error(db, corrupt.value)
    assert isinstance(described, InvalidError) and "the file is damaged" in described.message

    # A reader of a WAL database must create its -shm file; where it cannot, SQLite says CANTOPEN.
    missing = tmp_path / "no-such-dir" / "profile.db"
    with pytest.raises(sqlite3.OperationalError) as cannot:
        sqlite3.connect(f"{missing.as_uri()}?mode=ro", uri=True).execute("SELECT 1").fetchall()
    described = describe_database_error(missing, cannot.value)
    assert isinstance(described, UnavailableError)
    assert described.message == f"cannot open {missing}: permission denied (the file or its directory is read-only)"

    denied = PermissionError(13, "Permission denied", str(db))
    assert "permission denied" in describe_database_error(db, denied).message


@pytest.fixture
def read_only_profile(catalog: FileProfileCatalog) -> Iterator[Path]:
    """A profile whose directory and database are immutable (read-only even for root, who runs the tests)."""
    catalog.create("ro1")
    directory = catalog.profile_dir("ro1")
    with immutable(directory / "profile.db", directory / "profile.lock", directory):
        yield directory


async def test_a_read_only_profile_is_read_and_a_writer_is_told_why(
    catalog: FileProfileCatalog, read_only_profile: Path
) -> None:
    reader = catalog.open("ro1", read_only=True)
    try:
        assert await reader.run(lambda uow: uow.sessions.list()) == []
        assert reader.profile.created_at is not None
    finally:
        await reader.close()
    for open_writer in (catalog.open, catalog.open_beside_runtime):
        with pytest.raises(UnavailableError) as caught:
            open_writer("ro1").close_sync()
        db = read_only_profile / "profile.db"
        assert caught.value.message == f"cannot open {db}: permission denied (the file or its directory is read-only)"
