"""The audit trail, and the one path every write takes so that no write goes unrecorded.

``AuditService.write`` runs a unit of work and its audit entry in one transaction, stores the events the
unit raised, and publishes them after the commit. When the unit fails, the transaction rolls back and a
separate one records the failure, so the log never shows a success that did not happen, nor loses an
attempt that did not succeed.

Requests to the HTTP API are audited too, but not through ``write``: their access records (one per request,
``services/access_log.py``) are buffered and written a second's worth at a time, off the request's path.
``close`` writes what is still buffered; the profile calls it before its store closes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from groundstation.domain.errors import GroundstationError
from groundstation.domain.events import EventKind, IntegrationEvent, Severity
from groundstation.domain.ids import audit_id, event_id
from groundstation.domain.models import AuditEntry, Outcome
from groundstation.domain.ports import Clock, ProfileStore, UnitOfWork
from groundstation.services.access_log import AccessLog
from groundstation.services.bus import EventBus

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass
class WriteScope:
    """What a unit of work adds beside its write: events to store, details for its audit entry."""

    clock: Clock
    events: list[IntegrationEvent] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)
    unchanged: bool = False

    def nothing_changed(self) -> None:
        """The unit found nothing to write (a repeated report): no audit entry, no events."""
        self.unchanged = True

    def emit(
        self,
        kind: EventKind,
        subject_id: str | None,
        data: dict[str, Any] | None = None,
        severity: Severity = Severity.INFO,
    ) -> None:
        self.events.append(IntegrationEvent(event_id(), self.clock(), kind, subject_id, severity, dict(data or {})))


class AuditService:
    def __init__(self, store: ProfileStore, bus: EventBus, clock: Clock) -> None:
        self._store = store
        self._bus = bus
        self._clock = clock
        self.access = AccessLog(store, clock)

    async def close(self) -> None:
        """Write the access records still buffered; before the store closes."""
        await self.access.close()

    async def write(
        self,
        *,
        actor: str,
        action: str,
        target_id: str | None,
        work: Callable[[UnitOfWork, WriteScope], T],
        detail: dict[str, Any] | None = None,
        outcome: Outcome = Outcome.SUCCESS,
    ) -> T:
        """Run ``work`` and its audit entry in one transaction; on failure record the failure and re-raise.

        ``outcome`` is FAILURE for writes that store a failure (a link that could not open is recorded as
        a failed session, and the audit says the attempt failed)."""
        scope = WriteScope(self._clock, detail=dict(detail or {}))
        stored: list[IntegrationEvent] = []

        def unit(uow: UnitOfWork) -> T:
            result = work(uow, scope)
            if scope.unchanged:
                return result
            uow.audit.add(self._entry(actor, action, target_id, outcome, scope.detail))
            stored.extend(uow.events.add(event) for event in scope.events)
            return result

        try:
            result = await self._store.run(unit)
        except GroundstationError as exc:
            failure = {**scope.detail, "error": exc.message, "code": exc.code.value}
            await self._record_failure(actor, action, target_id, failure)
            raise
        except Exception as exc:
            await self._record_failure(actor, action, target_id, {**scope.detail, "error": repr(exc)})
            raise
        for event in stored:
            self._bus.publish(event)
        return result

    async def append_event(
        self,
        kind: EventKind,
        subject_id: str | None,
        data: dict[str, Any],
        severity: Severity = Severity.INFO,
    ) -> IntegrationEvent:
        """Store and publish an event that changes no record (a vehicle's message): nothing to audit."""
        event = IntegrationEvent(event_id(), self._clock(), kind, subject_id, severity, dict(data))
        stored = await self._store.run(lambda uow: uow.events.add(event))
        self._bus.publish(stored)
        return stored

    async def list_events(
        self,
        *,
        after_seq: int | None = None,
        limit: int | None = None,
        before_seq: int | None = None,
        newest_first: bool = False,
    ) -> list[IntegrationEvent]:
        return await self._store.run(
            lambda uow: uow.events.list(
                after_seq=after_seq, limit=limit, before_seq=before_seq, newest_first=newest_first
            )
        )

    async def record_failure(self, *, actor: str, action: str, target_id: str | None, detail: dict[str, Any]) -> None:
        """For attempts refused before any unit of work ran (bad input caught by the service itself)."""
        await self._record_failure(actor, action, target_id, detail)

    async def _record_failure(self, actor: str, action: str, target_id: str | None, detail: dict[str, Any]) -> None:
        entry = self._entry(actor, action, target_id, Outcome.FAILURE, detail)
        try:
            await self._store.run(lambda uow: uow.audit.add(entry))
        except Exception:
            # The database itself is failing (disk full, file gone): the caller still gets the original
            # error; the log keeps what the audit could not.
            log.exception("could not record failed %s by %s on %s: %s", action, actor, target_id, detail)

    async def list(
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
    ) -> list[AuditEntry]:
        """Oldest first by ``(at, id)`` (``newest_first``: newest first, so ``limit`` keeps the latest);
        ``after``/``before`` are exclusive ``(at, id)`` positions (a page's cursor). ``exclude_actions`` is
        filtered in the database: the viewer hiding the API's access records must not load a day of them to
        throw them away."""
        return await self._store.run(
            lambda uow: uow.audit.list(
                since=since,
                until=until,
                actor=actor,
                action=action,
                target_id=target_id,
                limit=limit,
                exclude_actions=exclude_actions,
                newest_first=newest_first,
                after=after,
                before=before,
            )
        )

    def _entry(
        self, actor: str, action: str, target_id: str | None, outcome: Outcome, detail: dict[str, Any]
    ) -> AuditEntry:
        return AuditEntry(audit_id(), self._clock(), actor, action, target_id, outcome, dict(detail))
