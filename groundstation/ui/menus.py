"""The main window's menus and keyboard shortcuts, built in one place so Help can list them all.

Every shortcut is a window action (added to the window too, so it works in full screen with the menu bar
hidden). Space acknowledges the newest alarm from anywhere but a text field (which keeps its spaces).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMessageBox

from groundstation import __version__
from groundstation.ui.video.grid import LAYOUTS

if TYPE_CHECKING:
    from groundstation.ui.main_window import MainWindow

EXTRA_HELP = (
    ("Double-click a tile", "Maximize it / back to the grid"),
    ("Drag a stream or a tile onto a tile", "Show it there / swap the two tiles"),
    ("REC / SNAP on a tile", "Record the stream / save a snapshot"),
    ("Click a vehicle on the map", "Select it (wheel zooms, drag pans, double-click follows the fleet)"),
)


class WindowMenus:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.shortcut_actions: list[QAction] = []
        self.layout_actions: dict[str, QAction] = {}
        w = window
        bar = w.menuBar()
        file_menu = bar.addMenu("&File")
        self.profiles_action = self._action("&Profiles…", "Ctrl+P", w.dialogs.open_profiles)
        self.profiles_action.setEnabled(w.host is not None)
        file_menu.addAction(self.profiles_action)
        file_menu.addAction(self._action("&Settings…", "Ctrl+,", w.dialogs.open_settings))
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", "Ctrl+Q", w.close))

        session_menu = bar.addMenu("&Session")
        session_menu.addAction(self._action("&New session…", "Ctrl+N", w.open_new_session_dialog))
        session_menu.addAction(self._action("&Stop selected", None, w.session_panel.stop_selected))
        session_menu.addAction(self._action("&Resume selected", None, w.session_panel.resume_selected))
        session_menu.addSeparator()
        self.ack_action = self._action("&Acknowledge newest alarm", "Space", w.acknowledge_newest)
        session_menu.addAction(self.ack_action)
        session_menu.addAction(self._action("Acknowledge a&ll alarms", "Ctrl+Space", w.monitor.acknowledge_all))
        # The selected vehicle's setup: in this menu (it acts on the selected session), and in the vehicle dock.
        session_menu.addSeparator()
        self.parameters_action = self._action(
            "Vehicle &parameters…", "Ctrl+Shift+P", lambda: w.dialogs.open_parameters()
        )
        self.parameters_action.setStatusTip("Download, edit, load and save the selected vehicle's parameters")
        session_menu.addAction(self.parameters_action)
        self.mission_action = self._action("Vehicle &mission…", "Ctrl+Shift+M", lambda: w.dialogs.open_mission())
        self.mission_action.setStatusTip("Download, edit and upload the selected vehicle's mission")
        session_menu.addAction(self.mission_action)
        w.vehicle.parameters_requested.connect(w.dialogs.open_parameters)
        w.vehicle.mission_requested.connect(w.dialogs.open_mission)
        w.session_panel.selection_changed.connect(self.update_vehicle_actions)
        w.bridge.fleet_changed.connect(self.update_vehicle_actions)
        self.update_vehicle_actions()

        view_menu = bar.addMenu("&View")
        group = QActionGroup(w)
        for key, name in enumerate(LAYOUTS, start=1):
            label = "1 tile" if name == "1" else f"{name} tiles"
            action = self._action(f"Layout: {label}", str(key), lambda _=False, n=name: self._layout(n))
            action.setCheckable(True)
            action.setChecked(name == w.grid.layout_name)
            group.addAction(action)
            view_menu.addAction(action)
            self.layout_actions[name] = action
        w.grid.layout_changed.connect(lambda name: self.layout_actions[name].setChecked(True))
        view_menu.addSeparator()
        view_menu.addAction(self._action("&Video tiles", "V", lambda: w.tabs.setCurrentWidget(w.grid)))
        view_menu.addAction(self._action("&Map", "M", lambda: w.tabs.setCurrentWidget(w.map)))
        self.compact_action = self._action("&Compact overlay", "C", self._compact_toggled)
        self.compact_action.setCheckable(True)
        view_menu.addAction(self.compact_action)
        self.fullscreen_action = self._action("&Full screen", "F11", w.toggle_full_screen)
        self.fullscreen_action.setCheckable(True)
        view_menu.addAction(self.fullscreen_action)
        view_menu.addSeparator()
        panels = view_menu.addMenu("&Panels")
        for dock in (w.session_dock, w.stream_dock, w.vehicle_dock, w.alarm_dock, w.event_dock):
            panels.addAction(dock.toggleViewAction())
        panels.addAction(self._action("&Reset panel layout", None, lambda: w.restoreState(w.default_state)))

        tools = bar.addMenu("&Tools")
        tools.addAction(self._action("&Streams…", "Ctrl+M", w.dialogs.open_stream_manager))
        tools.addAction(self._action("&Audit log…", "Ctrl+L", w.dialogs.open_audit_viewer))

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("&Keyboard shortcuts", "F1", self.show_shortcuts))
        help_menu.addAction(self._action("&About groundstation", None, self.show_about))

    def _action(self, text: str, shortcut: str | None, slot: object) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.shortcut_actions.append(action)
        action.triggered.connect(slot)
        self.window.addAction(action)
        return action

    def update_vehicle_actions(self) -> None:
        """Parameters and Mission need a running session selected: they talk to the vehicle."""
        selected = self.window.session_panel.selected()
        session = self.window.bridge.session(selected.id) if selected is not None else None
        live = session is not None and session.state.is_live
        self.parameters_action.setEnabled(live)
        self.mission_action.setEnabled(live)

    def _layout(self, name: str) -> None:
        self.window.grid.set_layout(name)
        self.window.tabs.setCurrentWidget(self.window.grid)

    def _compact_toggled(self) -> None:
        self.window.grid.set_compact(self.compact_action.isChecked())

    def shortcut_text(self) -> str:
        lines = []
        for action in self.shortcut_actions:
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            lines.append(f"{keys}\t{action.text().replace('&', '')}")
        lines.extend(f"{what}\t{does}" for what, does in EXTRA_HELP)
        return "\n".join(lines)

    def show_shortcuts(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "Keyboard shortcuts", self.shortcut_text(), parent=self.window)
        box.setAccessibleName("Keyboard shortcuts")
        box.open()

    def show_about(self) -> None:
        QMessageBox.about(
            self.window, "About groundstation", f"groundstation {__version__}\nA ground station for drone fleets."
        )
