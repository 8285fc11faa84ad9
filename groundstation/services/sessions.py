"""Device sessions: their lifecycle (define, start, resume, stop, delete, recovery) and the links behind them.

The database row is the truth about a session; the sessions this process runs are mirrored in memory
(``session_registry``) so the hot path (a sample arriving) never reads the database. Transitions of one
session are serialized by its lock, each is one audited transaction (``session_writes``), and each publishes a
state-change event after it commits. Link health is watched by ``session_link_watch``; why a link did not
open is put into words by ``session_open_errors``. This module composes them behind one service, the only
one callers use.
"""

from __future__ import annotations

import asyncio
import builtins
import logging
from collections.abc import Coroutine, Mapping, Sequence
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
from groundstation.domain.ports import Clock, DeviceAdapter, DeviceLink, ProfileStore
from groundstation.domain.telemetry import TelemetrySample
from groundstation.services.audit import AuditService
from groundstation.services.endpoints import EndpointRegistry
from groundstation.services.read_cache import PageCache
from groundstation.services.session_link_watch import LinkWatch
from groundstation.services.session_open_errors import describe_open_error
from groundstation.services.session_registry import LIVE_STATES, LiveSession, LiveSessions
from groundstation.services.session_sink import SessionSink
from groundstation.services.session_writes import SessionWrites
from groundstation.services.telemetry import TelemetryHub

log = logging.getLogger(__name__)

__all__ = ["LIVE_STATES", "LiveSession", "SessionService"]


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
        self._open_timeout_s = open_timeout_s
        self._live = LiveSessions(profile, endpoints)
        self._writes = SessionWrites(profile=profile, audit=audit, clock=clock, live=self._live)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._watch = LinkWatch(live=self._live, writes=self._writes, spawn=self._spawn, timeout_s=link_timeout_s)
        # Pages of ``list``, served again while no write to sessions (from anywhere) moved the store's count.
        self._pages: PageCache[DeviceSession] = PageCache(store, "sessions")

    @property
    def link_timeout_s(self) -> float:
        """Silence after which an ``active`` session turns ``link_lost``."""
        return self._watch.timeout_s

    @link_timeout_s.setter
    def link_timeout_s(self, value: float) -> None:
        self._watch.timeout_s = value

    # ------------------------------------------------------------------------------------------ reads
    async def list(
        self,
        *,
        states: Sequence[SessionState] | None = None,
        adapter: AdapterKind | None = None,
        limit: int | None = None,
        after_id: str | None = None,
    ) -> builtins.list[DeviceSession]:
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
            await self._writes.refused(actor, "session.define", detail, exc)
            raise
        return await self._writes.create(
            actor=actor,
            action="session.define",
            sid=sid,
            detail=detail,
            name=clean,
            kind=kind,
            spec=spec,
            state=SessionState.STOPPED,
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
            live = self._live.claim(sid, clean, kind, spec, SessionState.STARTING)
        except GroundstationError as exc:
            await self._writes.refused(actor, "session.start", detail, exc)
            raise
        async with live.lock:
            try:
                await self._writes.create(
                    actor=actor,
                    action="session.start",
                    sid=sid,
                    detail=detail,
                    name=clean,
                    kind=kind,
                    spec=spec,
                    state=SessionState.STARTING,
                )
            except BaseException:
                self._live.release(live)
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
            live = self._live.claim(
                session.id, session.name, session.adapter, session.connection, SessionState.STARTING
            )
        except GroundstationError as exc:
            await self._writes.refused(actor, "session.resume", {"session_id": session_id}, exc, target_id=session_id)
            raise
        async with live.lock:
            try:
                await self._writes.transition(
                    live.session_id, SessionState.STARTING, actor=actor, action="session.resume"
                )
            except BaseException:
                self._live.release(live)
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
                await self._writes.refused(actor, "session.stop", {}, exc, target_id=session_id)
                raise
            target = SessionState.STOPPED if current.state is SessionState.INTERRUPTED else SessionState.STOPPING
            return await self._writes.transition(session_id, target, actor=actor, action="session.stop")
        async with live.lock:
            if not self._live.is_current(live):
                return await self.get(session_id)
            live.closing = True
            await self._writes.transition(session_id, SessionState.STOPPING, actor=actor, action="session.stop")
            await self._close_link(live)
            stopped = await self._writes.transition(
                session_id, SessionState.STOPPED, actor=actors.SYSTEM, action="session.stopped"
            )
            self._live.release(live)
            return stopped

    async def delete(self, session_id: str, *, actor: str = actors.OPERATOR) -> None:
        """Remove a session that is not running; its streams stay, unlinked; its telemetry goes with it."""
        await self._writes.delete(session_id, actor=actor)
        self._hub.forget(session_id)

    async def recover_after_restart(self, *, auto_resume: bool) -> builtins.list[DeviceSession]:
        """Mark what the last run left live as ``interrupted`` (it died without stopping them), then
        resume them if the profile asks for it. Returns the sessions as they end up."""
        left_live = await self.list(states=LIVE_STATES)
        recovered: builtins.list[DeviceSession] = []
        for session in left_live:
            if session.id in self._live:
                continue
            interrupted = await self._writes.transition(
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
        for sid in self._live.ids():
            try:
                await self.stop(sid, actor=actors.SYSTEM)
            except GroundstationError as exc:
                log.warning("stopping session %s at shutdown: %s", sid, exc)
        await self._watch.stop()
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # ------------------------------------------------------------------------------------------ sink side
    def on_sample(self, live: LiveSession, sample: TelemetrySample) -> None:
        if live.closing or not self._live.is_current(live):
            return
        self._watch.data_arrived(live)
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

    def on_finished(self, live: LiveSession, reason: str) -> None:
        # ``closing`` is set under the lock, not here: whoever holds the link now (``groundstation replay``
        # reading its summary) keeps it until the stop below runs.
        if not live.closing:
            self._spawn(self._finish(live, reason))

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

    async def _open(self, live: LiveSession, kind: AdapterKind) -> DeviceSession:
        """Open the link of a session in ``starting`` (caller holds ``live.lock``)."""
        sink = SessionSink(self, live)
        link = self._adapters[kind].create_link(live.session_id, live.spec, sink)
        live.link = link
        try:
            await asyncio.wait_for(link.open(), self._open_timeout_s)
        except Exception as exc:
            reason = describe_open_error(exc, live.spec, self._open_timeout_s)
            live.closing = True
            await self._close_link(live)
            failed = await self._writes.transition(
                live.session_id,
                SessionState.FAILED,
                actor=actors.SYSTEM,
                action="session.open",
                error=reason,
                outcome=Outcome.FAILURE,
            )
            self._live.release(live)
            return failed
        live.opened_at = asyncio.get_running_loop().time()
        self._watch.ensure_running()
        return await self.get(live.session_id)

    async def _close_link(self, live: LiveSession) -> None:
        link, live.link = live.link, None
        if link is not None:
            try:
                await asyncio.wait_for(link.close(), self._open_timeout_s)
            except Exception:
                log.exception("closing the link of session %r", live.name)

    async def _fail(self, live: LiveSession, reason: str) -> None:
        async with live.lock:
            if not self._live.is_current(live):
                return
            await self._close_link(live)
            await self._writes.transition(
                live.session_id,
                SessionState.FAILED,
                actor=actors.SYSTEM,
                action="session.fail",
                error=reason,
                outcome=Outcome.FAILURE,
            )
            self._live.release(live)

    async def _finish(self, live: LiveSession, reason: str) -> None:
        """The link's source ended as it should (a replay read to its end): the session stops by itself,
        ``reason`` in its log as an INFO entry and in both entries' detail. Not a failure, not a lost link."""
        async with live.lock:
            if live.closing or not self._live.is_current(live):
                return
            live.closing = True
            await self._audit.append_event(
                EventKind.VEHICLE_MESSAGE, live.session_id, {"name": live.name, "text": reason}, Severity.INFO
            )
            detail = {"reason": reason}
            await self._writes.transition(
                live.session_id, SessionState.STOPPING, actor=actors.SYSTEM, action="session.finish", detail=detail
            )
            await self._close_link(live)
            await self._writes.transition(
                live.session_id, SessionState.STOPPED, actor=actors.SYSTEM, action="session.stopped", detail=detail
            )
            self._live.release(live)

    async def _store_identity(self, live: LiveSession, identity: VehicleIdentity) -> None:
        async with live.lock:
            await self._writes.identify(live.session_id, identity, actor=actors.SYSTEM)

    async def _store_message(self, live: LiveSession, severity: Severity, text: str) -> None:
        # A vehicle's own message is appended to the event log, not audited: it changes no record.
        await self._audit.append_event(
            EventKind.VEHICLE_MESSAGE, live.session_id, {"name": live.name, "text": text}, severity
        )

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("session background task failed", exc_info=task.exception())
