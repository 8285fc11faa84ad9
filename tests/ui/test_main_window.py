"""The window on a fresh profile: what an operator sees first, the keys, the menus, the accessible names."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton
from pytestqt.qtbot import QtBot

from groundstation.ui.main_window import MainWindow
from groundstation.ui.watchdog import StallWatchdog


def test_window_opens_on_a_fresh_profile(window: MainWindow) -> None:
    assert window.isVisible()
    assert "ops" in window.windowTitle()
    assert window.session_panel.model.rowCount() == 0
    assert window.stream_list.count() == 0
    assert [t.message.text for t in window.grid.visible_tiles() if t.message] == ["drop a stream here"] * 4
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus == ["File", "Session", "View", "Tools", "Help"]
    for dock in (window.session_dock, window.stream_dock, window.vehicle_dock, window.alarm_dock):
        assert dock.isVisible()
    assert window.tabs.count() == 2 and window.tabs.currentWidget() is window.grid
    assert not window.banner.isVisible()  # nothing to acknowledge


def test_layout_keys_1_to_4_and_full_screen(window: MainWindow, qtbot: QtBot) -> None:
    for key, side in ((Qt.Key.Key_1, 1), (Qt.Key.Key_3, 3), (Qt.Key.Key_4, 4), (Qt.Key.Key_2, 2)):
        qtbot.keyClick(window, key)
        assert window.grid.side == side
        assert len(window.grid.visible_tiles()) == side * side
        assert sum(t.isVisible() for t in window.grid.tiles) == side * side
    assert window.layout_actions["2x2"].isChecked()
    qtbot.keyClick(window, Qt.Key.Key_F11)
    qtbot.waitUntil(window.isFullScreen)
    qtbot.keyClick(window, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: not window.isFullScreen())


def test_help_lists_every_shortcut_and_controls_have_accessible_names(window: MainWindow) -> None:
    text = window.menus.shortcut_text()
    for keys in ("F11", "F1", "Ctrl+N", "Ctrl+Q", "C", "Space\tAcknowledge newest alarm", "Ctrl+M", "Ctrl+L"):
        assert keys in text
    for key in "1234":
        assert f"{key}\tLayout" in text
    assert "Double-click a tile" in text
    for button in window.findChildren(QAbstractButton):
        if button.isVisible() and button.text():
            assert button.accessibleName(), button.text()
    assert window.session_panel.table.accessibleName() == "Sessions"
    assert window.grid.tiles[0].accessibleName() == "Video tile 1: empty"


def test_watchdog_measures_how_late_the_loop_is(qtbot: QtBot) -> None:
    watchdog = StallWatchdog()
    watchdog.start()
    qtbot.waitUntil(lambda: watchdog.samples >= 20)
    import time

    time.sleep(0.12)  # block the loop on purpose: this is the freeze the watchdog must see
    qtbot.waitUntil(lambda: watchdog.max_stall_ms >= 80)
    assert watchdog.percentile(99) >= watchdog.percentile(50)
    watchdog.reset()
    assert watchdog.max_stall_ms == 0 and watchdog.samples == 0
    watchdog.stop()
