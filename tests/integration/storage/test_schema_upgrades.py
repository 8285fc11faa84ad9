"""A profile written by an older release opens in this one: migrations run on open and keep the data."""

from __future__ import annotations

from datetime import timedelta

from alembic import command

from groundstation.domain.models import StreamQos, StreamState
from groundstation.domain.video import QosSnapshot
from groundstation.storage import FileProfileCatalog
from groundstation.storage.database import alembic_config, create_profile_engine, head_revision
from tests.integration.storage.conftest import T0, make_session, make_stream


async def test_a_0001_profile_is_upgraded_on_open_and_keeps_its_sessions(catalog: FileProfileCatalog) -> None:
    catalog.create("old")
    store = catalog.open("old")
    session = make_session("alpha")
    await store.run(lambda uow: uow.sessions.add(session))
    await store.close()
    # Take the database back to the first schema, as the first release left it.
    path = catalog.profile_dir("old") / "profile.db"
    engine = create_profile_engine(path, read_only=False)
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0001")
    engine.dispose()

    reopened = catalog.open("old")
    try:
        kept = await reopened.run(lambda uow: uow.sessions.get(session.id))
        assert kept is not None
        assert kept.name == "alpha"
        with reopened.engine.connect() as conn:
            revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        assert revision == head_revision()
    finally:
        await reopened.close()


async def test_qos_snapshots_are_stored_by_time_and_go_with_their_stream(catalog: FileProfileCatalog) -> None:
    catalog.create("qos")
    store = catalog.open("qos")
    try:
        stream = make_stream("nose")
        other = make_stream("tail")
        await store.run(lambda uow: (uow.streams.add(stream), uow.streams.add(other)))
        for k in range(5):
            snap = QosSnapshot(
                stream.id,
                T0 + timedelta(seconds=10 * k),
                StreamState.LIVE,
                StreamQos(decoded_fps=29.5 + k, width=1280, height=720, codec="h264"),
            )
            await store.run(lambda uow, s=snap: uow.qos_snapshots.add(s))
        window = await store.run(
            lambda uow: uow.qos_snapshots.list(
                stream.id, since=T0 + timedelta(seconds=10), until=T0 + timedelta(seconds=40)
            )
        )
        assert [s.qos.decoded_fps for s in window] == [30.5, 31.5, 32.5]
        assert window[0].qos.codec == "h264"
        assert await store.run(lambda uow: uow.qos_snapshots.list(other.id)) == []
        await store.run(lambda uow: uow.streams.delete(stream.id))
        assert await store.run(lambda uow: uow.qos_snapshots.list(stream.id)) == []
    finally:
        await store.close()
