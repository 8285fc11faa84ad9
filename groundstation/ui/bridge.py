"""Between the services and the widgets: a fleet model refreshed at display rate, never per sample.

Adapters publish telemetry at 10 to 50 Hz per vehicle and the bus carries every state change; a widget that
repainted on each would spend the loop on painting. The bridge keeps the newest of everything and tells the
widgets at most once per tick (15 Hz by default) that something changed:

- a ``QTimer`` reads ``hub.latest(session_id)`` for each known session (a dict read) and emits
  ``telemetry_changed`` when any sample is new;
- one asyncio task iterates a bus subscription (session and stream events) and refreshes the record the event
  names with a service read; the change is flagged and emitted on the next tick as ``fleet_changed``;
- a command's stored outcome (``command.sent``, whoever sent it: this window, the HTTP API, a script) is
  passed on at once as ``command_outcome``, so the alarms follow every command, not only the window's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from groundstation.domain.errors import NotFoundError
from groundstation.domain.events import EventKind, IntegrationEvent
from groundstation.domain.models import DeviceSession, VideoStream
from groundstation.domain.telemetry import TelemetrySample
from groundstation.services.bus import EventSubscription
from groundstation.ui.services import ProfileServicesView

log = logging.getLogger(__name__)

DISPLAY_RATE_HZ = 15

_SESSION_EVENTS = {
    EventKind.SESSION_CREATED,
    EventKind.SESSION_STATE_CHANGED,
    EventKind.SESSION_IDENTIFIED,
    EventKind.SESSION_DELETED,
}
_STREAM_EVENTS = {
    EventKind.STREAM_CREATED,
    EventKind.STREAM_UPDATED,
    EventKind.STREAM_DELETED,
    EventKind.STREAM_STATE_CHANGED,
}


class FleetBridge(QObject):
    """The UI's copy of a profile's sessions, streams and newest telemetry, refreshed at display rate."""

    fleet_changed = Signal()
    telemetry_changed = Signal()
    command_outcome = Signal(str, str, str, str)  # session id, command, CommandOutcome value, message

    def __init__(self, services: ProfileServicesView, *, rate_hz: float = DISPLAY_RATE_HZ) -> None:
        super().__init__()
        self.services = services
        self.sessions: dict[str, DeviceSession] = {}
        self.streams: dict[str, VideoStream] = {}
        self._telemetry: dict[str, TelemetrySample] = {}
        self._fleet_dirty = False
        self._subscription: EventSubscription | None = None
        self._events_task: asyncio.Task[None] | None = None
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(max(1, round(1000 / rate_hz)))
        self._timer.timeout.connect(self.tick)
        self.ticks = 0

    async def start(self) -> None:
        """Subscribe first, then read the lists, so no change between the two is missed."""
        self._subscription = self.services.bus.subscribe(_SESSION_EVENTS | _STREAM_EVENTS | {EventKind.COMMAND_SENT})
        self.sessions = {s.id: s for s in await self.services.sessions.list()}
        self.streams = {s.id: s for s in await self.services.streams.list()}
        self._events_task = asyncio.ensure_future(self._follow_events())
        self._fleet_dirty = True
        self._timer.start()
        self.tick()

    async def close(self) -> None:
        self._timer.stop()
        if self._subscription is not None:
            self._subscription.close()
        if self._events_task is not None:
            self._events_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._events_task
            self._events_task = None

    # ------------------------------------------------------------------------------------------ readers
    def telemetry(self, session_id: str | None) -> TelemetrySample | None:
        """The sample read at the last tick (what every widget shows in this frame)."""
        return None if session_id is None else self._telemetry.get(session_id)

    def session(self, session_id: str | None) -> DeviceSession | None:
        return None if session_id is None else self.sessions.get(session_id)

    def stream(self, stream_id: str | None) -> VideoStream | None:
        return None if stream_id is None else self.streams.get(stream_id)

    def stream_for_session(self, session_id: str) -> VideoStream | None:
        return next((s for s in self.streams.values() if s.linked_session_id == session_id), None)

    # ------------------------------------------------------------------------------------------ the tick
    def tick(self) -> None:
        self.ticks += 1
        hub = self.services.hub
        changed = False
        for sid in self.sessions:
            sample = hub.latest(sid)
            if sample is not None and sample is not self._telemetry.get(sid):
                self._telemetry[sid] = sample
                changed = True
        if self._fleet_dirty:
            self._fleet_dirty = False
            self.fleet_changed.emit()
        if changed:
            self.telemetry_changed.emit()

    # ------------------------------------------------------------------------------------------ events
    async def _follow_events(self) -> None:
        assert self._subscription is not None
        async for event in self._subscription:
            try:
                await self._apply(event)
            except Exception:
                log.exception("the UI could not apply %s", event.kind)

    async def _apply(self, event: IntegrationEvent) -> None:
        subject = event.subject_id
        if subject is None:
            return
        if event.kind is EventKind.COMMAND_SENT:
            data = event.data
            self.command_outcome.emit(
                subject, str(data.get("command", "")), str(data.get("outcome", "")), str(data.get("message", ""))
            )
            return
        if event.kind is EventKind.SESSION_DELETED:
            self.sessions.pop(subject, None)
            self._telemetry.pop(subject, None)
        elif event.kind is EventKind.STREAM_DELETED:
            self.streams.pop(subject, None)
        elif event.kind in _SESSION_EVENTS:
            try:
                self.sessions[subject] = await self.services.sessions.get(subject)
            except NotFoundError:
                self.sessions.pop(subject, None)
        else:
            try:
                self.streams[subject] = await self.services.streams.get(subject)
            except NotFoundError:
                self.streams.pop(subject, None)
        self._fleet_dirty = True
