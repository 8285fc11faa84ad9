"""The vehicle dock on a FAKE session: commands reach the vehicle, dangerous ones ask first, the answer shows
in words, and the plots fill from the bridge's ticks."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from groundstation.bootstrap import ProfileServices
from groundstation.domain.commands import CommandName
from groundstation.services.alarms import AlarmKind
from groundstation.ui.main_window import MainWindow
from tests.ui.conftest import Loop


def answer(window: MainWindow, qtbot: QtBot, button: QMessageBox.StandardButton) -> str:
    commands = window.vehicle.commands
    qtbot.waitUntil(lambda: commands.confirmation is not None and commands.confirmation.isVisible())
    box = commands.confirmation
    assert box is not None
    text = box.text()
    box.button(button).click()
    return text


def test_commands_confirm_and_show_the_vehicles_answer(
    window: MainWindow, services: ProfileServices, qtbot: QtBot, loop: Loop
) -> None:
    session = loop.run(services.sessions.start("scout", "FAKE", "fake://scout?seed=4"))
    qtbot.waitUntil(lambda: window.session_panel.model.rowCount() == 1)
    window.session_panel.select(session.id)
    dock = window.vehicle
    commands = dock.commands
    assert dock.session_id == session.id and "scout" in dock.title.text()
    qtbot.waitUntil(lambda: dock.values["mode"].text() != "--", timeout=10_000)
    qtbot.waitUntil(lambda: commands.buttons[CommandName.TAKEOFF].isEnabled())

    # A dangerous command asks first; cancelling sends nothing.
    commands.buttons[CommandName.DISARM].click()
    assert "DISARM" in answer(window, qtbot, QMessageBox.StandardButton.Cancel)
    assert commands.result_label.text() == "disarm: not sent (cancelled)" and commands.sent == 0

    # Takeoff while disarmed: confirmed, sent, refused with the vehicle's own reason.
    commands.buttons[CommandName.TAKEOFF].click()
    assert "TAKEOFF to scout" in answer(window, qtbot, QMessageBox.StandardButton.Yes)
    qtbot.waitUntil(lambda: "refused" in commands.result_label.text(), timeout=10_000)
    assert commands.result_label.text().startswith("takeoff: refused — Takeoff refused: vehicle is disarmed")
    # The refusal is an alarm until acknowledged.
    qtbot.waitUntil(lambda: window.monitor.book.newest_unacknowledged() is not None)
    alarm = window.monitor.book.newest_unacknowledged()
    assert alarm is not None and alarm.kind is AlarmKind.COMMAND_REFUSED and "disarmed" in alarm.message

    # A harmless command goes straight through (GUIDED needs a position: wait for the GPS fix).
    qtbot.waitUntil(lambda: dock.values["gps"].text().startswith("3D"), timeout=10_000)
    commands.mode_box.setCurrentText("GUIDED")
    commands.buttons[CommandName.SET_MODE].click()
    assert commands.confirmation is None
    qtbot.waitUntil(lambda: "sending" not in commands.result_label.text(), timeout=10_000)
    assert commands.result_label.text().startswith("set_mode: accepted"), commands.result_label.text()
    qtbot.waitUntil(lambda: dock.values["mode"].text() == "GUIDED", timeout=10_000)
    entries = loop.run(services.audit.list(action="command.send"))
    assert [e.detail["command"] for e in entries] == ["takeoff", "set_mode"]


def test_plots_receive_points_and_a_stopped_session_disables_the_buttons(
    window: MainWindow, services: ProfileServices, qtbot: QtBot, loop: Loop
) -> None:
    session = loop.run(services.sessions.start("scout", "FAKE", "fake://scout?seed=4&rate_hz=20"))
    qtbot.waitUntil(lambda: session.id in window.bridge.sessions)
    window.select_session(session.id)
    plots = window.vehicle.plots
    qtbot.waitUntil(lambda: plots.point_count("battery") >= 3, timeout=10_000)
    assert plots.point_count("alt") >= 3 and plots.point_count("speed") >= 3
    # Points come from display ticks at RECORD_HZ, far fewer than the samples published.
    assert len(window.history.points(session.id)) < services.hub.stats().published
    loop.run(services.sessions.stop(session.id))
    qtbot.waitUntil(lambda: not window.vehicle.commands.buttons[CommandName.ARM].isEnabled())
    assert window.vehicle.values["state"].text() == "STOPPED"
