"""Alarms raised by scripted FAKE faults and a failing stream, acknowledged with Space; the event log and the
audit viewer on real services."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from groundstation.bootstrap import ProfileServices
from groundstation.services.alarms import AlarmKind, AlarmSeverity, AlarmThresholds
from groundstation.ui.main_window import MainWindow
from tests.ui.conftest import Loop

SCENARIO = """
[[vehicle]]
name = "{name}"
home = {{ lat = 47.3977, lon = 8.5456, alt_msl_m = 488.0 }}
gps_warmup_s = 0.5

[[event]]
at_s = {at}
vehicle = "{name}"
fault = "{fault}"
{param}
"""


def scenario(tmp_path: Path, name: str, fault: str, param: str, at: float = 2.0) -> str:
    path = tmp_path / f"{name}.toml"
    path.write_text(SCENARIO.format(name=name, fault=fault, param=param, at=at), encoding="utf-8")
    return str(path)


def test_scripted_low_battery_raises_an_alarm_that_space_acknowledges(
    window: MainWindow, services: ProfileServices, qtbot: QtBot, loop: Loop, tmp_path: Path
) -> None:
    path = scenario(tmp_path, "lowbat", "low_battery", "pct = 12")
    session = loop.run(services.sessions.start("lowbat", "FAKE", f"fake://lowbat?scenario={path}&speed=10"))
    book = window.monitor.book
    qtbot.waitUntil(lambda: book.active(AlarmKind.BATTERY_LOW, session.id) is not None, timeout=10_000)
    alarm = book.active(AlarmKind.BATTERY_LOW, session.id)
    assert alarm is not None and alarm.severity is AlarmSeverity.CRITICAL and "battery critical" in alarm.message
    qtbot.waitUntil(window.banner.isVisible)
    assert "lowbat: battery critical" in window.banner.full_text
    assert window.alarm_panel.list.count() == 1
    assert window.monitor.beeps >= 1
    qtbot.waitUntil(lambda: any("ALARM lowbat: battery critical" in t for t in window.event_log.texts()))

    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: not window.banner.isVisible())
    acknowledged = book.active(AlarmKind.BATTERY_LOW, session.id)
    assert acknowledged is not None and acknowledged.acknowledged  # still listed: the battery is still low
    assert "not acknowledged" not in window.alarm_panel.list.item(0).text()


def test_link_lost_raises_a_critical_alarm_and_the_event_log_shows_the_state_changes(
    window: MainWindow, services: ProfileServices, qtbot: QtBot, loop: Loop, tmp_path: Path
) -> None:
    path = scenario(tmp_path, "dropper", "link_drop", "duration_s = 60", at=1.0)
    session = loop.run(services.sessions.start("dropper", "FAKE", f"fake://dropper?scenario={path}&speed=10"))
    book = window.monitor.book
    qtbot.waitUntil(lambda: book.active(AlarmKind.LINK_LOST, session.id) is not None, timeout=15_000)
    assert window.banner.isVisible() and "dropper: link lost" in window.banner.full_text
    qtbot.waitUntil(lambda: any("dropper: active → link_lost" in t for t in window.event_log.texts()))
    assert any("dropper: starting → active" in t for t in window.event_log.texts())


def test_a_failing_stream_raises_an_alarm_and_the_audit_viewer_filters(
    window: MainWindow, services: ProfileServices, qtbot: QtBot, loop: Loop
) -> None:
    window.monitor.set_thresholds(AlarmThresholds(stream_stalled_s=0.5))
    dead = loop.run(services.streams.create("dead cam", "rtsp://127.0.0.1:9/x"))
    book = window.monitor.book
    qtbot.waitUntil(lambda: book.active(AlarmKind.STREAM_STALLED, dead.id) is not None, timeout=20_000)
    alarm = book.active(AlarmKind.STREAM_STALLED, dead.id)
    assert alarm is not None and alarm.subject_name == "dead cam" and alarm.message.startswith("video ")
    loop.run(services.streams.update(dead.id, enabled=False))
    qtbot.waitUntil(lambda: book.active(AlarmKind.STREAM_STALLED, dead.id) is None)

    viewer = window.dialogs.open_audit_viewer()
    qtbot.waitUntil(lambda: not viewer.loading)
    actions = {e.action for e in viewer.entries}
    assert {"stream.create", "stream.update"} <= actions
    viewer.action.setCurrentText("stream.create")
    viewer.apply_button.click()
    qtbot.waitUntil(lambda: not viewer.loading)
    assert [e.action for e in viewer.entries] == ["stream.create"]
    assert viewer.table.rowCount() == 1 and viewer.table.item(0, 1).text() == "operator"
    viewer.action.setCurrentText("")
    viewer.actor.setCurrentText("system")
    viewer.apply_button.click()
    qtbot.waitUntil(lambda: not viewer.loading)
    assert viewer.entries and all(e.actor == "system" for e in viewer.entries)
    viewer.period.setCurrentText("last 15 minutes")
    viewer.actor.setCurrentText("nobody")
    viewer.apply_button.click()
    qtbot.waitUntil(lambda: not viewer.loading)
    assert viewer.entries == [] and viewer.status.text() == "0 entries"
