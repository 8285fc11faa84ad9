"""The stored side of sessions: every change of a session's row, each one audited transaction.

Kept apart from the lifecycle (``sessions``) so the rules the database backs sit in one place, inside the
units of work where they are checked against committed data: a unique name, one live session per device, and
the state machine (``SessionState.can_become``). Each transition publishes its state-change event after the
commit and then updates the in-memory mirror of a running session, so the mirror never shows a state the
database refused.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from groundstation.domain.errors import ConflictError, GroundstationError, NotFoundError
from groundstation.domain.events import EventKind, Severity
from groundstation.domain.models import (
    AdapterKind,
    ConnectionSpec,
    DeviceSession,
    Outcome,
    SessionState,
    VehicleIdentity,
)
from groundstation.domain.ports import Clock, UnitOfWork
from groundstation.services.audit import AuditService, WriteScope
from groundstation.services.session_registry import LiveSessions


class SessionWrites:
    def __init__(self, *, profile: str, audit: AuditService, clock: Clock, live: LiveSessions) -> None:
        self._profile = profile
        self._audit = audit
        self._clock = clock
        self._live = live

    async def create(
        self,
        *,
        actor: str,
        action: str,
        sid: str,
        detail: dict[str, Any],
        name: str,
        kind: AdapterKind,
        spec: ConnectionSpec,
        state: SessionState,
    ) -> DeviceSession:
        """Insert a session (``stopped`` for ``define``, ``starting`` for ``start``)."""
        return await self._audit.write(
            actor=actor,
            action=action,
            target_id=sid,
            detail=detail,
            work=lambda uow, scope: self._insert(uow, scope, sid, name, kind, spec, state),
        )

    def _insert(
        self,
        uow: UnitOfWork,
        scope: WriteScope,
        sid: str,
        name: str,
        kind: AdapterKind,
        spec: ConnectionSpec,
        state: SessionState,
    ) -> DeviceSession:
        taken = uow.sessions.get_by_name(name)
        if taken is not None:
            raise ConflictError(
                f"session name '{name}' is already used by session {taken.id} ({taken.state.value})",
                holder=taken.id,
            )
        if state.is_live:
            holder = uow.sessions.find_live_by_device(spec.device_key)
            if holder is not None:
                raise ConflictError(
                    f"device {spec.device_key} is held by live session '{holder.name}' ({holder.id})",
                    holder=holder.id,
                )
        now = self._clock()
        session = DeviceSession(
            id=sid,
            name=name,
            adapter=kind,
            connection=spec,
            state=state,
            created_at=now,
            started_at=now if state.is_live else None,
        )
        uow.sessions.add(session)
        scope.emit(EventKind.SESSION_CREATED, sid, {"name": name, "adapter": kind.value, "state": state.value})
        return session

    async def transition(
        self,
        session_id: str,
        target: SessionState,
        *,
        actor: str,
        action: str,
        error: str | None = None,
        detail: dict[str, Any] | None = None,
        outcome: Outcome = Outcome.SUCCESS,
    ) -> DeviceSession:
        def work(uow: UnitOfWork, scope: WriteScope) -> DeviceSession:
            current = uow.sessions.get(session_id)
            if current is None:
                raise NotFoundError(f"no session {session_id!r} in profile '{self._profile}'")
            if not current.state.can_become(target):
                raise ConflictError(
                    f"session '{current.name}' cannot go from {current.state.value} to {target.value}",
                    holder=current.id,
                )
            if target is SessionState.STARTING:
                holder = uow.sessions.find_live_by_device(current.connection.device_key)
                if holder is not None and holder.id != current.id:
                    raise ConflictError(
                        f"device {current.connection.device_key} is held by live session '{holder.name}' ({holder.id})",
                        holder=holder.id,
                    )
            now = self._clock()
            changes: dict[str, Any] = {"state": target}
            if target is SessionState.STARTING:
                changes.update(started_at=now, stopped_at=None, last_error=None)
            elif target is SessionState.ACTIVE:
                changes["last_error"] = None  # why the link was lost no longer holds once data flows again
            elif not target.is_live:
                changes["stopped_at"] = now
            if error is not None:
                changes["last_error"] = error
            updated = uow.sessions.update(replace(current, **changes))
            scope.detail.update({"name": current.name, "from": current.state.value, "to": target.value})
            if error is not None:
                scope.detail["error"] = error
            severity = Severity.WARNING if target in (SessionState.LINK_LOST, SessionState.FAILED) else Severity.INFO
            scope.emit(
                EventKind.SESSION_STATE_CHANGED,
                session_id,
                {"name": current.name, "from": current.state.value, "to": target.value, "error": error},
                severity,
            )
            return updated

        updated = await self._audit.write(
            actor=actor, action=action, target_id=session_id, work=work, detail=detail, outcome=outcome
        )
        live = self._live.get(session_id)
        if live is not None:
            live.state = updated.state
        return updated

    async def delete(self, session_id: str, *, actor: str) -> None:
        """Remove a session that is not running; its streams stay, unlinked; its telemetry goes with it."""

        def work(uow: UnitOfWork, scope: WriteScope) -> None:
            current = uow.sessions.get(session_id)
            if current is None:
                raise NotFoundError(f"no session {session_id!r} in profile '{self._profile}'")
            if current.state.is_live or session_id in self._live:
                raise ConflictError(
                    f"session '{current.name}' is {current.state.value}; stop it before deleting it",
                    holder=current.id,
                )
            scope.detail["name"] = current.name
            uow.sessions.delete(session_id)
            scope.emit(EventKind.SESSION_DELETED, session_id, {"name": current.name})

        await self._audit.write(actor=actor, action="session.delete", target_id=session_id, work=work)

    async def identify(self, session_id: str, identity: VehicleIdentity, *, actor: str) -> None:
        """Store who the vehicle says it is; a repeated report of the same identity writes nothing."""

        def work(uow: UnitOfWork, scope: WriteScope) -> None:
            current = uow.sessions.get(session_id)
            if current is None or current.identity == identity:
                scope.nothing_changed()
                return
            uow.sessions.update(replace(current, identity=identity))
            data = {
                "name": current.name,
                "system_id": identity.system_id,
                "autopilot": identity.autopilot,
                "vehicle_type": identity.vehicle_type,
                "firmware": identity.firmware,
            }
            scope.detail.update(data)
            scope.emit(EventKind.SESSION_IDENTIFIED, session_id, data)

        await self._audit.write(actor=actor, action="session.identify", target_id=session_id, work=work)

    async def refused(
        self,
        actor: str,
        action: str,
        detail: dict[str, Any],
        exc: GroundstationError,
        *,
        target_id: str | None = None,
    ) -> None:
        """Audit an attempt the service refused before any unit of work ran (bad input, a taken endpoint)."""
        await self._audit.record_failure(
            actor=actor,
            action=action,
            target_id=target_id,
            detail={**detail, "error": exc.message, "code": exc.code.value},
        )
