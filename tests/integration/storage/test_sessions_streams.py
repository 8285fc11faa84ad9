"""Session and stream repositories against a real migrated SQLite file: constraints, versions, FKs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from groundstation.domain import ids
from groundstation.domain.errors import ConflictError, NotFoundError
from groundstation.domain.models import (
    AdapterKind,
    AuditEntry,
    Outcome,
    SessionState,
    StreamQos,
    StreamState,
    VehicleIdentity,
)
from groundstation.domain.ports import UnitOfWork
from groundstation.storage import SqliteProfileStore
from tests.integration.storage.conftest import T0, adding, make_session, make_stream


async def test_session_round_trip_keeps_every_field(store: SqliteProfileStore) -> None:
    session = replace(
        make_session("alpha"),
        identity=VehicleIdentity(
            system_id=1, component_id=1, autopilot="ardupilot", vehicle_type="quad", firmware="4.5"
        ),
        last_error="none yet",
    )
    session = replace(session, connection=replace(session.connection, endpoint_key="udp:14550", options={"a": "b"}))
    await store.run(lambda uow: uow.sessions.add(session))
    assert await store.run(lambda uow: uow.sessions.get(session.id)) == session
    assert await store.run(lambda uow: uow.sessions.get_by_name("alpha")) == session
    assert await store.run(lambda uow: uow.sessions.get("ses_missing")) is None


async def test_duplicate_name_is_a_conflict_naming_the_holder(store: SqliteProfileStore) -> None:
    first = make_session("alpha", state=SessionState.STOPPED)
    await store.run(lambda uow: uow.sessions.add(first))
    with pytest.raises(ConflictError) as info:
        await store.run(lambda uow: uow.sessions.add(make_session("alpha", device="fake:other")))
    assert str(info.value) == f"session name 'alpha' is already used by session {first.id}"
    assert info.value.holder == first.id


async def test_one_live_session_per_device(store: SqliteProfileStore) -> None:
    live = make_session("alpha", device="fake:v1")
    await store.run(lambda uow: uow.sessions.add(live))
    with pytest.raises(ConflictError) as info:
        await store.run(lambda uow: uow.sessions.add(make_session("beta", device="fake:v1")))
    assert str(info.value) == f"device fake:v1 is held by live session 'alpha' ({live.id})"
    # Sessions that are not live hold nothing: any number of them may name the same device.
    for name in ("gamma", "delta"):
        await store.run(adding(make_session(name, state=SessionState.STOPPED, device="fake:v1")))
    assert (await store.run(lambda uow: uow.sessions.find_live_by_device("fake:v1"))) == live


async def test_conflict_keeps_the_outer_transaction_and_its_failure_audit(store: SqliteProfileStore) -> None:
    await store.run(lambda uow: uow.sessions.add(make_session("alpha")))
    audit = AuditEntry(ids.audit_id(), T0, "operator", "session.create", None, Outcome.FAILURE, {"name": "alpha"})

    def create_twice(uow: UnitOfWork) -> str:
        try:
            uow.sessions.add(make_session("alpha", device="fake:zz"))
        except ConflictError as exc:
            uow.audit.add(replace(audit, detail={"error": exc.message}))
            return exc.message
        raise AssertionError("expected a conflict")

    message = await store.run(create_twice)
    stored = await store.run(lambda uow: uow.audit.list())
    assert [(e.id, e.detail["error"]) for e in stored] == [(audit.id, message)]
    assert len(await store.run(lambda uow: uow.sessions.list())) == 1


async def test_update_bumps_version_and_tracks_the_live_device(store: SqliteProfileStore) -> None:
    session = make_session("alpha", device="fake:v1")
    await store.run(lambda uow: uow.sessions.add(session))
    stopped = await store.run(lambda uow: uow.sessions.update(replace(session, state=SessionState.STOPPED)))
    assert stopped.version == 2
    assert await store.run(lambda uow: uow.sessions.get(session.id)) == stopped
    assert await store.run(lambda uow: uow.sessions.find_live_by_device("fake:v1")) is None
    # The device is free again, so another session can go live on it.
    await store.run(lambda uow: uow.sessions.add(make_session("beta", device="fake:v1")))
    with pytest.raises(ConflictError, match="is held by live session 'beta'"):
        await store.run(lambda uow: uow.sessions.update(replace(stopped, state=SessionState.STARTING)))


async def test_update_from_a_stale_copy_is_refused(store: SqliteProfileStore) -> None:
    session = make_session("alpha")
    await store.run(lambda uow: uow.sessions.add(session))
    await store.run(lambda uow: uow.sessions.update(replace(session, last_error="first")))
    with pytest.raises(ConflictError, match="changed by someone else"):
        await store.run(lambda uow: uow.sessions.update(replace(session, last_error="stale")))
    stored = await store.run(lambda uow: uow.sessions.get(session.id))
    assert stored is not None
    assert (stored.last_error, stored.version) == ("first", 2)


async def test_update_or_delete_of_a_missing_session_is_not_found(store: SqliteProfileStore) -> None:
    ghost = make_session("ghost")
    with pytest.raises(NotFoundError):
        await store.run(lambda uow: uow.sessions.update(ghost))
    with pytest.raises(NotFoundError):
        await store.run(lambda uow: uow.sessions.delete(ghost.id))


async def test_rename_onto_a_taken_name_is_a_conflict(store: SqliteProfileStore) -> None:
    a, b = make_session("alpha", state=SessionState.STOPPED), make_session("beta", state=SessionState.STOPPED)
    await store.run(adding(a, b))
    with pytest.raises(ConflictError, match=f"already used by session {a.id}"):
        await store.run(lambda uow: uow.sessions.update(replace(b, name="alpha")))


async def test_session_list_filters_and_pages_by_id(store: SqliteProfileStore) -> None:
    made = [make_session(f"s{i}", state=SessionState.STOPPED if i % 2 else SessionState.ACTIVE) for i in range(5)]
    made.append(replace(make_session("mav"), adapter=AdapterKind.MAVLINK))
    await store.run(adding(*made))
    by_id = sorted(made, key=lambda s: s.id)
    assert await store.run(lambda uow: uow.sessions.list()) == by_id
    first, second = by_id[:2], by_id[2:4]
    assert await store.run(lambda uow: uow.sessions.list(limit=2)) == first
    assert await store.run(lambda uow: uow.sessions.list(limit=2, after_id=first[-1].id)) == second
    stopped = await store.run(lambda uow: uow.sessions.list(states=[SessionState.STOPPED]))
    assert {s.name for s in stopped} == {"s1", "s3"}
    mav = await store.run(lambda uow: uow.sessions.list(adapter=AdapterKind.MAVLINK))
    assert [s.name for s in mav] == ["mav"]


async def test_stream_round_trip_with_qos(store: SqliteProfileStore) -> None:
    stream = replace(
        make_stream("cam1"),
        state=StreamState.RECONNECTING,
        qos=StreamQos(source_fps=30.0, frames_decoded=10, width=1280, height=720, codec="h264", next_attempt_at=T0),
        recording=True,
        last_error="timeout",
    )
    await store.run(lambda uow: uow.streams.add(stream))
    assert await store.run(lambda uow: uow.streams.get(stream.id)) == stream
    assert await store.run(lambda uow: uow.streams.get_by_name("cam1")) == stream


async def test_stream_name_conflict_version_check_and_delete(store: SqliteProfileStore) -> None:
    stream = make_stream("cam1")
    await store.run(lambda uow: uow.streams.add(stream))
    with pytest.raises(ConflictError, match=f"stream name 'cam1' is already used by stream {stream.id}"):
        await store.run(lambda uow: uow.streams.add(make_stream("cam1")))
    updated = await store.run(lambda uow: uow.streams.update(replace(stream, enabled=False)))
    assert updated.version == 2
    with pytest.raises(ConflictError):
        await store.run(lambda uow: uow.streams.update(stream))
    await store.run(lambda uow: uow.streams.delete(stream.id))
    with pytest.raises(NotFoundError):
        await store.run(lambda uow: uow.streams.update(updated))


async def test_deleting_a_session_unlinks_its_streams(store: SqliteProfileStore) -> None:
    session = make_session("alpha")
    linked, other = make_stream("cam1", linked=session.id), make_stream("cam2")
    await store.run(adding(session, linked, other))
    assert await store.run(lambda uow: uow.streams.list(linked_session_id=session.id)) == [linked]

    def delete_and_read(uow: UnitOfWork) -> object:
        uow.sessions.delete(session.id)
        return uow.streams.get(linked.id)

    after = await store.run(delete_and_read)
    assert after == replace(linked, linked_session_id=None)
    assert len(await store.run(lambda uow: uow.streams.list())) == 2


async def test_stream_linked_to_a_missing_session_is_not_found(store: SqliteProfileStore) -> None:
    with pytest.raises(NotFoundError, match="session ses_nope does not exist"):
        await store.run(lambda uow: uow.streams.add(make_stream("cam1", linked="ses_nope")))


async def test_stream_list_pages_by_id(store: SqliteProfileStore) -> None:
    made = [make_stream(f"cam{i}") for i in range(4)]
    await store.run(adding(*made))
    by_id = sorted(made, key=lambda s: s.id)
    assert await store.run(lambda uow: uow.streams.list(limit=3)) == by_id[:3]
    assert await store.run(lambda uow: uow.streams.list(after_id=by_id[2].id)) == by_id[3:]
