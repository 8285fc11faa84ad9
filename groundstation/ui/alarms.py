"""The window's alarm monitor: feeds the Qt-free ``AlarmBook`` from the bridge and tells the widgets.

A 4 Hz timer reads what the bridge already holds (the newest sample per session, session states) and the
decode workers' statuses (a lock and an attribute read each), so the rules run at a fixed small cost
whatever the telemetry rate, and a condition that lasts (GPS lost for N s) is seen without an event.
``changed`` fires only when the book changed; ``raised`` once per new alarm (the sound, the event log).
Command refusals come from the stored outcome of every command (the bridge's ``command_outcome``, from the
``command.sent`` event), so a command refused over the HTTP API raises the same one alarm as a button.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from groundstation.domain.commands import CommandOutcome, CommandResult
from groundstation.services.alarms import Alarm, AlarmBook, AlarmThresholds
from groundstation.ui.bridge import FleetBridge

EVALUATE_HZ = 4


class AlarmMonitor(QObject):
    changed = Signal()
    raised = Signal(object)  # Alarm

    def __init__(self, bridge: FleetBridge, thresholds: AlarmThresholds | None = None) -> None:
        super().__init__()
        self.bridge = bridge
        self.book = AlarmBook(thresholds)
        self.sound = True
        self.beeps = 0  # how many times the monitor sounded (what a test can check without speakers)
        self._seen_version = self.book.version
        self._known: set[str] = set()
        self._timer = QTimer(self)
        self._timer.setInterval(round(1000 / EVALUATE_HZ))
        self._timer.timeout.connect(self.evaluate)
        bridge.command_outcome.connect(self._command_outcome)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def set_thresholds(self, thresholds: AlarmThresholds) -> None:
        self.book.thresholds = thresholds

    def evaluate(self, now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        bridge = self.bridge
        book = self.book
        present = set(bridge.sessions) | set(bridge.streams)
        for gone in self._known - present:
            book.forget(gone)
        self._known = present
        for session in bridge.sessions.values():
            book.observe_session(session.id, session.name, session.state, now)
            sample = bridge.telemetry(session.id)
            if sample is not None and session.state.is_live:
                book.observe_sample(session.name, sample, now)
        video = bridge.services.video
        for stream in bridge.streams.values():
            status = video.status(stream.id) if video is not None else None
            state = status.state if status is not None else stream.state
            error = status.last_error if status is not None else stream.last_error
            book.observe_stream(stream.id, stream.name, state, error, now, enabled=stream.enabled)
        self._publish()

    def command_result(self, session_id: str, command: str, result: CommandResult) -> None:
        session = self.bridge.session(session_id)
        name = session.name if session is not None else session_id
        self.book.command_result(session_id, name, command, result.outcome, result.message, datetime.now(UTC))
        self._publish()

    def _command_outcome(self, session_id: str, command: str, outcome: str, message: str) -> None:
        try:
            result = CommandResult(CommandOutcome(outcome), message)
        except ValueError:
            return  # an outcome this build does not know: nothing to judge
        self.command_result(session_id, command, result)

    def acknowledge_newest(self) -> Alarm | None:
        alarm = self.book.acknowledge_newest()
        self._publish()
        return alarm

    def acknowledge(self, alarm_id: int) -> None:
        self.book.acknowledge(alarm_id)
        self._publish()

    def acknowledge_all(self) -> None:
        self.book.acknowledge_all()
        self._publish()

    def _publish(self) -> None:
        raised = self.book.take_raised()
        for alarm in raised:
            self.raised.emit(alarm)
        if raised and self.sound:
            self.beeps += 1
            QApplication.beep()
        if self.book.version != self._seen_version:
            self._seen_version = self.book.version
            self.changed.emit()
