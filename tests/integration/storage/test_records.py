"""Audit, events, telemetry and settings repositories, and the unit of work's transaction boundary."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from groundstation.domain import ids
from groundstation.domain.errors import ConflictError, NotFoundError, UnavailableError
from groundstation.domain.events import EventKind, IntegrationEvent, Severity
from groundstation.domain.models import AuditEntry, Outcome
from groundstation.domain.ports import UnitOfWork
from groundstation.domain.telemetry import GpsFix, TelemetrySample
from groundstation.storage import FileProfileCatalog, SqliteProfileStore
from tests.integration.storage.conftest import T0, adding, make_session, make_stream


def audit(at_s: int, actor: str = "operator", action: str = "session.create", target: str | None = None) -> AuditEntry:
    return AuditEntry(ids.audit_id(), T0 + timedelta(seconds=at_s), actor, action, target, Outcome.SUCCESS, {"n": at_s})


async def test_audit_is_oldest_first_with_filters(store: SqliteProfileStore) -> None:
    entries = [audit(3, target="ses_a"), audit(1, actor="api:ci"), audit(2, action="stream.delete")]
    await store.run(adding(*entries))
    assert [e.detail["n"] for e in await store.run(lambda uow: uow.audit.list())] == [1, 2, 3]
    assert await store.run(lambda uow: uow.audit.list()) == sorted(entries, key=lambda e: e.at)
    since = await store.run(lambda uow: uow.audit.list(since=T0 + timedelta(seconds=2)))
    assert [e.detail["n"] for e in since] == [2, 3]
    until = await store.run(lambda uow: uow.audit.list(until=T0 + timedelta(seconds=2)))
    assert [e.detail["n"] for e in until] == [1]
    assert [e.actor for e in await store.run(lambda uow: uow.audit.list(actor="api:ci"))] == ["api:ci"]
    assert len(await store.run(lambda uow: uow.audit.list(action="stream.delete"))) == 1
    assert len(await store.run(lambda uow: uow.audit.list(target_id="ses_a"))) == 1
    assert len(await store.run(lambda uow: uow.audit.list(limit=2))) == 2


async def test_events_get_increasing_seq_and_page_by_it(store: SqliteProfileStore) -> None:
    def event(i: int) -> IntegrationEvent:
        return IntegrationEvent(ids.event_id(), T0, EventKind.SESSION_CREATED, f"ses_{i}", Severity.WARNING, {"i": i})

    def add_five(uow: UnitOfWork) -> list[IntegrationEvent]:
        return [uow.events.add(event(i)) for i in range(5)]

    stored = await store.run(add_five)
    seqs = [e.seq for e in stored if e.seq is not None]
    assert len(seqs) == 5
    assert seqs == sorted(set(seqs))
    assert await store.run(lambda uow: uow.events.list()) == stored
    assert await store.run(lambda uow: uow.events.list(after_seq=seqs[1], limit=2)) == stored[2:4]
    with pytest.raises(ConflictError):
        await store.run(lambda uow: uow.events.add(stored[0]))


async def test_telemetry_round_trip_range_and_count(store: SqliteProfileStore) -> None:
    a, b = make_session("a"), make_session("b")
    await store.run(adding(a, b))
    full = TelemetrySample(
        a.id, T0, lat_deg=47.1, lon_deg=8.5, alt_msl_m=500.0, alt_rel_m=20.0, roll_deg=1.0, pitch_deg=2.0,
        yaw_deg=3.0, heading_deg=90.0, groundspeed_mps=5.0, airspeed_mps=6.0, climb_mps=0.5, battery_pct=80.0,
        battery_v=12.1, battery_a=3.2, mode="GUIDED", armed=True, system_status="ACTIVE", gps_fix=GpsFix.RTK_FIXED,
        satellites=17, hdop=0.7, link_quality_pct=99.0, home_lat_deg=47.0, home_lon_deg=8.4,
    )  # fmt: skip
    later = [TelemetrySample(a.id, T0 + timedelta(seconds=s)) for s in (3, 1, 2)]
    await store.run(lambda uow: uow.telemetry.add_many([full, *later, TelemetrySample(b.id, T0)]))
    got = await store.run(lambda uow: uow.telemetry.range(a.id))
    assert got[0] == full
    assert isinstance(got[0].gps_fix, GpsFix)
    assert [s.time - T0 for s in got] == [timedelta(seconds=s) for s in (0, 1, 2, 3)]
    window = await store.run(
        lambda uow: uow.telemetry.range(a.id, since=T0 + timedelta(seconds=1), until=T0 + timedelta(seconds=3))
    )
    assert [s.time - T0 for s in window] == [timedelta(seconds=1), timedelta(seconds=2)]
    assert len(await store.run(lambda uow: uow.telemetry.range(a.id, limit=2))) == 2
    assert await store.run(lambda uow: (uow.telemetry.count(), uow.telemetry.count(a.id))) == (5, 4)
    await store.run(lambda uow: uow.telemetry.add_many([]))

    # Telemetry belongs to its session: deleting the session deletes it (ON DELETE CASCADE).
    await store.run(lambda uow: uow.sessions.delete(a.id))
    assert await store.run(lambda uow: (uow.telemetry.count(), uow.telemetry.count(a.id))) == (1, 0)


async def test_telemetry_of_an_unknown_session_is_refused(store: SqliteProfileStore) -> None:
    with pytest.raises(NotFoundError, match="ses_nope"):
        await store.run(lambda uow: uow.telemetry.add_many([TelemetrySample("ses_nope", T0)]))


async def test_times_come_back_as_aware_utc_whatever_zone_went_in(store: SqliteProfileStore) -> None:
    plus2 = timezone(timedelta(hours=2))
    entry = AuditEntry(ids.audit_id(), T0.astimezone(plus2), "operator", "x", None, Outcome.SUCCESS)
    await store.run(lambda uow: uow.audit.add(entry))
    (back,) = await store.run(lambda uow: uow.audit.list())
    assert back.at == T0
    assert back.at.tzinfo is not None
    assert back.at.utcoffset() == timedelta(0)


async def test_naive_datetimes_are_refused(store: SqliteProfileStore) -> None:
    naive = AuditEntry(ids.audit_id(), T0.replace(tzinfo=None), "operator", "x", None, Outcome.SUCCESS)
    with pytest.raises(Exception, match="naive datetime"):
        await store.run(lambda uow: uow.audit.add(naive))


async def test_settings_hold_json_values(store: SqliteProfileStore) -> None:
    await store.run(lambda uow: uow.settings.set("sessions.auto_resume", True))
    await store.run(lambda uow: uow.settings.set("video.grid", {"cols": 3, "names": ["a", "b"]}))
    await store.run(lambda uow: uow.settings.set("sessions.auto_resume", False))
    assert await store.run(lambda uow: uow.settings.get("sessions.auto_resume")) is False
    assert await store.run(lambda uow: uow.settings.get("missing")) is None
    everything = await store.run(lambda uow: uow.settings.all())
    assert everything["video.grid"] == {"cols": 3, "names": ["a", "b"]}
    assert everything["sessions.auto_resume"] is False


async def test_a_unit_that_raises_rolls_back_everything(store: SqliteProfileStore) -> None:
    def half_done(uow: UnitOfWork) -> None:
        uow.sessions.add(make_session("alpha"))
        uow.audit.add(audit(0))
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await store.run(half_done)
    assert await store.run(lambda uow: (uow.sessions.list(), uow.audit.list())) == ([], [])


async def test_units_run_on_the_profiles_database_thread(store: SqliteProfileStore) -> None:
    import threading

    name = await store.run(lambda uow: threading.current_thread().name)
    assert name.startswith("db-test")
    assert name != threading.current_thread().name


async def test_read_only_store_reads_but_refuses_writes(store: SqliteProfileStore, catalog: FileProfileCatalog) -> None:
    await store.run(lambda uow: uow.sessions.add(make_session("alpha")))
    reader = catalog.open("test", read_only=True)
    try:
        assert reader.read_only
        assert not store.read_only
        assert [s.name for s in await reader.run(lambda uow: uow.sessions.list())] == ["alpha"]
        with pytest.raises(UnavailableError, match="read-only"):
            await reader.run(lambda uow: uow.sessions.add(make_session("beta")))
        with pytest.raises(UnavailableError, match="read-only"):
            await reader.run(lambda uow: uow.settings.set("a", 1))
    finally:
        await reader.close()
    assert [s.name for s in await store.run(lambda uow: uow.sessions.list())] == ["alpha"]


async def test_a_closed_store_refuses_work(store: SqliteProfileStore) -> None:
    await store.close()
    await store.close()
    with pytest.raises(UnavailableError, match="closed"):
        await store.run(lambda uow: uow.sessions.list())


async def test_change_counts_move_with_writes_to_their_records_only(store: SqliteProfileStore) -> None:
    def counts() -> tuple[int | None, int | None, int | None]:
        return store.change_count("sessions"), store.change_count("streams"), store.change_count("tokens")

    start = counts()
    session = make_session("alpha")
    await store.run(lambda uow: uow.sessions.add(session))
    after_session = counts()
    assert after_session[0] > start[0]  # type: ignore[operator]
    await store.run(lambda uow: uow.sessions.list())
    assert counts() == after_session  # reads move nothing
    await store.run(lambda uow: uow.audit.add(audit(1)))
    assert counts() == after_session  # neither does a write elsewhere
    stream = make_stream("cam", linked=session.id)
    await store.run(lambda uow: uow.streams.add(stream))
    after_stream = counts()
    assert after_stream[1] > after_session[1] and after_stream[0] == after_session[0]  # type: ignore[operator]
    # Deleting a session changes its streams (ON DELETE SET NULL): both counts move.
    await store.run(lambda uow: uow.sessions.delete(session.id))
    after_delete = counts()
    assert after_delete[0] > after_stream[0] and after_delete[1] > after_stream[1]  # type: ignore[operator]


async def test_only_the_store_holding_the_lock_counts_changes(
    catalog: FileProfileCatalog, store: SqliteProfileStore
) -> None:
    reader = catalog.open("test", read_only=True)
    try:
        assert reader.change_count("sessions") is None
    finally:
        await reader.close()
    beside = catalog.open_beside_runtime("test")  # a lockless writer: the runtime's writes bypass it
    try:
        assert beside.change_count("streams") is None
    finally:
        await beside.close()
