"""RetentionService on real profiles: what goes, what stays, in how many transactions, and how it is audited;
the runtime's schedule starting with the profile and ending with it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy

from groundstation.bootstrap import ProfileServices, Runtime
from groundstation.domain import ids
from groundstation.domain.errors import InvalidError
from groundstation.domain.events import EventKind, IntegrationEvent, Severity
from groundstation.domain.models import (
    AdapterKind,
    AuditEntry,
    ConnectionSpec,
    DeviceSession,
    Outcome,
    SessionState,
    StreamQos,
    StreamState,
    VideoStream,
)
from groundstation.domain.ports import UnitOfWork
from groundstation.domain.telemetry import TelemetrySample
from groundstation.domain.video import QosSnapshot
from groundstation.services.retention import PRUNE_ACTION, RetentionSchedule, RetentionService
from groundstation.storage import FileProfileCatalog
from tests.waiting import wait_until

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def clock() -> datetime:
    return NOW


@dataclass
class Seeded:
    session: DeviceSession
    stream: VideoStream


def _session() -> DeviceSession:
    return DeviceSession(
        id=ids.session_id(),
        name="alpha",
        adapter=AdapterKind.FAKE,
        connection=ConnectionSpec(url="fake://alpha", scheme="fake", device_key="fake:alpha"),
        state=SessionState.STOPPED,
        created_at=NOW - 400 * DAY,
    )


def _stream(session_id: str) -> VideoStream:
    at = NOW - 400 * DAY
    return VideoStream(ids.stream_id(), "cam", "rtsp://10.0.0.1/cam", at, at, linked_session_id=session_id)


def _audit(action: str, at: datetime, actor: str = "api:ops") -> AuditEntry:
    return AuditEntry(ids.audit_id(), at, actor, action, None, Outcome.SUCCESS, {})


async def seed(services: ProfileServices, *, telemetry_old: int = 3) -> Seeded:
    """Per table, rows just past and well within its default retention (30, 90, 30 and 30 days)."""
    session, stream = _session(), _stream("")
    stream = VideoStream(stream.id, stream.name, stream.url, stream.created_at, stream.updated_at, session.id)

    def unit(uow: UnitOfWork) -> None:
        uow.sessions.add(session)
        uow.streams.add(stream)
        old = [
            TelemetrySample(session_id=session.id, time=NOW - 31 * DAY + timedelta(seconds=i))
            for i in range(telemetry_old)
        ]
        uow.telemetry.add_many([*old, TelemetrySample(session_id=session.id, time=NOW - 29 * DAY)])
        for at in (NOW - 91 * DAY, NOW - 89 * DAY):
            uow.events.add(
                IntegrationEvent(ids.event_id(), at, EventKind.VEHICLE_MESSAGE, session.id, Severity.INFO, {})
            )
        for at in (NOW - 31 * DAY, NOW - 29 * DAY):
            uow.qos_snapshots.add(QosSnapshot(stream.id, at, StreamState.LIVE, StreamQos(decoded_fps=25.0)))
        uow.audit.add_many(
            [
                _audit("api.request", NOW - 31 * DAY),
                _audit("api.ws", NOW - 31 * DAY),
                _audit("api.access_dropped", NOW - 31 * DAY, actor="system"),
                _audit("api.request", NOW - 29 * DAY),
                # The audit trail of writes: kept however old.
                _audit("session.start", NOW - 3000 * DAY, actor="operator"),
                _audit("settings.set", NOW - 31 * DAY, actor="operator"),
            ]
        )

    await services.store.run(unit)
    return Seeded(session, stream)


async def counts(services: ProfileServices) -> dict[str, int]:
    def unit(uow: UnitOfWork) -> dict[str, int]:
        audit = uow.audit.list()
        return {
            "telemetry": uow.telemetry.count(),
            "events": len(uow.events.list()),
            "qos": sum(len(uow.qos_snapshots.list(s.id)) for s in uow.streams.list()),
            "access": sum(1 for e in audit if e.action.startswith("api.")),
            "writes": sum(1 for e in audit if not e.action.startswith("api.") and e.action != PRUNE_ACTION),
            "sessions": len(uow.sessions.list()),
            "streams": len(uow.streams.list()),
        }

    return await services.store.run(unit)


async def prune_entries(services: ProfileServices) -> list[AuditEntry]:
    return await services.audit.list(action=PRUNE_ACTION)


@pytest.fixture
def catalog(tmp_path: Path) -> FileProfileCatalog:
    catalog = FileProfileCatalog(tmp_path / "home")
    catalog.create("ops")
    return catalog


@pytest.fixture
async def runtime(catalog: FileProfileCatalog) -> AsyncIterator[Runtime]:
    # A schedule that would not fire during a test: these tests call prune themselves.
    rt = Runtime(catalog, adapters={}, clock=clock, retention=RetentionSchedule(first_after_s=3600, every_s=3600))
    yield rt
    await rt.close()


@pytest.fixture
async def services(runtime: Runtime) -> ProfileServices:
    return await runtime.open_profile("ops")


def retention(services: ProfileServices, chunk_rows: int = 5000) -> RetentionService:
    return RetentionService(
        store=services.store, audit=services.audit, settings=services.settings, clock=clock, chunk_rows=chunk_rows
    )


async def test_old_rows_of_each_table_go_new_ones_and_the_audit_trail_of_writes_stay(
    services: ProfileServices,
) -> None:
    await seed(services)
    report = await retention(services).prune()
    assert {t.name: t.rows for t in report.tables} == {
        "telemetry_samples": 3,
        "integration_events": 1,
        "stream_qos_snapshots": 1,
        "access_records": 3,
    }
    assert await counts(services) == {
        "telemetry": 1,
        "events": 1,
        "qos": 1,
        "access": 1,
        "writes": 2,
        "sessions": 1,
        "streams": 1,
    }
    [entry] = await prune_entries(services)
    assert entry.actor == "system" and entry.outcome is Outcome.SUCCESS
    assert entry.detail["deleted"] == {r.name: r.rows for r in report.tables}
    assert entry.detail["cutoffs"]["telemetry_samples"] == (NOW - 30 * DAY).isoformat()
    assert entry.detail["cutoffs"]["integration_events"] == (NOW - 90 * DAY).isoformat()
    assert entry.detail["finished"] is True


async def test_a_pass_that_deletes_nothing_writes_no_entry_and_each_pass_that_does_writes_one(
    services: ProfileServices,
) -> None:
    service = retention(services)
    assert (await service.prune()).rows == 0
    assert await prune_entries(services) == []
    await seed(services)
    assert (await service.prune()).rows == 8
    assert (await service.prune()).rows == 0
    assert len(await prune_entries(services)) == 1


async def test_more_rows_than_a_chunk_go_in_several_transactions(services: ProfileServices) -> None:
    await seed(services, telemetry_old=23)
    # Per committed transaction, how many DELETE statements it ran.
    deletes_per_commit: list[int] = []
    pending = [0]

    def on_execute(conn: object, cursor: object, statement: str, *rest: object) -> None:
        pending[0] += statement.startswith("DELETE")

    def on_commit(conn: object) -> None:
        deletes_per_commit.append(pending[0])
        pending[0] = 0

    engine = services.store.engine  # type: ignore[attr-defined]
    sqlalchemy.event.listen(engine, "after_cursor_execute", on_execute)
    sqlalchemy.event.listen(engine, "commit", on_commit)
    try:
        report = await retention(services, chunk_rows=5).prune()
    finally:
        sqlalchemy.event.remove(engine, "after_cursor_execute", on_execute)
        sqlalchemy.event.remove(engine, "commit", on_commit)
    telemetry = next(t for t in report.tables if t.name == "telemetry_samples")
    assert telemetry.rows == 23
    # 23 rows by 5: four full chunks and a fifth of 3; then one chunk each for the other three tables.
    assert report.chunks == 5 + 3
    # Each chunk is its own transaction: eight commits of one DELETE each, none of several.
    assert sorted(n for n in deletes_per_commit if n) == [1] * 8
    assert (await counts(services))["telemetry"] == 1
    [entry] = await prune_entries(services)
    assert entry.detail["chunks"] == 8


async def test_zero_days_keeps_a_table_forever(services: ProfileServices) -> None:
    await seed(services)
    await services.settings.set("retention.telemetry_days", 0, actor="operator")
    await services.settings.set("retention.access_days", 0, actor="operator")
    report = await retention(services).prune()
    kept = {t.name for t in report.tables if t.cutoff is None}
    assert kept == {"telemetry_samples", "access_records"}
    left = await counts(services)
    assert left["telemetry"] == 4 and left["access"] == 4
    assert left["events"] == 1 and left["qos"] == 1
    [entry] = await prune_entries(services)
    assert sorted(entry.detail["kept_forever"]) == ["access_records", "telemetry_samples"]
    assert "telemetry_samples" not in entry.detail["deleted"]


async def test_shorter_retention_takes_more(services: ProfileServices) -> None:
    await seed(services)
    await services.settings.set("retention.telemetry_days", 1, actor="operator")
    await retention(services).prune()
    assert (await counts(services))["telemetry"] == 0


@pytest.mark.parametrize("value", [-1, 1.5, "30", True, 100_000])
async def test_retention_settings_take_non_negative_whole_days(services: ProfileServices, value: object) -> None:
    with pytest.raises(InvalidError, match=r"retention\.qos_days"):
        await services.settings.set("retention.qos_days", value, actor="operator")
    assert await services.settings.get("retention.qos_days") == 30


async def test_a_dry_run_counts_on_a_read_only_store_and_deletes_nothing(
    runtime: Runtime, services: ProfileServices
) -> None:
    await seed(services)
    before = await counts(services)
    reader = await runtime.open_reader("ops")
    try:
        report = await retention(reader).prune(dry_run=True)
    finally:
        await reader.close()
    assert report.dry_run and report.rows == 8 and report.chunks == 0
    assert await counts(services) == before
    assert await prune_entries(services) == []


async def test_closing_during_a_pass_stops_after_the_chunk_and_audits_what_went(services: ProfileServices) -> None:
    await seed(services, telemetry_old=3000)
    service = retention(services, chunk_rows=1)
    running = asyncio.ensure_future(service.prune())
    await wait_until(lambda: _fewer(services, 3001 - 20))
    await service.close()
    report = await running
    assert not report.finished
    gone = next(t.rows for t in report.tables if t.name == "telemetry_samples")
    assert 20 <= gone < 3000
    assert (await counts(services))["telemetry"] == 3001 - gone
    [entry] = await prune_entries(services)
    assert entry.detail["finished"] is False and entry.detail["deleted"]["telemetry_samples"] == gone


async def _fewer(services: ProfileServices, at_most: int) -> bool:
    return (await counts(services))["telemetry"] <= at_most


async def test_the_runtime_prunes_soon_after_opening_then_on_its_interval_and_stops_on_close(
    catalog: FileProfileCatalog,
) -> None:
    rt = Runtime(catalog, adapters={}, clock=clock, retention=RetentionSchedule(first_after_s=0.05, every_s=0.1))
    services = await rt.open_profile("ops")
    retention_service = services.retention
    assert retention_service is not None and retention_service.running
    await seed(services)
    await wait_until(lambda: _fewer(services, 1))
    await wait_until(lambda: retention_service.passes >= 3)
    entries = await prune_entries(services)
    assert len(entries) == 1  # passes after the first found nothing to delete
    await rt.close()
    assert not retention_service.running
    # Readers and administrative openings run no schedule: only the runtime that holds the profile does.
    reader = await rt.open_reader("ops")
    try:
        assert reader.retention is None
    finally:
        await reader.close()
