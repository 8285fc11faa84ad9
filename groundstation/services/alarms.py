"""Alarm rules: which conditions of the fleet an operator must be told about, and when they are over.

Kept apart from Qt so every rule can be tested with plain values and a chosen clock. The window feeds the
book what it already has (the newest telemetry sample per session at display rate, session and stream
states, command results) and shows ``visible()``.

An alarm follows the usual life of an alarm in a control room: it is raised when its condition starts, it
stays listed while the condition holds *or* until someone acknowledges it, whichever is later. So a link
that dropped for two seconds while nobody looked is still on screen, marked cleared, until acknowledged;
and an acknowledged battery alarm stays while the battery is low. A condition that gets worse (battery low
becoming critical) raises the alarm again, unacknowledged.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from groundstation.domain.commands import CommandOutcome
from groundstation.domain.models import SessionState, StreamState
from groundstation.domain.telemetry import GpsFix, TelemetrySample

BATTERY_HYSTERESIS_PCT = 2.0  # a reading jittering around the threshold must not raise the alarm again and again
_NO_FIX = frozenset({GpsFix.NO_GPS, GpsFix.NO_FIX})
_BAD_STREAM = frozenset({StreamState.STALLED, StreamState.ERROR, StreamState.RECONNECTING})


class AlarmKind(StrEnum):
    BATTERY_LOW = "battery_low"
    LINK_LOST = "link_lost"
    GPS_LOST = "gps_lost"
    STREAM_STALLED = "stream_stalled"
    COMMAND_REFUSED = "command_refused"


class AlarmSeverity(StrEnum):
    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True, slots=True)
class AlarmThresholds:
    battery_low_pct: float = 25.0
    battery_critical_pct: float = 15.0
    gps_lost_s: float = 2.0
    stream_stalled_s: float = 2.0

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> AlarmThresholds:
        """The thresholds from a profile's settings (``alarms.*`` keys); missing keys keep their defaults."""
        default = cls()
        return cls(
            battery_low_pct=float(settings.get("alarms.battery_low_pct", default.battery_low_pct)),
            battery_critical_pct=float(settings.get("alarms.battery_critical_pct", default.battery_critical_pct)),
            gps_lost_s=float(settings.get("alarms.gps_lost_s", default.gps_lost_s)),
            stream_stalled_s=float(settings.get("alarms.stream_stalled_s", default.stream_stalled_s)),
        )


@dataclass(frozen=True, slots=True)
class Alarm:
    id: int
    kind: AlarmKind
    severity: AlarmSeverity
    subject_id: str
    subject_name: str
    message: str
    raised_at: datetime
    active: bool = True
    acknowledged: bool = False
    cleared_at: datetime | None = None

    @property
    def key(self) -> tuple[AlarmKind, str]:
        return self.kind, self.subject_id

    @property
    def visible(self) -> bool:
        return self.active or not self.acknowledged

    def text(self) -> str:
        """One line for the banner, the list and a screen reader."""
        state = "" if self.active else " (cleared)"
        return f"{self.subject_name}: {self.message}{state}"


@dataclass
class _GpsWatch:
    had_fix: bool = False
    lost_since: datetime | None = None


class AlarmBook:
    """Every alarm of one profile's window, raised and cleared by the rules below."""

    def __init__(self, thresholds: AlarmThresholds | None = None) -> None:
        self.thresholds = thresholds or AlarmThresholds()
        self._alarms: dict[int, Alarm] = {}
        self._current: dict[tuple[AlarmKind, str], int] = {}  # the alarm a condition last raised
        self._ids = itertools.count(1)
        self._gps: dict[str, _GpsWatch] = {}
        self._stream_bad_since: dict[str, datetime] = {}
        self._raised: list[Alarm] = []
        self.version = 0  # bumped on every change, so a view repaints only when something changed

    # ------------------------------------------------------------------------------------------ readers
    def visible(self) -> list[Alarm]:
        """What the operator must see, newest first."""
        return sorted((a for a in self._alarms.values() if a.visible), key=lambda a: a.id, reverse=True)

    def newest_unacknowledged(self) -> Alarm | None:
        return next((a for a in self.visible() if not a.acknowledged), None)

    def unacknowledged(self) -> int:
        return sum(1 for a in self._alarms.values() if not a.acknowledged)

    def take_raised(self) -> list[Alarm]:
        """The alarms raised since the last call (for the sound and the event log), oldest first."""
        raised, self._raised = self._raised, []
        return raised

    def active(self, kind: AlarmKind, subject_id: str) -> Alarm | None:
        alarm = self._alarm_for(kind, subject_id)
        return alarm if alarm is not None and alarm.active else None

    # ------------------------------------------------------------------------------------------ rules
    def observe_sample(self, name: str, sample: TelemetrySample, now: datetime) -> None:
        """Battery and GPS rules on a session's newest sample (called at display rate, not per sample)."""
        self._battery(name, sample)
        self._gps_rule(name, sample, now)

    def observe_session(self, session_id: str, name: str, state: SessionState, now: datetime) -> None:
        """Link lost while the session says so; a session that ended takes its vehicle alarms with it (the
        unacknowledged ones stay listed, cleared)."""
        if state is SessionState.LINK_LOST:
            message = "link lost: no data from the vehicle"
            self._raise(AlarmKind.LINK_LOST, AlarmSeverity.CRITICAL, session_id, name, message, now)
            return
        self._clear(AlarmKind.LINK_LOST, session_id, now)
        if not state.is_live:
            for kind in (AlarmKind.BATTERY_LOW, AlarmKind.GPS_LOST):
                self._clear(kind, session_id, now)
            self._gps.pop(session_id, None)

    def observe_stream(
        self, stream_id: str, name: str, state: StreamState, error: str | None, now: datetime, *, enabled: bool = True
    ) -> None:
        """A stream stalled, failing or reconnecting for longer than the threshold raises one alarm."""
        if not enabled or state not in _BAD_STREAM:
            self._stream_bad_since.pop(stream_id, None)
            self._clear(AlarmKind.STREAM_STALLED, stream_id, now)
            return
        since = self._stream_bad_since.setdefault(stream_id, now)
        if (now - since).total_seconds() < self.thresholds.stream_stalled_s:
            return
        what = "no signal (stalled)" if state is StreamState.STALLED else state.value
        message = f"video {what}" + (f": {error}" if error and state is not StreamState.STALLED else "")
        self._raise(AlarmKind.STREAM_STALLED, AlarmSeverity.WARNING, stream_id, name, message, now)

    def command_result(
        self, session_id: str, name: str, command: str, outcome: CommandOutcome, message: str, now: datetime
    ) -> None:
        """A command the vehicle refused (or never answered) is an alarm until acknowledged: the operator
        pressed a button and the vehicle did not do it."""
        if outcome in (CommandOutcome.ACCEPTED, CommandOutcome.IN_PROGRESS):
            return
        words = "no answer" if outcome is CommandOutcome.NO_ANSWER else outcome.value.replace("_", " ")
        self._raise(
            AlarmKind.COMMAND_REFUSED,
            AlarmSeverity.WARNING,
            session_id,
            name,
            f"{command} {words}: {message}",
            now,
            one_shot=True,
        )

    def forget(self, subject_id: str) -> None:
        """The session or stream was deleted: its alarms go (nothing is left to act on)."""
        for alarm_id in [a.id for a in self._alarms.values() if a.subject_id == subject_id]:
            del self._alarms[alarm_id]
        self._current = {k: v for k, v in self._current.items() if k[1] != subject_id}
        self._gps.pop(subject_id, None)
        self._stream_bad_since.pop(subject_id, None)
        self.version += 1

    # ------------------------------------------------------------------------------------------ acknowledge
    def acknowledge(self, alarm_id: int) -> Alarm | None:
        alarm = self._alarms.get(alarm_id)
        if alarm is None or alarm.acknowledged:
            return None
        done = replace(alarm, acknowledged=True)
        self._store(done)
        return done

    def acknowledge_newest(self) -> Alarm | None:
        """What Space does: the newest alarm nobody acknowledged yet."""
        newest = self.newest_unacknowledged()
        return self.acknowledge(newest.id) if newest is not None else None

    def acknowledge_all(self) -> int:
        pending = [a.id for a in self._alarms.values() if not a.acknowledged]
        for alarm_id in pending:
            self.acknowledge(alarm_id)
        return len(pending)

    # ------------------------------------------------------------------------------------------ the rules' parts
    def _battery(self, name: str, sample: TelemetrySample) -> None:
        pct = sample.battery_pct
        if pct is None:
            return
        t = self.thresholds
        current = self.active(AlarmKind.BATTERY_LOW, sample.session_id)
        if pct <= t.battery_critical_pct:
            severity = AlarmSeverity.CRITICAL
        elif pct <= t.battery_low_pct:
            severity = AlarmSeverity.WARNING
        elif current is not None and pct <= t.battery_low_pct + BATTERY_HYSTERESIS_PCT:
            return
        else:
            self._clear(AlarmKind.BATTERY_LOW, sample.session_id, sample.time)
            return
        word = "critical" if severity is AlarmSeverity.CRITICAL else "low"
        message = f"battery {word}: {pct:.0f}%"
        if current is not None and current.severity is severity:
            if current.message != message:
                self._store(replace(current, message=message))
            return
        if current is not None and current.severity is AlarmSeverity.CRITICAL:
            return  # critical stays critical until the battery is back above the low threshold
        self._raise(AlarmKind.BATTERY_LOW, severity, sample.session_id, name, message, sample.time, again=True)

    def _gps_rule(self, name: str, sample: TelemetrySample, now: datetime) -> None:
        watch = self._gps.setdefault(sample.session_id, _GpsWatch())
        fix = sample.gps_fix
        if fix is None:
            return  # unknown is not lost
        if fix not in _NO_FIX:
            watch.had_fix = True
            watch.lost_since = None
            self._clear(AlarmKind.GPS_LOST, sample.session_id, now)
            return
        if not watch.had_fix:
            return  # still warming up: nothing was lost yet
        if watch.lost_since is None:
            watch.lost_since = now
        lost_s = (now - watch.lost_since).total_seconds()
        if lost_s >= self.thresholds.gps_lost_s:
            self._raise(AlarmKind.GPS_LOST, AlarmSeverity.CRITICAL, sample.session_id, name, "GPS lost: no fix", now)

    def _alarm_for(self, kind: AlarmKind, subject_id: str) -> Alarm | None:
        alarm_id = self._current.get((kind, subject_id))
        return self._alarms.get(alarm_id) if alarm_id is not None else None

    def _raise(
        self,
        kind: AlarmKind,
        severity: AlarmSeverity,
        subject_id: str,
        name: str,
        message: str,
        now: datetime,
        *,
        one_shot: bool = False,
        again: bool = False,
    ) -> None:
        current = self._alarm_for(kind, subject_id)
        if current is not None and current.active and not again and not one_shot:
            return
        if current is not None and current.active:
            # Replaced by the worse condition (or the next refusal): the old entry is closed.
            self._store(replace(current, active=False, acknowledged=True, cleared_at=now))
        alarm = Alarm(next(self._ids), kind, severity, subject_id, name, message, now, active=not one_shot)
        self._current[(kind, subject_id)] = alarm.id
        self._store(alarm)
        self._raised.append(alarm)

    def _clear(self, kind: AlarmKind, subject_id: str, now: datetime) -> None:
        current = self._alarm_for(kind, subject_id)
        if current is not None and current.active:
            self._store(replace(current, active=False, cleared_at=now))

    def _store(self, alarm: Alarm) -> None:
        if alarm.visible:
            self._alarms[alarm.id] = alarm
        else:
            self._alarms.pop(alarm.id, None)
        self.version += 1


__all__ = ["Alarm", "AlarmBook", "AlarmKind", "AlarmSeverity", "AlarmThresholds"]
