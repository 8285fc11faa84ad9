"""The database file itself: PRAGMAs, migrations, and refusing files this release must not touch."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from groundstation.domain.errors import InvalidError, NotFoundError
from groundstation.storage import FileProfileCatalog, ProfileLock, SqliteProfileStore
from groundstation.storage.database import alembic_config, create_profile_engine, head_revision, open_database
from groundstation.storage.orm import Base


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def db_path(catalog: FileProfileCatalog, name: str) -> Path:
    return catalog.profile_dir(name) / "profile.db"


async def test_every_connection_has_wal_foreign_keys_busy_timeout_and_normal_sync(store: SqliteProfileStore) -> None:
    def pragmas() -> tuple[object, ...]:
        with store.engine.connect() as conn:
            return tuple(
                conn.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            )

    # On the store's own thread, as the repositories see it; synchronous NORMAL is 1.
    assert await store.run(lambda uow: pragmas()) == ("wal", 1, 5000, 1)


def test_migrated_schema_matches_the_orm_models(catalog: FileProfileCatalog) -> None:
    catalog.create("schema")
    engine = create_profile_engine(db_path(catalog, "schema"), read_only=True)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
            assert compare_metadata(context, Base.metadata) == []
            assert context.get_current_revision() == head_revision()
            # Not compared by autogenerate, but the event cursor relies on it: seq values are never reused.
            ddl = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'integration_events'").scalar()
            assert "AUTOINCREMENT" in str(ddl)
    finally:
        engine.dispose()


def test_migrations_downgrade_to_nothing_and_back(catalog: FileProfileCatalog) -> None:
    catalog.create("roundtrip")
    engine = create_profile_engine(db_path(catalog, "roundtrip"), read_only=False)
    config = alembic_config()
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, "base")
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == ["alembic_version"]
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
        with engine.connect() as conn:
            assert set(inspect(conn).get_table_names()) == {*Base.metadata.tables, "alembic_version"}
    finally:
        engine.dispose()


def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(catalog: FileProfileCatalog) -> None:
    directory = catalog.profiles_dir / "bad"
    directory.mkdir(parents=True)
    path = directory / "profile.db"
    path.write_bytes(b"these are somebody's notes, not a database\n" * 50)
    before = digest(path)
    for read_only in (False, True):
        with pytest.raises(InvalidError, match="is not a SQLite database"):
            catalog.open("bad", read_only=read_only)
    assert digest(path) == before
    assert sorted(p.name for p in directory.iterdir()) == ["profile.db", "profile.lock"]
    assert [(p.name, p.created_at) for p in catalog.list()] == [("bad", None)]


def test_a_newer_schema_is_refused_naming_its_revision_and_left_untouched(catalog: FileProfileCatalog) -> None:
    catalog.create("future")
    path = db_path(catalog, "future")
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    raw.close()
    before = digest(path)
    for read_only in (False, True):
        with pytest.raises(InvalidError, match=r"'9999_from_the_future'.*newer groundstation"):
            catalog.open("future", read_only=read_only)
    assert digest(path) == before
    # The refused runtime open gave its lock back: a newer release can open the profile right away.
    ProfileLock.acquire(path.parent / "profile.lock", "future").release()


def test_a_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE notes (body TEXT)")
    raw.close()
    before = digest(path)
    with pytest.raises(InvalidError, match="not a groundstation profile"):
        open_database(path, read_only=False)
    assert digest(path) == before


def test_read_only_open_never_creates_a_file(tmp_path: Path, catalog: FileProfileCatalog) -> None:
    path = tmp_path / "absent.db"
    with pytest.raises(NotFoundError):
        open_database(path, read_only=True)
    with pytest.raises(NotFoundError):
        catalog.open("absent", read_only=True)
    assert not path.exists()
    assert not catalog.profiles_dir.exists()


def test_runtime_open_upgrades_an_empty_database_file(tmp_path: Path) -> None:
    # SQLite itself leaves a zero-byte file when it dies before the first write; that must not brick a profile.
    path = tmp_path / "profile.db"
    path.touch()
    engine = open_database(path, read_only=False)
    try:
        with engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == head_revision()
    finally:
        engine.dispose()
