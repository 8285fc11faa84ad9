"""Profiles on disk: names, create/open/delete, and the one-runtime-per-profile lock across processes."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from groundstation.domain.errors import ConflictError, InvalidError, NotFoundError, UnavailableError
from groundstation.storage import FileProfileCatalog
from groundstation.storage.catalog import default_root
from groundstation.storage.database import open_database
from tests.conftest import PROJECT_ROOT
from tests.integration.storage.conftest import make_session

BAD_NAMES = ["", "../evil", "..", "a/b", "a\\b", "Demo", "-lead", "x" * 65, "con", "lpt1", "c:", "nul", "a b", "é"]

# Holds profile "shared" open for the runtime, adds a session so a reader has something to see, says "ready"
# with its pid, then waits for stdin to close.
HOLDER = textwrap.dedent(
    """
    import asyncio, os, sys
    from groundstation.storage import FileProfileCatalog
    from tests.integration.storage.conftest import make_session

    async def main():
        store = FileProfileCatalog().open("shared")
        await store.run(lambda uow: uow.sessions.add(make_session("from-child")))
        print(f"ready {os.getpid()}", flush=True)
        await asyncio.to_thread(sys.stdin.read)
        await store.close()

    asyncio.run(main())
    """
)


@pytest.fixture
def holder(catalog: FileProfileCatalog) -> Iterator[subprocess.Popen[str]]:
    """A second groundstation process holding profile "shared", started and ready (it said so)."""
    catalog.create("shared")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
    ) as proc:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line == f"ready {proc.pid}\n", line
        yield proc
        if proc.poll() is None:
            proc.kill()
    # Leaving the with-block closed the pipes and reaped the process.


def test_root_defaults_to_groundstation_home(gs_home: Path) -> None:
    assert default_root() == gs_home
    assert FileProfileCatalog().profiles_dir == gs_home / "profiles"


@pytest.mark.parametrize("name", BAD_NAMES)
def test_invalid_names_are_refused_before_touching_the_disk(gs_home: Path, name: str) -> None:
    catalog = FileProfileCatalog()
    for call in (catalog.create, catalog.open, catalog.delete, catalog.exists):
        with pytest.raises(InvalidError):
            call(name)
    with pytest.raises(InvalidError):
        catalog.open(name, read_only=True)
    assert list(gs_home.iterdir()) == []
    assert not (gs_home.parent / "evil").exists()


def test_create_list_exists_and_delete(catalog: FileProfileCatalog) -> None:
    assert catalog.list() == []
    made = catalog.create("beta")
    catalog.create("alpha")
    (catalog.profiles_dir / "Not A Profile").mkdir()
    (catalog.profiles_dir / "empty").mkdir()
    listed = catalog.list()
    assert [p.name for p in listed] == ["alpha", "beta"]
    assert listed[1] == made
    assert made.created_at is not None
    assert made.path == str(catalog.profiles_dir / "beta")
    assert catalog.exists("beta")
    assert not catalog.exists("gamma")
    catalog.delete("beta")
    assert not (catalog.profiles_dir / "beta").exists()
    assert [p.name for p in catalog.list()] == ["alpha"]


def test_create_twice_open_or_delete_missing(catalog: FileProfileCatalog) -> None:
    catalog.create("demo")
    with pytest.raises(ConflictError, match="'demo' already exists"):
        catalog.create("demo")
    with pytest.raises(NotFoundError, match="'ghost' does not exist"):
        catalog.open("ghost")
    with pytest.raises(NotFoundError):
        catalog.delete("ghost")


async def test_opened_store_knows_its_profile(catalog: FileProfileCatalog) -> None:
    made = catalog.create("demo")
    store = catalog.open("demo")
    try:
        assert store.profile == made
        assert not store.read_only
    finally:
        await store.close()


async def test_a_second_runtime_in_this_process_is_refused_and_delete_waits(catalog: FileProfileCatalog) -> None:
    catalog.create("demo")
    store = catalog.open("demo")
    try:
        expected = f"profile 'demo' is in use by another groundstation process (pid {os.getpid()})"
        with pytest.raises(UnavailableError) as info:
            catalog.open("demo")
        assert str(info.value) == expected
        with pytest.raises(UnavailableError, match=f"pid {os.getpid()}"):
            catalog.delete("demo")
    finally:
        await store.close()
    second = catalog.open("demo")
    second.close_sync()
    catalog.delete("demo")
    assert not catalog.exists("demo")


async def test_a_second_runtime_process_is_refused_naming_the_first_pid(
    catalog: FileProfileCatalog, holder: subprocess.Popen[str]
) -> None:
    with pytest.raises(UnavailableError) as info:
        catalog.open("shared")
    assert str(info.value) == f"profile 'shared' is in use by another groundstation process (pid {holder.pid})"
    with pytest.raises(UnavailableError, match=f"pid {holder.pid}"):
        catalog.delete("shared")

    # A reader takes no lock and sees what the runtime committed.
    reader = catalog.open("shared", read_only=True)
    try:
        assert [s.name for s in await reader.run(lambda uow: uow.sessions.list())] == ["from-child"]
    finally:
        await reader.close()

    assert holder.stdin is not None
    holder.stdin.close()
    assert holder.wait(timeout=30) == 0
    store = catalog.open("shared")
    await store.close()


async def test_the_lock_dies_with_a_killed_holder(catalog: FileProfileCatalog, holder: subprocess.Popen[str]) -> None:
    with pytest.raises(UnavailableError):
        catalog.open("shared")
    holder.kill()  # SIGKILL on POSIX: no cleanup runs, only the OS releases the lock
    holder.wait(timeout=30)
    store = catalog.open("shared")
    try:
        await store.run(lambda uow: uow.sessions.add(make_session("after-crash")))
        names = await store.run(lambda uow: [s.name for s in uow.sessions.list()])
        assert sorted(names) == ["after-crash", "from-child"]
    finally:
        await store.close()


def test_a_failed_create_leaves_nothing_behind(catalog: FileProfileCatalog, monkeypatch: pytest.MonkeyPatch) -> None:
    def open_then_fail(path: Path, **kwargs: bool) -> object:
        open_database(path, **kwargs).dispose()
        raise OSError("disk full")

    monkeypatch.setattr("groundstation.storage.catalog.open_database", open_then_fail)
    with pytest.raises(OSError, match="disk full"):
        catalog.create("demo")
    assert not (catalog.profiles_dir / "demo").exists()
    monkeypatch.undo()
    assert catalog.create("demo").name == "demo"


async def test_a_writer_beside_the_runtime_takes_no_lock_and_its_writes_are_seen(catalog: FileProfileCatalog) -> None:
    catalog.create("busy")
    runtime_store = catalog.open("busy")
    try:
        beside = catalog.open_beside_runtime("busy")
        try:
            await beside.run(lambda uow: uow.settings.set("sessions.auto_resume", True))
        finally:
            await beside.close()
        assert await runtime_store.run(lambda uow: uow.settings.get("sessions.auto_resume")) is True
    finally:
        await runtime_store.close()
    with pytest.raises(NotFoundError):
        catalog.open_beside_runtime("absent")
