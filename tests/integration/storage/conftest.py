"""Real profiles on disk for the storage tests, plus factories for the domain values they store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from groundstation.domain import ids
from groundstation.domain.models import (
    AdapterKind,
    AuditEntry,
    ConnectionSpec,
    DeviceSession,
    SessionState,
    VideoStream,
)
from groundstation.domain.ports import UnitOfWork
from groundstation.storage import FileProfileCatalog, SqliteProfileStore

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def make_session(
    name: str = "alpha", *, state: SessionState = SessionState.ACTIVE, device: str | None = None
) -> DeviceSession:
    key = device or f"fake:{name}"
    return DeviceSession(
        id=ids.session_id(),
        name=name,
        adapter=AdapterKind.FAKE,
        connection=ConnectionSpec(url=f"fake://{key.split(':', 1)[1]}", scheme="fake", device_key=key),
        state=state,
        created_at=T0,
        started_at=T0 + timedelta(seconds=1) if state.is_live else None,
    )


def make_stream(name: str = "cam1", *, linked: str | None = None) -> VideoStream:
    return VideoStream(
        id=ids.stream_id(),
        name=name,
        url=f"rtsp://10.0.0.1/{name}",
        created_at=T0,
        updated_at=T0,
        linked_session_id=linked,
    )


@pytest.fixture
def catalog(gs_home: Path) -> FileProfileCatalog:
    return FileProfileCatalog()


@pytest.fixture
async def store(catalog: FileProfileCatalog) -> AsyncIterator[SqliteProfileStore]:
    catalog.create("test")
    opened = catalog.open("test")
    yield opened
    await opened.close()


def adding(*values: DeviceSession | VideoStream | AuditEntry) -> Callable[[UnitOfWork], None]:
    """A unit of work that adds ``values`` in order, each through the repository of its kind."""

    def work(uow: UnitOfWork) -> None:
        for value in values:
            if isinstance(value, DeviceSession):
                uow.sessions.add(value)
            elif isinstance(value, VideoStream):
                uow.streams.add(value)
            else:
                uow.audit.add(value)

    return work
