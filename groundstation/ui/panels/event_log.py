"""The event log dock: what happened in the profile, newest first, from the stored log and then the bus.

It subscribes before it reads the stored events, so nothing that happens in between is missed, and skips a
bus event whose ``seq`` it already has. Raised alarms are written in too, so the log tells the whole story.
Reading the stored events pages forward in the store's thread (``audit.list_events``) and keeps the newest
``MAX_ROWS``; the list widget never holds more.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from groundstation.domain.events import EventKind, IntegrationEvent, Severity
from groundstation.services.alarms import Alarm, AlarmSeverity
from groundstation.services.bus import EventSubscription
from groundstation.ui.services import ProfileServicesView
from groundstation.ui.theme import Theme

log = logging.getLogger(__name__)

MAX_ROWS = 1000
PAGE = 500


def describe_event(event: IntegrationEvent) -> str:
    """One line an operator reads: who, what, and the reason when there is one."""
    d = event.data
    name = d.get("name") or event.subject_id or ""
    kind = event.kind
    if kind in (EventKind.SESSION_STATE_CHANGED, EventKind.STREAM_STATE_CHANGED):
        what = "stream " if kind is EventKind.STREAM_STATE_CHANGED else ""
        error = f" ({d['error']})" if d.get("error") else ""
        return f"{what}{name}: {d.get('from', '?')} → {d.get('to', '?')}{error}"
    if kind is EventKind.VEHICLE_MESSAGE:
        return f"{name}: {d.get('text', '')}"
    if kind is EventKind.COMMAND_SENT:
        return f"{name}: {d.get('command')} {str(d.get('outcome', '')).replace('_', ' ')} — {d.get('message', '')}"
    if kind is EventKind.SESSION_CREATED:
        return f"session {name} created ({d.get('adapter', '?')})"
    if kind is EventKind.RECORDING_STOPPED:
        return f"stream {name}: recording {d.get('state', 'stopped')}" + (f" ({d['error']})" if d.get("error") else "")
    if kind is EventKind.SNAPSHOT_TAKEN:
        return f"stream {name}: snapshot {d.get('path', '')}"
    words = kind.value.replace(".", " ").replace("_", " ")
    return f"{name}: {words}" if name else words


class EventLog(QWidget):
    def __init__(self, services: ProfileServicesView, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.theme = theme
        self.list = QListWidget(self)
        self.list.setAccessibleName("Event log")
        self.list.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.list)
        self.last_seq = 0
        self._subscription: EventSubscription | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._subscription = self.services.bus.subscribe()
        history: list[IntegrationEvent] = []
        after: int | None = None
        while True:
            page = await self.services.audit.list_events(after_seq=after, limit=PAGE)
            history = (history + page)[-MAX_ROWS:]
            if len(page) < PAGE or page[-1].seq is None:
                break
            after = page[-1].seq
        for event in history:
            self.add_event(event)
        self._task = asyncio.ensure_future(self._follow())

    async def stop(self) -> None:
        if self._subscription is not None:
            self._subscription.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _follow(self) -> None:
        assert self._subscription is not None
        async for event in self._subscription:
            try:
                self.add_event(event)
            except Exception:
                log.exception("the event log could not show %s", event.kind)

    def add_event(self, event: IntegrationEvent) -> None:
        if event.seq is not None:
            if event.seq <= self.last_seq:
                return
            self.last_seq = event.seq
        colors = {Severity.WARNING: self.theme.warn, Severity.CRITICAL: self.theme.bad}
        text = f"{event.at.astimezone():%H:%M:%S}  {describe_event(event)}"
        self._add(text, colors.get(event.severity), event.kind.value)

    def add_alarm(self, alarm: Alarm) -> None:
        color = self.theme.bad if alarm.severity is AlarmSeverity.CRITICAL else self.theme.warn
        self._add(f"{alarm.raised_at.astimezone():%H:%M:%S}  ALARM {alarm.text()}", color, "alarm")

    def _add(self, text: str, color: str | None, kind: str) -> None:
        item = QListWidgetItem(text)
        item.setToolTip(kind)
        if color is not None:
            item.setForeground(QColor(color))
        self.list.insertItem(0, item)
        while self.list.count() > MAX_ROWS:
            self.list.takeItem(self.list.count() - 1)

    def texts(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
