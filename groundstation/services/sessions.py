"""Device sessions: their lifecycle, the conflict rules, and the live links behind them.

The database row is the truth about a session; ``LiveSession`` mirrors the state of the sessions this process
runs so the hot path (a sample arriving) never reads the database. Transitions of one session are serialized
by its lock, each is one audited transaction, and each publishes a state-change event after it commits.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import logging
from collections.abc import Coroutine, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from groundstation.domain import actors
from groundstation.domain.connections import parse_connection
from groundstation.domain.errors import ConflictError, GroundstationError, InvalidError, NotFoundError, UnsupportedError
from groundstation.domain.events import EventKind, Severity
from groundstation.domain.ids import session_id as new_session_id
from groundstation.domain.models import (
    AdapterKind,
    ConnectionSpec,
    DeviceSession,
    Outcome,
    SessionState,
    VehicleIdentity,
)
from groundstation.domain.names import validate_display_name
from groundstation.domain.ports import (
    Clock,
    DeviceAdapter,
    DeviceLink,
    ProfileStore,
    UnitOfWork,
)
from groundstation.domain.telemetry import TelemetrySample
from groundstation.services.audit import AuditService, WriteScope
from groundstation.services.endpoints import EndpointHolder, EndpointRegistry
from groundstation.services.read_cache import PageCache
from groundstation.services.session_sink import SessionSink
from groundstation.services.telemetry import TelemetryHub

log = logging.getLogger(__name__)

LIVE_STATES: tuple[SessionState, ...] = tuple(s for s in SessionState if s.is_live)


@dataclass(eq=False)
class LiveSession:
    session_id: str
    name: str
    spec: ConnectionSpec
    state: SessionState
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    link: DeviceLink | None = None
    last_data: float | None = None
    closing: bool = False
    transition_pending: bool = False


class SessionService:
    def __init__(
        self,
        *,
        profile: str,
        store: ProfileStore,
        audit: AuditService,
        hub: TelemetryHub,
        adapters: Mapping[AdapterKind, DeviceAdapter],
        endpoints: EndpointRegistry,
        clock: Clock,
        link_timeout_s: float = 3.5,
        open_timeout_s: float = 10.0,
    ) -> None:
        self._profile = profile
        self._store = store
        self._audit = audit
        self._hub = hub
        self._adapters = dict(adapters)
        self._endpoints = endpoints
        self._clock = clock
        self.link_timeout_s = link_timeout_s
        self._open_timeout_s = open_timeout_s
        self._live: dict[str, LiveSession] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._monitor: asyncio.Task[None] | None = None
        # Pages of ``list``, served again while no write to sessions (from anywhere) moved the store's count.
        self._pages: PageCache[DeviceSession] = PageCache(store, "sessions")

    # ------------------------------------------------------------------------------------------ reads
    async def list(
        self,
        *,
        states: Sequence[SessionState] | None = None,
        adapter: AdapterKind | None = None,
        limit: int | None = None,
        after_id: str | None = None,
    ) -> list[DeviceSession]:
        key = (tuple(states) if states is not None else None, adapter, limit, after_id)
        return await self._pages.read(
            key, lambda uow: uow.sessions.list(states=states, adapter=adapter, limit=limit, after_id=after_id)
        )

    async def get(self, session_id: str) -> DeviceSession:
        found = await self._store.run(lambda uow: uow.sessions.get(session_id))
        if found is None:
            raise NotFoundError(f"no session {session_id!r} in profile '{self._profile}'")
        return found

    async def find_by_name(self, name: str) -> DeviceSession | None:
        return await self._store.run(lambda uow: uow.sessions.get_by_name(name))

    def live_link(self, session_id: str) -> DeviceLink | None:
        """The open link of a running session, for the command service; None when not running."""
        live = self._live.get(session_id)
        return None if live is None or live.closing else live.link

    def live_state(self, session_id: str) -> SessionState | None:
        live = self._live.get(session_id)
        return None if live is None else live.state

    @property
    def available_adapters(self) -> frozenset[AdapterKind]:
        return frozenset(self._adapters)

    # ------------------------------------------------------------------------------------------ writes
    async def define(
        self, name: str, adapter: AdapterKind | str, url: str, *, actor: str = actors.OPERATOR
    ) -> DeviceSession:
        """Record a session without starting it (state ``stopped``): a fleet set up ahead of the flight."""
        sid = new_session_id()
        detail = {"name": name, "adapter": str(adapter), "url": url}
        try:
            kind, spec, clean = self._validate(name, adapter, url)
        except GroundstationError as exc:
            await self._refused(actor, "session.define", detail, exc)
            raise
        return await self._audit.write(
            actor=actor,
            action="session.define",
            target_id=sid,
            detail=detail,
            work=lambda uow, scope: self._insert(uow, scope, sid, clean, kind, spec, SessionState.STOPPED),
        )

    async def start(
        self, name: str, adapter: AdapterKind | str, url: str, *, actor: str = actors.OPERATOR
    ) -> DeviceSession:
        """Create a session and open its link. A link that cannot open leaves the session ``failed``
        with the reason in ``last_error`` (returned, not raised: the session exists and can be resumed)."""
        sid = new_session_id()
        detail = {"name": name, "adapter": str(adapter), "url": url}
        try:
            kind, spec, clean = self._validate(name, adapter, url)
            self._require_adapter(kind)
            self._adapters[kind].check(spec)
            live = self._claim(sid, clean, kind, spec, SessionState.STARTING)
        except GroundstationError as exc:
            await self._refused(actor, "session.start", detail, exc)
            raise
        async with live.lock:
            try:
                await self._audit.write(
                    actor=actor,
                    action="session.start",
                    target_id=sid,
                    detail=detail,
                    work=lambda uow, scope: self._insert(uow, scope, sid, clean, kind, spec, SessionState.STARTING),
                )
            except BaseException:
                self._release(live)
                raise
            return await self._open(live, kind)

    async def resume(self, session_id: str, *, actor: str = actors.OPERATOR) -> DeviceSession:
        """Start again a session that ended (stopped, failed or interrupted), with the same id and name."""
        try:
            session = await self.get(session_id)
            if not session.state.can_become(SessionState.STARTING):
                raise ConflictError(
                    f"session '{session.name}' is {session.state.value}; only stopped, failed or "
                    "interrupted sessions can be resumed",
                    holder=session.id,
                )
            self._require_adapter(session.adapter)
            live = self._claim(session.id, session.name, session.adapter, session.connection, SessionState.STARTING)
        except GroundstationError as exc:
            await self._refused(actor, "session.resume", {"session_id": session_id}, exc, target_id=session_id)
            raise
        async with live.lock:
            try:
                await self._transition(live.session_id, SessionState.STARTING, actor=actor, action="session.resume")
            except BaseException:
                self._release(live)
                raise
            return await self._open(live, session.adapter)

    async def stop(self, session_id: str, *, actor: str = actors.OPERATOR) -> DeviceSession:
        live = self._live.get(session_id)
        if live is None:
            # Not running here: an interrupted session is dismissed to stopped; any other state is refused
            # (and audited as refused) by the transition's own check.
            try:
                current = await self.get(session_id)
            except NotFoundError as exc:
                await self._refused(actor, "session.stop", {}, exc, target_id=session_id)
                raise
            target = SessionState.STOPPED if current.state is SessionState.INTERRUPTED else SessionState.STOPPING
            return await self._transition(session_id, target, actor=actor, action="session.stop")
        async with live.lock:
            if self._live.get(session_id) is not live:
                return await self.get(session_id)
            live.closing = True
            await self._transition(session_id, SessionState.STOPPING, actor=actor, action="session.stop")
            await self._close_link(live)
            stopped = await self._transition(
                session_id, SessionState.STOPPED, actor=actors.SYSTEM, action="session.stopped"
            )
            self._release(live)
            return stopped

    async def delete(self, session_id: str, *, actor: str = actors.OPERATOR) -> None:
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
        self._hub.forget(session_id)

    async def recover_after_restart(self, *, auto_resume: bool) -> builtins.list[DeviceSession]:
        """Mark what the last run left live as ``interrupted`` (it died without stopping them), then
        resume them if the profile asks for it. Returns the sessions as they end up."""
        left_live = await self.list(states=LIVE_STATES)
        recovered: builtins.list[DeviceSession] = []
        for session in left_live:
            if session.id in self._live:
                continue
            interrupted = await self._transition(
                session.id,
                SessionState.INTERRUPTED,
                actor=actors.SYSTEM,
                action="session.interrupt",
                detail={"reason": "the previous run ended without stopping this session"},
            )
            if auto_resume:
                try:
                    interrupted = await self.resume(session.id, actor=actors.SYSTEM)
                except GroundstationError as exc:
                    log.warning("could not resume session %r: %s", session.name, exc)
            recovered.append(interrupted)
        return recovered

    async def shutdown(self) -> None:
        """Stop every running session (they end ``stopped``) and the link monitor."""
        for sid in list(self._live):
            try:
                await self.stop(sid, actor=actors.SYSTEM)
            except GroundstationError as exc:
                log.warning("stopping session %s at shutdown: %s", sid, exc)
        if self._monitor is not None:
            self._monitor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._monitor
            self._monitor = None
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # ------------------------------------------------------------------------------------------ sink side
    def on_sample(self, live: LiveSession, sample: TelemetrySample) -> None:
        if live.closing or self._live.get(live.session_id) is not live:
            return
        live.last_data = asyncio.get_running_loop().time()
        if live.state in (SessionState.STARTING, SessionState.LINK_LOST) and not live.transition_pending:
            live.transition_pending = True
            self._spawn(self._data_returned(live))
        self._hub.publish(sample)

    def on_identity(self, live: LiveSession, identity: VehicleIdentity) -> None:
        if not live.closing:
            self._spawn(self._store_identity(live, identity))

    def on_message(self, live: LiveSession, severity: Severity, text: str) -> None:
        if not live.closing:
            self._spawn(self._store_message(live, severity, text))

    def on_failure(self, live: LiveSession, reason: str) -> None:
        if not live.closing:
            live.closing = True
            self._spawn(self._fail(live, reason))

    # ------------------------------------------------------------------------------------------ internals
    def _validate(self, name: str, adapter: AdapterKind | str, url: str) -> tuple[AdapterKind, ConnectionSpec, str]:
        clean = validate_display_name(name, field="name")
        try:
            kind = AdapterKind(adapter.upper() if isinstance(adapter, str) else adapter)
        except ValueError:
            raise InvalidError(
                f"unknown adapter {adapter!r} (expected one of {', '.join(k.value for k in AdapterKind)})",
                field="adapter",
            ) from None
        return kind, parse_connection(kind, url), clean

    def _require_adapter(self, kind: AdapterKind) -> None:
        if kind not in self._adapters:
            raise UnsupportedError(f"the {kind.value} adapter is not available in this build of groundstation")

    def _claim(self, sid: str, name: str, kind: AdapterKind, spec: ConnectionSpec, state: SessionState) -> LiveSession:
        """Take the process-wide endpoint before anything opens; the loser learns who holds it. Sessions of
        this profile and adapter share a shareable endpoint (several vehicles on one MAVLink link)."""
        if spec.endpoint_key is not None:
            holder = EndpointHolder(self._profile, sid, name, adapter=kind, shareable=spec.shares_endpoint)
            self._endpoints.claim(spec.endpoint_key, holder)
        live = LiveSession(sid, name, spec, state)
        self._live[sid] = live
        return live

    def _release(self, live: LiveSession) -> None:
        if live.spec.endpoint_key is not None:
            self._endpoints.release(live.spec.endpoint_key, live.session_id)
        if self._live.get(live.session_id) is live:
            del self._live[live.session_id]

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

    async def _open(self, live: LiveSession, kind: AdapterKind) -> DeviceSession:
        """Open the link of a session in ``starting`` (caller holds ``live.lock``)."""
        sink = SessionSink(self, live)
        link = self._adapters[kind].create_link(live.session_id, live.spec, sink)
        live.link = link
        try:
            await asyncio.wait_for(link.open(), self._open_timeout_s)
        except Exception as exc:
            reason = _describe_open_error(exc, live.spec, self._open_timeout_s)
            live.closing = True
            await self._close_link(live)
            failed = await self._transition(
                live.session_id,
                SessionState.FAILED,
                actor=actors.SYSTEM,
                action="session.open",
                error=reason,
                outcome=Outcome.FAILURE,
            )
            self._release(live)
            return failed
        self._ensure_monitor()
        return await self.get(live.session_id)

    async def _close_link(self, live: LiveSession) -> None:
        link, live.link = live.link, None
        if link is not None:
            try:
                await asyncio.wait_for(link.close(), self._open_timeout_s)
            except Exception:
                log.exception("closing the link of session %r", live.name)

    async def _transition(
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

    async def _data_returned(self, live: LiveSession) -> None:
        try:
            async with live.lock:
                if live.closing or self._live.get(live.session_id) is not live:
                    return
                action = "session.link_restored" if live.state is SessionState.LINK_LOST else "session.active"
                if live.state in (SessionState.STARTING, SessionState.LINK_LOST):
                    await self._transition(live.session_id, SessionState.ACTIVE, actor=actors.SYSTEM, action=action)
        finally:
            live.transition_pending = False

    async def _link_silent(self, live: LiveSession, silent_s: float) -> None:
        try:
            async with live.lock:
                if live.closing or live.state is not SessionState.ACTIVE or self._live.get(live.session_id) is not live:
                    return
                await self._transition(
                    live.session_id,
                    SessionState.LINK_LOST,
                    actor=actors.SYSTEM,
                    action="session.link_lost",
                    detail={"silent_s": round(silent_s, 2)},
                )
        finally:
            live.transition_pending = False

    async def _fail(self, live: LiveSession, reason: str) -> None:
        async with live.lock:
            if self._live.get(live.session_id) is not live:
                return
            await self._close_link(live)
            await self._transition(
                live.session_id,
                SessionState.FAILED,
                actor=actors.SYSTEM,
                action="session.fail",
                error=reason,
                outcome=Outcome.FAILURE,
            )
            self._release(live)

    async def _store_identity(self, live: LiveSession, identity: VehicleIdentity) -> None:
        async with live.lock:

            def work(uow: UnitOfWork, scope: WriteScope) -> None:
                current = uow.sessions.get(live.session_id)
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
                scope.emit(EventKind.SESSION_IDENTIFIED, live.session_id, data)

            await self._audit.write(
                actor=actors.SYSTEM, action="session.identify", target_id=live.session_id, work=work
            )

    async def _store_message(self, live: LiveSession, severity: Severity, text: str) -> None:
        # A vehicle's own message is appended to the event log, not audited: it changes no record.
        await self._audit.append_event(
            EventKind.VEHICLE_MESSAGE, live.session_id, {"name": live.name, "text": text}, severity
        )

    def _ensure_monitor(self) -> None:
        if self._monitor is None or self._monitor.done():
            self._monitor = asyncio.get_running_loop().create_task(self._watch_links(), name="link-monitor")

    async def _watch_links(self) -> None:
        """Turn silence into ``link_lost``: checked a few times per timeout so detection is prompt."""
        period = max(0.05, min(0.5, self.link_timeout_s / 5))
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(period)
            now = loop.time()
            for live in list(self._live.values()):
                if (
                    live.state is SessionState.ACTIVE
                    and not live.closing
                    and not live.transition_pending
                    and live.last_data is not None
                    and now - live.last_data > self.link_timeout_s
                ):
                    live.transition_pending = True
                    self._spawn(self._link_silent(live, now - live.last_data))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("session background task failed", exc_info=task.exception())

    async def _refused(
        self,
        actor: str,
        action: str,
        detail: dict[str, Any],
        exc: GroundstationError,
        *,
        target_id: str | None = None,
    ) -> None:
        await self._audit.record_failure(
            actor=actor,
            action=action,
            target_id=target_id,
            detail={**detail, "error": exc.message, "code": exc.code.value},
        )


def _describe_open_error(exc: BaseException, spec: ConnectionSpec, timeout_s: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"timed out after {timeout_s:g} s opening {spec.url}"
    if isinstance(exc, GroundstationError):
        return exc.message
    if isinstance(exc, OSError):
        return f"cannot open {spec.url}: {exc.strerror or exc}"
    return f"cannot open {spec.url}: {exc}"
