"""Profiles switched from the window, settings that outlive the window, and the map's vehicles and clicks."""

from __future__ import annotations

import asyncio
import json

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from groundstation.bootstrap import ProfileServices, Runtime
from groundstation.cli.gui import RuntimeProfiles
from groundstation.ui.app import WindowOptions, run_window
from groundstation.ui.main_window import MainWindow
from groundstation.ui.theme import DARK
from tests.ui.conftest import FEED, Loop


def open_window(name: str) -> MainWindow | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow) and widget.isVisible() and widget.services.name == name:
            return widget
    return None


def test_switching_profiles_shows_none_of_the_other_profiles_sessions(
    runtime: Runtime, services: ProfileServices, qtbot: QtBot, loop: Loop
) -> None:
    loop.run(services.sessions.start("ops-scout", "FAKE", "fake://ops-scout"))
    host = RuntimeProfiles(runtime)
    task = asyncio.ensure_future(run_window(services, WindowOptions(theme="dark"), host=host))
    qtbot.waitUntil(lambda: open_window("ops") is not None, timeout=10_000)
    first = open_window("ops")
    assert first is not None
    qtbot.waitUntil(lambda: first.session_panel.model.rowCount() == 1)
    dialog = first.dialogs.open_profiles()
    assert dialog is not None and "ops" in [dialog.list.item(i).text() for i in range(dialog.list.count())]
    dialog.name_edit.setText("field")
    dialog.create_button.click()
    qtbot.waitUntil(lambda: open_window("field") is not None, timeout=15_000)
    second = open_window("field")
    assert second is not None and second is not first
    assert second.session_panel.model.rowCount() == 0 and second.bridge.sessions == {}
    assert second.map.positions() == {} and second.monitor.book.visible() == []
    assert list(runtime.profiles) == ["field"]  # the old profile was closed, its devices released
    assert "field" in host.names()
    second.close()
    qtbot.waitUntil(task.done, timeout=10_000)
    assert task.result()["profile"] == "field"


def test_settings_and_layout_persist_across_a_reopen(services: ProfileServices, qtbot: QtBot, loop: Loop) -> None:
    stream = loop.run(services.streams.create("cam", FEED))
    window = MainWindow(services, DARK)
    loop.run(window.start())
    window.show()
    dialog = window.dialogs.open_settings()
    qtbot.waitUntil(dialog.isEnabled)
    dialog.theme_box.setCurrentText("sunlight")
    dialog.units_box.setCurrentText("imperial")
    dialog.battery_low.setValue(40)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert window.theme.name == "sunlight" and window.monitor.book.thresholds.battery_low_pct == 40
    window.grid.set_layout("3x3")
    window.grid.assign(4, stream.id)
    window.vehicle_dock.hide()
    loop.run(window.shutdown())
    window.close()

    settings = loop.run(services.settings.all())
    assert settings["ui.theme"] == "sunlight" and settings["ui.units"] == "imperial"
    assert json.loads(settings["ui.tiles"])["layout"] == "3x3"
    reopened = MainWindow(services, DARK)
    loop.run(reopened.start())
    reopened.show()
    try:
        assert reopened.theme.name == "sunlight" and reopened.vehicle.units.imperial
        assert reopened.grid.layout_name == "3x3" and reopened.grid.assignments[4] == stream.id
        assert reopened.monitor.book.thresholds.battery_low_pct == 40
        assert not reopened.vehicle_dock.isVisible()
    finally:
        loop.run(reopened.shutdown())
        reopened.close()


def test_the_map_draws_the_fleet_and_a_click_selects_a_vehicle(
    window: MainWindow, services: ProfileServices, qtbot: QtBot, loop: Loop
) -> None:
    one = loop.run(services.sessions.start("one", "FAKE", "fake://one?lat=47.3977&lon=8.5456"))
    two = loop.run(services.sessions.start("two", "FAKE", "fake://two?lat=47.3990&lon=8.5480"))
    window.tabs.setCurrentWidget(window.map)
    qtbot.waitUntil(lambda: len(window.map.positions()) == 2, timeout=10_000)
    points = window.map.vehicle_points()
    for point in points.values():
        assert window.map.rect().contains(point.toPoint())  # the view follows the fleet
    assert window.map.grab().toImage().width() == window.map.width()
    target = points[two.id]
    assert window.map.click_at(QPointF(target.x() + 3, target.y() - 2)) == two.id
    assert window.vehicle.session_id == two.id and window.map.selected == two.id
    selected = window.session_panel.selected()
    assert selected is not None and selected.id == two.id
    assert window.map.click_at(QPointF(-500, -500)) is None
    window.session_panel.select(one.id)
    assert window.map.selected == one.id and window.vehicle.session_id == one.id
    qtbot.waitUntil(lambda: len(window.map.trails.get(one.id, ())) >= 2, timeout=10_000)
