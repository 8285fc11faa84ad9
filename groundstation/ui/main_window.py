"""The main window: tiled video in the centre, the session and stream docks, menus, shortcuts, status bar.

The left dock area holds the session panel and the stream list; the right one is left for the vehicle detail
and alarm docks of later slices, and the menus already have the places where their actions will go. Every
control has an accessible name; every shortcut is an action listed by Help > Keyboard shortcuts.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMessageBox, QWidget

from groundstation import __version__
from groundstation.ui.bridge import FleetBridge
from groundstation.ui.dialogs.new_session import NewSessionDialog
from groundstation.ui.panels.session_panel import SessionPanel
from groundstation.ui.panels.stream_list import StreamList
from groundstation.ui.services import ProfileServicesView
from groundstation.ui.tasks import TaskRunner
from groundstation.ui.theme import Theme
from groundstation.ui.video.grid import LAYOUTS, VideoGrid
from groundstation.ui.watchdog import StallWatchdog

ERROR_SHOWN_MS = 15_000


class MainWindow(QMainWindow):
    closed = Signal()

    def __init__(self, services: ProfileServicesView, theme: Theme, watchdog: StallWatchdog | None = None) -> None:
        super().__init__()
        self.services = services
        self.theme = theme
        self.watchdog = watchdog
        self.runner = TaskRunner(self)
        self.runner.failed.connect(self.show_error)
        self.bridge = FleetBridge(services)
        self.grid = VideoGrid(self.bridge, theme, self)
        self.setCentralWidget(self.grid)
        self.setWindowTitle(f"groundstation: {services.name}")
        self.setAccessibleName("groundstation main window")
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)

        self.session_panel = SessionPanel(self.bridge, self.runner, theme, self)
        self.session_panel.new_session_requested.connect(self.open_new_session_dialog)
        self.session_dock = self._dock("Sessions", self.session_panel, "sessions-dock")
        self.stream_list = StreamList(self.bridge, theme, self)
        self.stream_dock = self._dock("Streams", self.stream_list, "streams-dock")
        self.resizeDocks([self.session_dock], [self.session_panel.preferred_width()], Qt.Orientation.Horizontal)
        self.resizeDocks([self.session_dock, self.stream_dock], [420, 140], Qt.Orientation.Vertical)
        self.dialog: NewSessionDialog | None = None

        self.shortcut_actions: list[QAction] = []
        self.layout_actions: dict[str, QAction] = {}
        self._build_menus()
        self.grid.layout_changed.connect(self._layout_changed)

        self.profile_label = QLabel(f"Profile: {services.name}", self)
        self.profile_label.setAccessibleName("Current profile")
        self.loop_label = QLabel("", self)
        self.loop_label.setAccessibleName("Event loop responsiveness")
        self.statusBar().addPermanentWidget(self.loop_label)
        self.statusBar().addPermanentWidget(self.profile_label)
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(1000)
        self._status_timer.timeout.connect(self._update_loop_label)

    def _dock(self, title: str, widget: QWidget, name: str) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setAccessibleName(f"{title} panel")
        dock.setWidget(widget)
        dock.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        return dock

    # ------------------------------------------------------------------------------------------ menus
    def _action(self, text: str, shortcut: str | QKeySequence.StandardKey | None, slot: object) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.shortcut_actions.append(action)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work in full screen too, with the menu bar hidden
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self._action("&Quit", "Ctrl+Q", self.close))

        session_menu = bar.addMenu("&Session")
        session_menu.addAction(self._action("&New session…", "Ctrl+N", self.open_new_session_dialog))
        session_menu.addAction(self._action("&Stop selected", None, self.session_panel.stop_selected))
        session_menu.addAction(self._action("&Resume selected", None, self.session_panel.resume_selected))

        view_menu = bar.addMenu("&View")
        group = QActionGroup(self)
        for key, name in enumerate(LAYOUTS, start=1):
            label = "1 tile" if name == "1" else f"{name} tiles"
            action = self._action(f"Layout: {label}", str(key), lambda _=False, n=name: self.grid.set_layout(n))
            action.setCheckable(True)
            action.setChecked(name == self.grid.layout_name)
            group.addAction(action)
            view_menu.addAction(action)
            self.layout_actions[name] = action
        view_menu.addSeparator()
        self.compact_action = self._action("&Compact overlay", "C", self._compact_toggled)
        self.compact_action.setCheckable(True)
        view_menu.addAction(self.compact_action)
        self.fullscreen_action = self._action("&Full screen", "F11", self.toggle_full_screen)
        self.fullscreen_action.setCheckable(True)
        view_menu.addAction(self.fullscreen_action)
        view_menu.addSeparator()
        panels = view_menu.addMenu("&Panels")
        panels.addAction(self.session_dock.toggleViewAction())
        panels.addAction(self.stream_dock.toggleViewAction())

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("&Keyboard shortcuts", "F1", self.show_shortcuts))
        help_menu.addAction(self._action("&About groundstation", None, self.show_about))

    def shortcut_text(self) -> str:
        lines = []
        for action in self.shortcut_actions:
            keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            lines.append(f"{keys}\t{action.text().replace('&', '')}")
        lines.append("Double-click a tile\tMaximize it / back to the grid")
        lines.append("Drag a stream or a tile onto a tile\tShow it there / swap the two tiles")
        return "\n".join(lines)

    def show_shortcuts(self) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "Keyboard shortcuts", self.shortcut_text(), parent=self)
        box.setAccessibleName("Keyboard shortcuts")
        box.open()

    def show_about(self) -> None:
        QMessageBox.about(
            self, "About groundstation", f"groundstation {__version__}\nA ground station for drone fleets."
        )

    # ------------------------------------------------------------------------------------------ actions
    def open_new_session_dialog(self) -> NewSessionDialog:
        if self.dialog is None or not self.dialog.isVisible():
            self.dialog = NewSessionDialog(self.services, self.runner, self.theme, self)
            self.dialog.session_started.connect(self.session_panel.select)
        self.dialog.open()
        return self.dialog

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()
        self.fullscreen_action.setChecked(self.isFullScreen())

    def _compact_toggled(self) -> None:
        self.grid.set_compact(self.compact_action.isChecked())

    def _layout_changed(self, name: str) -> None:
        self.layout_actions[name].setChecked(True)

    def show_error(self, message: str) -> None:
        self.statusBar().setStyleSheet(f"QStatusBar {{ color: {self.theme.bad}; font-weight: bold; }}")
        self.statusBar().showMessage(message, ERROR_SHOWN_MS)

    def _update_loop_label(self) -> None:
        if self.watchdog is not None:
            self.loop_label.setText(f"loop max stall {self.watchdog.max_stall_ms:.0f} ms")

    # ------------------------------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        await self.bridge.start()
        self.grid.start()
        self._status_timer.start()

    async def shutdown(self) -> None:
        """Stop the timers and the bridge (the caller closes the services after)."""
        self._status_timer.stop()
        self.grid.stop()
        await self.runner.cancel_all()
        await self.bridge.close()
        for tile in self.grid.tiles:
            tile.show_stream(None)  # drop the frames (and the QImages over their arrays) while Qt still runs

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed.emit()
        event.accept()
