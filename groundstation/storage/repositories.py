"""Repositories over one SQLAlchemy session: the storage side of ``domain.ports``.

Every repository of a unit of work shares one ORM session, hence one transaction: the audit entry a service
writes next to a change commits or rolls back with it. Writes that may hit a constraint run in a SAVEPOINT,
so a refused insert rolls back alone and the caller can still record the failure in the same transaction.
Reads always refresh from the database (``populate_existing``) because ON DELETE actions and bulk UPDATEs
change rows behind the session's identity map.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Row, Select, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from groundstation.domain.errors import ConflictError, NotFoundError
from groundstation.domain.events import IntegrationEvent
from groundstation.domain.models import AdapterKind, ApiToken, AuditEntry, DeviceSession, SessionState, VideoStream
from groundstation.domain.ports import (
    AuditRepository,
    EventRepository,
    QosSnapshotRepository,
    RecordingRepository,
    SessionRepository,
    SettingsRepository,
    StreamRepository,
    TelemetryRepository,
    TokenRepository,
)
from groundstation.domain.telemetry import TelemetrySample
from groundstation.domain.video import QosSnapshot, RecordingInfo, RecordingState
from groundstation.storage import mapping
from groundstation.storage.orm import (
    ApiTokenRow,
    AuditRow,
    Base,
    EventRow,
    QosSnapshotRow,
    RecordingRow,
    SessionRow,
    SettingRow,
    StreamRow,
    TelemetryRow,
)

R = TypeVar("R", bound=Base)
_FRESH = {"populate_existing": True}


def _first(db: Session, stmt: Select[R]) -> R | None:
    return db.scalars(stmt.execution_options(**_FRESH)).first()


def _all(db: Session, stmt: Select[R]) -> builtins.list[R]:
    return builtins.list(db.scalars(stmt.execution_options(**_FRESH)))


def _columns(db: Session, stmt: Select[Any]) -> Sequence[Row[Any]]:
    """The rows of ``select(Entity)...`` as plain column tuples, for lists: the same values (column types
    still convert them) without building, identity-mapping and refreshing an ORM object per row."""
    entity = stmt.column_descriptions[0]["entity"]
    return db.connection().execute(stmt.with_only_columns(*entity.__table__.columns, maintain_column_froms=False)).all()


def _versioned_update(
    db: Session,
    row_type: type[SessionRow] | type[StreamRow],
    values: dict[str, Any],
    *,
    what: str,
    on_integrity_error: Callable[[IntegrityError], Exception],
) -> None:
    """UPDATE ... WHERE id = ? AND version = ?, bumping the version; tells "gone" from "moved on"."""
    record_id, expected = values["id"], values["version"]
    stmt = (
        update(row_type)
        .where(row_type.id == record_id, row_type.version == expected)
        .values({**{k: v for k, v in values.items() if k != "id"}, "version": expected + 1})
        .execution_options(synchronize_session=False)
    )
    try:
        with db.begin_nested():
            result = cast(CursorResult[Any], db.execute(stmt))
    except IntegrityError as exc:
        raise on_integrity_error(exc) from exc
    if result.rowcount == 1:
        return
    current = db.scalar(select(row_type.version).where(row_type.id == record_id))
    if current is None:
        raise NotFoundError(f"{what} {record_id} does not exist")
    raise ConflictError(
        f"{what} {record_id} was changed by someone else (stored version {current}, yours {expected}); "
        "reload it and try again",
        holder=record_id,
    )


def _delete(db: Session, row_type: type[SessionRow] | type[StreamRow], record_id: str, what: str) -> None:
    result = cast(
        CursorResult[Any],
        db.execute(delete(row_type).where(row_type.id == record_id).execution_options(synchronize_session=False)),
    )
    if result.rowcount == 0:
        raise NotFoundError(f"{what} {record_id} does not exist")


def _count_where(db: Session, row_type: type[Base], *where: ColumnElement[bool]) -> int:
    return int(db.scalar(select(func.count()).select_from(row_type).where(*where)) or 0)


def _delete_some(
    db: Session,
    row_type: type[R],
    key: Callable[[Any], InstrumentedAttribute[Any]],
    where: Callable[[Any], Sequence[ColumnElement[bool]]],
    limit: int,
) -> int:
    """DELETE at most ``limit`` rows matching ``where``, chosen by key in a subquery: portable (SQLite has
    no DELETE ... LIMIT unless compiled with it) and, with an index on the filter, a range read.
    ``key`` and ``where`` take the row type (or an alias of it), so the subquery reads its own copy of
    the table instead of being correlated with the DELETE's."""
    if limit <= 0:
        raise ValueError(f"limit must be positive, got {limit}")
    picked = aliased(row_type)
    chosen = select(key(picked)).where(*where(picked)).limit(limit)
    stmt = delete(row_type).where(key(row_type).in_(chosen)).execution_options(synchronize_session=False)
    return int(cast(CursorResult[Any], db.execute(stmt)).rowcount)


class SqlSessionRepository:
    def __init__(self, db: Session) -> None:
        self._db = db

    def add(self, session: DeviceSession) -> None:
        try:
            with self._db.begin_nested():
                self._db.execute(insert(SessionRow).values(mapping.session_values(session)))
        except IntegrityError as exc:
            raise self._conflict(session, exc) from exc

    def update(self, session: DeviceSession) -> DeviceSession:
        _versioned_update(
            self._db,
            SessionRow,
            mapping.session_values(session),
            what="session",
            on_integrity_error=lambda exc: self._conflict(session, exc),
        )
        return replace(session, version=session.version + 1)

    def _conflict(self, session: DeviceSession, exc: IntegrityError) -> Exception:
        """Name whoever holds what ``session`` wanted, so the person can act on it (stop or rename)."""
        named = self.get_by_name(session.name)
        if named is not None and named.id != session.id:
            return ConflictError(
                f"session name {session.name!r} is already used by session {named.id}", holder=named.id
            )
        device = session.connection.device_key
        live = self.find_live_by_device(device) if session.state.is_live else None
        if live is not None and live.id != session.id:
            return ConflictError(f"device {device} is held by live session {live.name!r} ({live.id})", holder=live.id)
        if self.get(session.id) is not None:
            return ConflictError(f"session {session.id} already exists", holder=session.id)
        return ConflictError(f"session {session.name!r} conflicts with stored data: {exc.orig}")

    def get(self, session_id: str) -> DeviceSession | None:
        row = _first(self._db, select(SessionRow).where(SessionRow.id == session_id))
        return mapping.session_from_row(row) if row is not None else None

    def get_by_name(self, name: str) -> DeviceSession | None:
        row = _first(self._db, select(SessionRow).where(SessionRow.name == name))
        return mapping.session_from_row(row) if row is not None else None

    def find_live_by_device(self, device_key: str) -> DeviceSession | None:
        row = _first(self._db, select(SessionRow).where(SessionRow.live_device_key == device_key))
        return mapping.session_from_row(row) if row is not None else None

    def list(
        self,
        *,
        states: Sequence[SessionState] | None = None,
        adapter: AdapterKind | None = None,
        limit: int | None = None,
        after_id: str | None = None,
    ) -> builtins.list[DeviceSession]:
        stmt = select(SessionRow).order_by(SessionRow.id)
        if states is not None:
            stmt = stmt.where(SessionRow.state.in_([state.value for state in states]))
        if adapter is not None:
            stmt = stmt.where(SessionRow.adapter == adapter.value)
        if after_id is not None:
            stmt = stmt.where(SessionRow.id > after_id)
        if limit is not None:
            stmt = stmt.limit(limit)
        return [mapping.session_from_row(row) for row in _columns(self._db, stmt)]

    def delete(self, session_id: str) -> None:
        """Raises NotFoundError if absent. Linked streams are unlinked and telemetry goes with the session."""
        _delete(self._db, SessionRow, session_id, "session")


class SqlStreamRepository:
    def __init__(self, db: Session) -> None:
        self._db = db

    def add(self, stream: VideoStream) -> None:
        try:
            with self._db.begin_nested():
                self._db.execute(insert(StreamRow).values(mapping.stream_values(stream)))
        except IntegrityError as exc:
            raise self._conflict(stream, exc) from exc

    def update(self, stream: VideoStream) -> VideoStream:
        _versioned_update(
            self._db,
            StreamRow,
            mapping.stream_values(stream),
            what="stream",
            on_integrity_error=lambda exc: self._conflict(stream, exc),
        )
        return replace(stream, version=stream.version + 1)

    def _conflict(self, stream: VideoStream, exc: IntegrityError) -> Exception:
        named = self.get_by_name(stream.name)
        if named is not None and named.id != stream.id:
            return ConflictError(f"stream name {stream.name!r} is already used by stream {named.id}", holder=named.id)
        linked = stream.linked_session_id
        if linked is not None and self._db.get(SessionRow, linked) is None:
            return NotFoundError(f"session {linked} does not exist (stream {stream.name!r} links to it)")
        if self.get(stream.id) is not None:
            return ConflictError(f"stream {stream.id} already exists", holder=stream.id)
        return ConflictError(f"stream {stream.name!r} conflicts with stored data: {exc.orig}")

    def get(self, stream_id: str) -> VideoStream | None:
        row = _first(self._db, select(StreamRow).where(StreamRow.id == stream_id))
        return mapping.stream_from_row(row) if row is not None else None

    def get_by_name(self, name: str) -> VideoStream | None:
        row = _first(self._db, select(StreamRow).where(StreamRow.name == name))
        return mapping.stream_from_row(row) if row is not None else None

    def list(
        self,
        *,
        linked_session_id: str | None = None,
        limit: int | None = None,
        after_id: str | None = None,
    ) -> builtins.list[VideoStream]:
        stmt = select(StreamRow).order_by(StreamRow.id)
        if linked_session_id is not None:
            stmt = stmt.where(StreamRow.linked_session_id == linked_session_id)
        if after_id is not None:
            stmt = stmt.where(StreamRow.id > after_id)
        if limit is not None:
            stmt = stmt.limit(limit)
        return [mapping.stream_from_row(row) for row in _columns(self._db, stmt)]

    def delete(self, stream_id: str) -> None:
        """Raises NotFoundError if absent."""
        _delete(self._db, StreamRow, stream_id, "stream")


class SqlAuditRepository:
    def __init__(self, db: Session) -> None:
        self._db = db

    def add(self, entry: AuditEntry) -> None:
        self._db.add(mapping.audit_row(entry))
        self._db.flush()

    def add_many(self, entries: Sequence[AuditEntry]) -> None:
        if entries:
            self._db.execute(insert(AuditRow), [mapping.audit_values(e) for e in entries])

    def list(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        actor: str | None = None,
        action: str | None = None,
        target_id: str | None = None,
        limit: int | None = None,
        exclude_actions: Sequence[str] = (),
        newest_first: bool = False,
        after: tuple[datetime, str] | None = None,
        before: tuple[datetime, str] | None = None,
    ) -> builtins.list[AuditEntry]:
        """Oldest first (``newest_first``: newest first, so ``limit`` keeps the latest); ``since`` inclusive,
        ``until`` exclusive (as for telemetry), ties broken by id; ``after``/``before`` exclusive ``(at, id)``
        positions. Each bound is spelled ``at >= t AND (at > t OR id > i)`` so the index on ``at`` (or
        ``(action, at)``) reads one range."""
        order = (AuditRow.at.desc(), AuditRow.id.desc()) if newest_first else (AuditRow.at, AuditRow.id)
        stmt = select(AuditRow).order_by(*order)
        if after is not None:
            at, entry_id = after
            stmt = stmt.where(AuditRow.at >= at, or_(AuditRow.at > at, AuditRow.id > entry_id))
        if before is not None:
            at, entry_id = before
            stmt = stmt.where(AuditRow.at <= at, or_(AuditRow.at < at, AuditRow.id < entry_id))
        if exclude_actions:
            stmt = stmt.where(AuditRow.action.not_in(exclude_actions))
        if since is not None:
            stmt = stmt.where(AuditRow.at >= since)
        if until is not None:
            stmt = stmt.where(AuditRow.at < until)
        if actor is not None:
            stmt = stmt.where(AuditRow.actor == actor)
        if action is not None:
            stmt = stmt.where(AuditRow.action == action)
        if target_id is not None:
            stmt = stmt.where(AuditRow.target_id == target_id)
        if limit is not None:
            stmt = stmt.limit(limit)
        return [mapping.audit_from_row(row) for row in _all(self._db, stmt)]

    def count_actions_before(self, actions: Sequence[str], cutoff: datetime) -> int:
        return _count_where(self._db, AuditRow, *self._old(AuditRow, actions, cutoff))

    def delete_actions_before(self, actions: Sequence[str], cutoff: datetime, limit: int) -> int:
        """Found through (action, at); deleted by id."""
        return _delete_some(self._db, AuditRow, lambda t: t.id, lambda t: self._old(t, actions, cutoff), limit)

    @staticmethod
    def _old(table: Any, actions: Sequence[str], cutoff: datetime) -> builtins.list[ColumnElement[bool]]:
        if not actions:
            raise ValueError("name the actions to prune: the audit trail as a whole is never pruned")
        return [table.action.in_(builtins.list(actions)), table.at < cutoff]


class SqlEventRepository:
    def __init__(self, db: Session) -> None:
        self._db = db

    def add(self, event: IntegrationEvent) -> IntegrationEvent:
        row = mapping.event_row(event)
        try:
            with self._db.begin_nested():
                self._db.add(row)
                self._db.flush()
        except IntegrityError as exc:
            raise ConflictError(f"event {event.id} is already stored", holder=event.id) from exc
        return replace(event, seq=row.seq)

    def list(
        self,
        *,
        after_seq: int | None = None,
        limit: int | None = None,
        before_seq: int | None = None,
        newest_first: bool = False,
    ) -> builtins.list[IntegrationEvent]:
        stmt = select(EventRow).order_by(EventRow.seq.desc() if newest_first else EventRow.seq)
        if after_seq is not None:
            stmt = stmt.where(EventRow.seq > after_seq)
        if before_seq is not None:
            stmt = stmt.where(EventRow.seq < before_seq)
        if limit is not None:
            stmt = stmt.limit(limit)
        return [mapping.event_from_row(row) for row in _all(self._db, stmt)]

    def count_before(self, cutoff: datetime) -> int:
        return _count_where(self._db, EventRow, EventRow.at < cutoff)

    def delete_before(self, cutoff: datetime, limit: int) -> int:
        """Found through the index on ``at``; ``seq`` values are never reused (AUTOINCREMENT)."""
        return _delete_some(self._db, EventRow, lambda t: t.seq, lambda t: [t.at < cutoff], limit)


class SqlTelemetryRepository:
    def __init__(self, db: Session) -> None:
        self._db = db

    def add_many(self, samples: Sequence[TelemetrySample]) -> None:
        """One executemany for the batch; a sample of an unknown session refuses the whole batch."""
        if not samples:
            return
        try:
            with self._db.begin_nested():
                self._db.execute(insert(TelemetryRow), [mapping.telemetry_values(s) for s in samples])
        except IntegrityError as exc:
            missing = sorted({s.session_id for s in samples} - self._existing_sessions(samples))
            raise NotFoundError(f"telemetry for unknown session(s): {', '.join(missing) or '?'}") from exc

    def _existing_sessions(self, samples: Sequence[TelemetrySample]) -> set[str]:
        ids = {s.session_id for s in samples}
        return set(self._db.scalars(select(SessionRow.id).where(SessionRow.id.in_(ids))))

    def range(
        self,
        session_id: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        newest_first: bool = False,
        after: tuple[datetime, int] | None = None,
        before: tuple[datetime, int] | None = None,
    ) -> builtins.list[TelemetrySample]:
        """Through the ``(session_id, time)`` index, whose entries end with the rowid (``id``): the order
        ``(time, id)`` either way is the index's own, so a page is one range read with no sort. A position
        ``(time, n)`` is one read of the ties at ``time`` (past their first n from that end) and one of the
        samples strictly beyond ``time``."""
        if after is not None and before is not None:
            raise ValueError("give after or before, not both")
        if limit is not None and limit <= 0:
            return []
        window = [TelemetryRow.session_id == session_id]
        if since is not None:
            window.append(TelemetryRow.time >= since)
        if until is not None:
            window.append(TelemetryRow.time < until)
        position = after or before
        ties: builtins.list[TelemetryRow] = []
        if position is not None:
            at, seen = position
            tie_order = TelemetryRow.id if after is not None else TelemetryRow.id.desc()
            if (since is None or at >= since) and (until is None or at < until):
                # Only (session_id, time = at): with since/until beside it SQLite picks a range and a sort.
                tied = select(TelemetryRow).where(window[0], TelemetryRow.time == at).order_by(tie_order)
                tied = tied.offset(seen)
                ties = _all(self._db, tied if limit is None else tied.limit(limit))
            window.append(TelemetryRow.time > at if after is not None else TelemetryRow.time < at)
        order = (
            (TelemetryRow.time.desc(), TelemetryRow.id.desc()) if newest_first else (TelemetryRow.time, TelemetryRow.id)
        )
        stmt = select(TelemetryRow).where(*window).order_by(*order)
        if limit is not None:
            stmt = stmt.limit(limit)
        rows = _all(self._db, stmt)
        if ties:
            rows = sorted([*ties, *rows], key=lambda r: (r.time, r.id), reverse=newest_first)
            rows = rows if limit is None else rows[:limit]
        return [mapping.telemetry_from_row(row) for row in rows]

    def latest(self, session_id: str) -> TelemetrySample | None:
        """One read of the last entry of the session's ``(session_id, time)`` index range."""
        stmt = (
            select(TelemetryRow)
            .where(TelemetryRow.session_id == session_id)
            .order_by(TelemetryRow.time.desc(), TelemetryRow.id.desc())
            .limit(1)
        )
        row = _first(self._db, stmt)
        return mapping.telemetry_from_row(row) if row is not None else None

    def count(self, session_id: str | None = None) -> int:
        stmt = select(func.count()).select_from(TelemetryRow)
        if session_id is not None:
            stmt = stmt.where(TelemetryRow.session_id == session_id)
        return int(self._db.scalar(stmt) or 0)

    def count_before(self, cutoff: datetime) -> int:
        return _count_where(self._db, TelemetryRow, *self._old(TelemetryRow, cutoff))

    def delete_before(self, cutoff: datetime, limit: int) -> int:
        return _delete_some(self._db, TelemetryRow, lambda t: t.id, lambda t: self._old(t, cutoff), limit)

    @staticmethod
    def _old(table: Any, cutoff: datetime) -> builtins.list[ColumnElement[bool]]:
        # "Of any session" spelled out, so the (session_id, time) index answers one session's range at a
        # time: no second index on time for the biggest table, whose every insert would pay for it.
        # Every sample has a session (NOT NULL, ON DELETE CASCADE), so this is all of them.
        return [table.session_id.in_(select(SessionRow.id)), table.time < cutoff]


class SqlQosSnapshotRepository:
    def __init__(self, db: Session) -> None:
        self._db = db

    def add(self, snapshot: QosSnapshot) -> None:
        try:
            with self._db.begin_nested():
                self._db.add(mapping.qos_snapshot_row(snapshot))
                self._db.flush()
        except IntegrityError as exc:
            raise NotFoundError(f"QoS snapshot for unknown stream {snapshot.stream_id!r}") from exc

    def list(
        self,
        stream_id: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> builtins.list[QosSnapshot]:
        stmt = select(QosSnapshotRow).where(QosSnapshotRow.stream_id == stream_id)
        if since is not None:
            stmt = stmt.where(QosSnapshotRow.at >= since)
        if until is not None:
            stmt = stmt.where(QosSnapshotRow.at < until)
        stmt = stmt.order_by(QosSnapshotRow.at, QosSnapshotRow.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        return [mapping.qos_snapshot_from_row(row) for row in _all(self._db, stmt)]

    def count_before(self, cutoff: datetime) -> int:
        return _count_where(self._db, QosSnapshotRow, *self._old(QosSnapshotRow, cutoff))

    def delete_before(self, cutoff: datetime, limit: int) -> int:
        return _delete_some(self._db, QosSnapshotRow, lambda t: t.id, lambda t: self._old(t, cutoff), limit)

    @staticmethod
    def _old(table: Any, cutoff: datetime) -> builtins.list[ColumnElement[bool]]:
        # Through the (stream_id, at) index, as telemetry goes through (session_id, time).
        return [table.stream_id.in_(select(StreamRow.id)), table.at < cutoff]


class SqlRecordingRepository:
    def __init__(self, db: Session) -> None:
        self._db = db

    def add(self, recording: RecordingInfo) -> None:
        self._db.add(RecordingRow(**mapping.recording_values(recording)))
        self._db.flush()

    def update(self, recording: RecordingInfo) -> None:
        row = self._db.get(RecordingRow, recording.id)
        if row is None:
            raise NotFoundError(f"no recording {recording.id!r}")
        for key, value in mapping.recording_values(recording).items():
            setattr(row, key, value)
        self._db.flush()

    def get(self, recording_id: str) -> RecordingInfo | None:
        row = _first(self._db, select(RecordingRow).where(RecordingRow.id == recording_id))
        return mapping.recording_from_row(row) if row is not None else None

    def list(
        self, *, stream_id: str | None = None, states: Sequence[RecordingState] | None = None
    ) -> builtins.list[RecordingInfo]:
        stmt = select(RecordingRow)
        if stream_id is not None:
            stmt = stmt.where(RecordingRow.stream_id == stream_id)
        if states is not None:
            stmt = stmt.where(RecordingRow.state.in_([s.value for s in states]))
        stmt = stmt.order_by(RecordingRow.started_at.desc(), RecordingRow.id)
        return [mapping.recording_from_row(row) for row in _all(self._db, stmt)]


class SqlSettingsRepository:
    def __init__(self, db: Session) -> None:
        self._db = db

    def get(self, key: str) -> Any | None:
        row = _first(self._db, select(SettingRow).where(SettingRow.key == key))
        return row.value if row is not None else None

    def set(self, key: str, value: Any) -> None:
        # Read-then-write rather than a dialect's upsert: portable, and the profile has a single writer.
        row = self._db.get(SettingRow, key)
        if row is None:
            self._db.add(SettingRow(key=key, value=value))
        else:
            row.value = value
        self._db.flush()

    def all(self) -> dict[str, Any]:
        return {row.key: row.value for row in _all(self._db, select(SettingRow).order_by(SettingRow.key))}


class SqlTokenRepository:
    """API tokens by hash (a unique index: one lookup per authenticated request stays cheap)."""

    def __init__(self, db: Session) -> None:
        self._db = db

    def add(self, token: ApiToken) -> None:
        try:
            with self._db.begin_nested():
                self._db.execute(insert(ApiTokenRow).values(mapping.token_values(token)))
        except IntegrityError as exc:
            named = self.get_by_name(token.name)
            if named is not None:
                raise ConflictError(
                    f"token name {token.name!r} is already used by token {named.id}", holder=named.id
                ) from exc
            raise ConflictError(f"token {token.name!r} conflicts with stored data: {exc.orig}") from exc

    def get(self, token_id: str) -> ApiToken | None:
        row = _first(self._db, select(ApiTokenRow).where(ApiTokenRow.id == token_id))
        return mapping.token_from_row(row) if row is not None else None

    def get_by_name(self, name: str) -> ApiToken | None:
        row = _first(self._db, select(ApiTokenRow).where(ApiTokenRow.name == name))
        return mapping.token_from_row(row) if row is not None else None

    def get_by_hash(self, token_hash: str) -> ApiToken | None:
        row = _first(self._db, select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash))
        return mapping.token_from_row(row) if row is not None else None

    def list(self) -> builtins.list[ApiToken]:
        stmt = select(ApiTokenRow).order_by(ApiTokenRow.created_at, ApiTokenRow.id)
        return [mapping.token_from_row(row) for row in _all(self._db, stmt)]

    def revoke(self, token_id: str, at: datetime) -> None:
        self._set(token_id, revoked_at=at)

    def touch(self, token_id: str, at: datetime) -> None:
        self._set(token_id, last_used_at=at)

    def _set(self, token_id: str, **values: datetime) -> None:
        stmt = update(ApiTokenRow).where(ApiTokenRow.id == token_id).values(values)
        result = cast(CursorResult[Any], self._db.execute(stmt.execution_options(synchronize_session=False)))
        if result.rowcount == 0:
            raise NotFoundError(f"token {token_id} does not exist")


class SqlUnitOfWork:
    """The repositories of one transaction, all over the same ORM session."""

    def __init__(self, db: Session) -> None:
        # Annotated with the ports so mypy checks each repository against its Protocol.
        self.sessions: SessionRepository = SqlSessionRepository(db)
        self.streams: StreamRepository = SqlStreamRepository(db)
        self.audit: AuditRepository = SqlAuditRepository(db)
        self.events: EventRepository = SqlEventRepository(db)
        self.telemetry: TelemetryRepository = SqlTelemetryRepository(db)
        self.qos_snapshots: QosSnapshotRepository = SqlQosSnapshotRepository(db)
        self.recordings: RecordingRepository = SqlRecordingRepository(db)
        self.settings: SettingsRepository = SqlSettingsRepository(db)
        self.tokens: TokenRepository = SqlTokenRepository(db)
