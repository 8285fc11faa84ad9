"""The alarm rules without a window: raise, escalate, clear, acknowledge, and what stays listed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from groundstation.domain.commands import CommandOutcome
from groundstation.domain.models import SessionState, StreamState
from groundstation.domain.telemetry import GpsFix, TelemetrySample
from groundstation.services.alarms import AlarmBook, AlarmKind, AlarmSeverity, AlarmThresholds

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def sample(seconds: float, **values: object) -> TelemetrySample:
    return TelemetrySample("s1", at(seconds), **values)  # type: ignore[arg-type]


def test_battery_low_then_critical_raises_again_and_clears_with_hysteresis() -> None:
    book = AlarmBook(AlarmThresholds(battery_low_pct=25, battery_critical_pct=15))
    book.observe_sample("alpha", sample(0, battery_pct=60), at(0))
    assert book.visible() == []
    book.observe_sample("alpha", sample(1, battery_pct=24), at(1))
    low = book.active(AlarmKind.BATTERY_LOW, "s1")
    assert low is not None and low.severity is AlarmSeverity.WARNING and "24%" in low.message
    assert [a.id for a in book.take_raised()] == [low.id]
    book.observe_sample("alpha", sample(2, battery_pct=23), at(2))
    assert book.take_raised() == []  # the same condition, a new reading: no new alarm
    assert "23%" in book.visible()[0].message
    book.acknowledge_newest()
    book.observe_sample("alpha", sample(3, battery_pct=14), at(3))
    critical = book.active(AlarmKind.BATTERY_LOW, "s1")
    assert critical is not None and critical.severity is AlarmSeverity.CRITICAL and not critical.acknowledged
    assert [a.id for a in book.visible()] == [critical.id]  # the acknowledged warning it replaced is gone
    book.observe_sample("alpha", sample(4, battery_pct=26), at(4))  # inside the hysteresis band
    assert book.active(AlarmKind.BATTERY_LOW, "s1") is not None
    book.observe_sample("alpha", sample(5, battery_pct=40), at(5))
    assert book.active(AlarmKind.BATTERY_LOW, "s1") is None
    assert book.visible()[0].text().endswith("(cleared)")  # not acknowledged yet: still listed
    book.acknowledge(critical.id)
    assert book.visible() == []


def test_gps_lost_needs_a_fix_first_and_lasts_the_threshold() -> None:
    book = AlarmBook(AlarmThresholds(gps_lost_s=2))
    book.observe_sample("alpha", sample(0, gps_fix=GpsFix.NO_FIX), at(0))
    book.observe_sample("alpha", sample(5, gps_fix=GpsFix.NO_FIX), at(5))
    assert book.visible() == []  # warming up is not losing GPS
    book.observe_sample("alpha", sample(6, gps_fix=GpsFix.FIX_3D), at(6))
    book.observe_sample("alpha", sample(7, gps_fix=GpsFix.NO_GPS), at(7))
    book.observe_sample("alpha", sample(8, gps_fix=GpsFix.NO_GPS), at(8))
    assert book.visible() == []
    book.observe_sample("alpha", sample(9, gps_fix=GpsFix.NO_GPS), at(9))
    lost = book.active(AlarmKind.GPS_LOST, "s1")
    assert lost is not None and lost.severity is AlarmSeverity.CRITICAL
    book.observe_sample("alpha", sample(10, gps_fix=None), at(10))
    assert book.active(AlarmKind.GPS_LOST, "s1") is not None  # unknown is not a fix
    book.observe_sample("alpha", sample(11, gps_fix=GpsFix.FIX_3D), at(11))
    assert book.active(AlarmKind.GPS_LOST, "s1") is None


def test_link_lost_follows_the_session_and_an_ended_session_clears_its_vehicle_alarms() -> None:
    book = AlarmBook()
    book.observe_session("s1", "alpha", SessionState.ACTIVE, at(0))
    book.observe_session("s1", "alpha", SessionState.LINK_LOST, at(1))
    book.observe_session("s1", "alpha", SessionState.LINK_LOST, at(2))
    assert len(book.visible()) == 1 and book.visible()[0].kind is AlarmKind.LINK_LOST
    assert book.acknowledge_newest() is not None
    assert book.acknowledge_newest() is None
    book.observe_session("s1", "alpha", SessionState.ACTIVE, at(3))
    assert book.visible() == []
    book.observe_sample("alpha", sample(4, battery_pct=10), at(4))
    book.observe_session("s1", "alpha", SessionState.STOPPED, at(5))
    assert book.active(AlarmKind.BATTERY_LOW, "s1") is None
    assert [a.kind for a in book.visible()] == [AlarmKind.BATTERY_LOW]  # cleared but never acknowledged
    book.forget("s1")
    assert book.visible() == []


def test_a_stream_must_be_bad_for_the_threshold_and_disabled_streams_never_alarm() -> None:
    book = AlarmBook(AlarmThresholds(stream_stalled_s=2))
    book.observe_stream("v1", "cam", StreamState.STALLED, None, at(0))
    book.observe_stream("v1", "cam", StreamState.LIVE, None, at(1))
    book.observe_stream("v1", "cam", StreamState.STALLED, None, at(2))
    book.observe_stream("v1", "cam", StreamState.STALLED, None, at(3))
    assert book.visible() == []
    book.observe_stream("v1", "cam", StreamState.ERROR, "connection refused", at(4.5))
    alarm = book.active(AlarmKind.STREAM_STALLED, "v1")
    assert alarm is not None and "connection refused" in alarm.message
    book.observe_stream("v1", "cam", StreamState.ERROR, "connection refused", at(9), enabled=False)
    assert book.active(AlarmKind.STREAM_STALLED, "v1") is None


def test_each_refused_command_is_its_own_alarm_until_acknowledged() -> None:
    book = AlarmBook()
    book.command_result("s1", "alpha", "takeoff", CommandOutcome.ACCEPTED, "ok", at(0))
    assert book.visible() == []
    book.command_result("s1", "alpha", "takeoff", CommandOutcome.DENIED, "Takeoff: not armed", at(1))
    book.command_result("s1", "alpha", "land", CommandOutcome.NO_ANSWER, "no answer within 5 s", at(2))
    first, second = book.visible()
    assert first.message == "land no answer: no answer within 5 s" and not first.active
    assert second.message == "takeoff denied: Takeoff: not armed"
    assert book.unacknowledged() == 2
    assert book.acknowledge_all() == 2
    assert book.visible() == []


def test_thresholds_come_from_settings_and_versions_count_changes() -> None:
    thresholds = AlarmThresholds.from_settings({"alarms.battery_low_pct": 40, "alarms.gps_lost_s": 0.5})
    assert thresholds.battery_low_pct == 40.0 and thresholds.gps_lost_s == 0.5
    assert thresholds.battery_critical_pct == AlarmThresholds().battery_critical_pct
    book = AlarmBook(thresholds)
    before = book.version
    book.observe_sample("alpha", sample(0, battery_pct=39), at(0))
    assert book.version > before
