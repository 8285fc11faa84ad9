"""The repositories' prune methods on a real profile: bounded deletes by age, the audit trail of writes out
of reach, and query plans that read an index range instead of scanning a table."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy

from groundstation.domain import ids
from groundstation.domain.events import EventKind, IntegrationEvent, Severity
from groundstation.domain.models import AuditEntry, Outcome, StreamQos, StreamState
from groundstation.domain.ports import UnitOfWork
from groundstation.domain.telemetry import TelemetrySample
from groundstation.domain.video import QosSnapshot
from groundstation.storage import SqliteProfileStore
from tests.integration.storage.conftest import T0, make_session, make_stream

CUTOFF = T0
OLD = T0 - timedelta(days=10)
NEW = T0 + timedelta(seconds=1)


def entry(action: str, at: datetime, actor: str = "api:ops") -> AuditEntry:
    return AuditEntry(ids.audit_id(), at, actor, action, None, Outcome.SUCCESS, {})


async def test_telemetry_older_than_the_cutoff_goes_in_bounded_deletes_of_every_session(
    store: SqliteProfileStore,
) -> None:
    alpha, bravo = make_session("alpha"), make_session("bravo")
    samples = [
        TelemetrySample(session_id=s.id, time=OLD + timedelta(seconds=i)) for s in (alpha, bravo) for i in range(6)
    ] + [TelemetrySample(session_id=s.id, time=NEW) for s in (alpha, bravo)]

    def seed(uow: UnitOfWork) -> None:
        uow.sessions.add(alpha)
        uow.sessions.add(bravo)
        uow.telemetry.add_many(samples)

    await store.run(seed)
    assert await store.run(lambda uow: uow.telemetry.count_before(CUTOFF)) == 12
    assert await store.run(lambda uow: uow.telemetry.delete_before(CUTOFF, 5)) == 5
    assert await store.run(lambda uow: uow.telemetry.delete_before(CUTOFF, 5)) == 5
    assert await store.run(lambda uow: uow.telemetry.delete_before(CUTOFF, 5)) == 2
    assert await store.run(lambda uow: uow.telemetry.delete_before(CUTOFF, 5)) == 0
    assert await store.run(lambda uow: uow.telemetry.count()) == 2
    kept = await store.run(lambda uow: uow.telemetry.range(alpha.id))
    assert [s.time for s in kept] == [NEW]
    assert len(await store.run(lambda uow: uow.sessions.list())) == 2  # sessions themselves stay


async def test_events_and_qos_snapshots_older_than_the_cutoff_go(store: SqliteProfileStore) -> None:
    stream = make_stream("cam1")
    events = [
        IntegrationEvent(ids.event_id(), at, EventKind.SESSION_STATE_CHANGED, None, Severity.INFO, {})
        for at in (OLD, NEW)
    ]
    snaps = [QosSnapshot(stream.id, at, StreamState.LIVE, StreamQos(decoded_fps=25.0)) for at in (OLD, OLD, NEW)]

    def seed(uow: UnitOfWork) -> None:
        uow.streams.add(stream)
        for event in events:
            uow.events.add(event)
        for snap in snaps:
            uow.qos_snapshots.add(snap)

    await store.run(seed)
    assert await store.run(lambda uow: uow.events.count_before(CUTOFF)) == 1
    assert await store.run(lambda uow: uow.events.delete_before(CUTOFF, 100)) == 1
    assert [e.at for e in await store.run(lambda uow: uow.events.list())] == [NEW]
    assert await store.run(lambda uow: uow.qos_snapshots.count_before(CUTOFF)) == 2
    assert await store.run(lambda uow: uow.qos_snapshots.delete_before(CUTOFF, 100)) == 2
    assert [s.at for s in await store.run(lambda uow: uow.qos_snapshots.list(stream.id))] == [NEW]
    assert await store.run(lambda uow: uow.streams.get(stream.id)) is not None


async def test_only_the_named_audit_actions_are_deleted_however_old_the_rest(store: SqliteProfileStore) -> None:
    ancient = T0 - timedelta(days=3650)
    entries = [
        entry("api.request", OLD),
        entry("api.request", NEW),
        entry("api.ws", OLD),
        entry("session.start", ancient, actor="operator"),
        entry("settings.set", OLD, actor="operator"),
    ]
    await store.run(lambda uow: uow.audit.add_many(entries))
    access = ("api.request", "api.ws")
    assert await store.run(lambda uow: uow.audit.count_actions_before(access, CUTOFF)) == 2
    assert await store.run(lambda uow: uow.audit.delete_actions_before(access, CUTOFF, 1)) == 1
    assert await store.run(lambda uow: uow.audit.delete_actions_before(access, CUTOFF, 1)) == 1
    assert await store.run(lambda uow: uow.audit.delete_actions_before(access, CUTOFF, 1)) == 0
    left = await store.run(lambda uow: uow.audit.list())
    assert sorted((e.action, e.at) for e in left) == sorted(
        [("session.start", ancient), ("settings.set", OLD), ("api.request", NEW)]
    )
    with pytest.raises(ValueError, match="never pruned"):
        await store.run(lambda uow: uow.audit.delete_actions_before((), CUTOFF, 10))


async def test_the_audit_list_leaves_out_excluded_actions(store: SqliteProfileStore) -> None:
    await store.run(lambda uow: uow.audit.add_many([entry("api.request", NEW), entry("settings.set", NEW)]))
    listed = await store.run(lambda uow: uow.audit.list(exclude_actions=("api.request", "api.ws")))
    assert [e.action for e in listed] == ["settings.set"]


async def test_every_prune_query_reads_an_index_range_not_the_whole_table(store: SqliteProfileStore) -> None:
    statements: list[tuple[str, object]] = []

    def capture(conn: object, cursor: object, statement: str, parameters: object, *rest: object) -> None:
        if statement.startswith(("DELETE", "SELECT count")):
            statements.append((statement, parameters))

    sqlalchemy.event.listen(store.engine, "before_cursor_execute", capture)
    try:

        def prune_all(uow: UnitOfWork) -> None:
            for repo in ("telemetry", "events", "qos_snapshots"):
                getattr(uow, repo).count_before(CUTOFF)
                getattr(uow, repo).delete_before(CUTOFF, 10)
            uow.audit.count_actions_before(("api.request", "api.ws"), CUTOFF)
            uow.audit.delete_actions_before(("api.request", "api.ws"), CUTOFF, 10)

        await store.run(prune_all)
    finally:
        sqlalchemy.event.remove(store.engine, "before_cursor_execute", capture)
    assert len(statements) == 8

    def plans() -> list[str]:
        with store.engine.connect() as conn:
            return [
                " | ".join(row[3] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))  # type: ignore[arg-type]
                for sql, params in statements
            ]

    for plan in await store.run(lambda uow: plans()):
        # "SCAN x" is a full table (or full index) scan; every step must be a SEARCH on an index.
        assert "SCAN" not in plan.replace("LIST SUBQUERY", ""), plan
        assert "INDEX" in plan or "PRIMARY KEY" in plan, plan
    joined = "\n".join(await store.run(lambda uow: plans()))
    for index in (
        "ix_telemetry_samples_session_id_time",
        "ix_stream_qos_snapshots_stream_id_at",
        "ix_integration_events_at",
        "ix_audit_entries_action_at",
    ):
        assert index in joined
