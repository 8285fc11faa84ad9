"""The main window: video tiles and the map as tabs under the alarm banner, docks on both sides, menus.

Left: sessions and streams. Right: the selected vehicle's detail, and alarms and events as tabs. One
selection is shared: picking a session in the table or a vehicle on the map shows it in the vehicle dock
and highlights it on the map. Every control has an accessible name; every shortcut is an action listed by
Help > Keyboard shortcuts. The profile's settings (theme, units, thresholds, map tiles, dock layout, tile
assignment) are read when the window starts and the layout is written back when it shuts down.

With ``api.enabled`` the window serves the HTTP API (through the ``ApiControl`` the CLI hands in) on
127.0.0.1 while it is open; the status bar shows its address, or why it could not listen.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFrame,
    QLabel,
    QMainWindow,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from groundstation.services.alarms import AlarmThresholds
from groundstation.ui.alarms import AlarmMonitor
from groundstation.ui.bridge import FleetBridge
from groundstation.ui.dialogs.new_session import NewSessionDialog
from groundstation.ui.map.tiles import TileCache, tile_source
from groundstation.ui.map.view import MapView
from groundstation.ui.menus import WindowMenus
from groundstation.ui.panels.alarms import AlarmBanner, AlarmPanel
from groundstation.ui.panels.event_log import EventLog
from groundstation.ui.panels.plots import TelemetryHistory
from groundstation.ui.panels.session_panel import SessionPanel
from groundstation.ui.panels.stream_list import StreamList
from groundstation.ui.panels.vehicle_dock import VehicleDock
from groundstation.ui.plain_text import make_plain
from groundstation.ui.services import ApiControl, ProfileHost, ProfileServicesView, SerialPortLister, VideoProbe
from groundstation.ui.tasks import TaskRunner, describe_error
from groundstation.ui.theme import Theme, apply_theme, theme_named
from groundstation.ui.units import Units
from groundstation.ui.video.grid import VideoGrid
from groundstation.ui.watchdog import StallWatchdog
from groundstation.ui.window_dialogs import WindowDialogs, tile_cache_dir

ERROR_SHOWN_MS = 15_000
STALL_SHOWN_MS = 100  # the status bar names the loop's worst stall only past this (below it nobody noticed)


class MainWindow(QMainWindow):
    closed = Signal()

    def __init__(
        self,
        services: ProfileServicesView,
        theme: Theme,
        watchdog: StallWatchdog | None = None,
        *,
        host: ProfileHost | None = None,
        probe: VideoProbe | None = None,
        api: ApiControl | None = None,
        serial_ports: SerialPortLister | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.theme = theme
        self.watchdog = watchdog
        self.host = host
        self.probe = probe
        self.api = api
        self.serial_ports = serial_ports
        self._api_task: asyncio.Task[None] | None = None
        self.settings: dict[str, Any] = {}
        self.switch_to: str | None = None  # set when the window closes to open another profile
        self.runner = TaskRunner(self)
        self.runner.failed.connect(self.show_error)
        self.bridge = FleetBridge(services)
        self.monitor = AlarmMonitor(self.bridge)
        self.history = TelemetryHistory()
        self.bridge.telemetry_changed.connect(lambda: self.history.record(self.bridge))
        self.setWindowTitle(f"groundstation: {services.name}")
        self.setAccessibleName("groundstation main window")
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)

        self.grid = VideoGrid(self.bridge, theme, self)
        self.map = MapView(self.bridge, theme, self)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Video and map")
        self.tabs.addTab(self.grid, "&Video")
        self.tabs.addTab(self.map, "&Map")
        self.banner = AlarmBanner(self.monitor, theme, self)
        central = QWidget(self)
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.banner)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self.session_panel = SessionPanel(self.bridge, self.runner, theme, self)
        self.session_panel.new_session_requested.connect(self.open_new_session_dialog)
        self.session_dock = self._dock("Sessions", self.session_panel, "sessions-dock")
        self.stream_list = StreamList(self.bridge, theme, self)
        self.stream_dock = self._dock("Streams", self.stream_list, "streams-dock")
        self.vehicle = VehicleDock(self.bridge, self.runner, self.history, theme, self)
        scroll = QScrollArea(self)
        scroll.setWidget(self.vehicle)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.vehicle_dock = self._dock("Vehicle", scroll, "vehicle-dock", Qt.DockWidgetArea.RightDockWidgetArea)
        self.alarm_panel = AlarmPanel(self.monitor, theme, self)
        self.alarm_dock = self._dock("Alarms", self.alarm_panel, "alarms-dock", Qt.DockWidgetArea.RightDockWidgetArea)
        self.event_log = EventLog(services, theme, self)
        self.event_dock = self._dock("Events", self.event_log, "events-dock", Qt.DockWidgetArea.RightDockWidgetArea)
        self.tabifyDockWidget(self.alarm_dock, self.event_dock)
        self.alarm_dock.raise_()
        self.resizeDocks([self.session_dock], [self.session_panel.preferred_width()], Qt.Orientation.Horizontal)
        self.resizeDocks([self.vehicle_dock], [370], Qt.Orientation.Horizontal)
        self.resizeDocks([self.session_dock, self.stream_dock], [420, 140], Qt.Orientation.Vertical)
        self.resizeDocks([self.vehicle_dock, self.alarm_dock], [560, 120], Qt.Orientation.Vertical)
        self.default_state = self.saveState()

        self.dialog: NewSessionDialog | None = None
        self.dialogs = WindowDialogs(self)
        self.menus = WindowMenus(self)
        self.layout_actions = self.menus.layout_actions
        self.shortcut_actions = self.menus.shortcut_actions

        self.session_panel.selection_changed.connect(self.select_session)
        self.map.session_clicked.connect(self.select_session)
        # Command alarms come from the stored outcome (the bridge's ``command_outcome``), whoever sent it.
        self.monitor.raised.connect(self.event_log.add_alarm)
        self.grid.record_requested.connect(self.toggle_recording)
        self.grid.snapshot_requested.connect(self.take_snapshot)

        self.profile_label = QLabel(f"Profile: {services.name}", self)
        self.profile_label.setAccessibleName("Current profile")
        self.loop_label = QLabel("", self)
        self.loop_label.setAccessibleName("Event loop responsiveness")
        self.loop_label.hide()
        self.api_label = QLabel("", self)
        self.api_label.setAccessibleName("HTTP API address")
        self.api_label.hide()
        make_plain(self.profile_label, self.loop_label, self.api_label)
        self.statusBar().addPermanentWidget(self.api_label)
        self.statusBar().addPermanentWidget(self.loop_label)
        self.statusBar().addPermanentWidget(self.profile_label)
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(1000)
        self._status_timer.timeout.connect(self._each_second)

    def _dock(
        self, title: str, widget: QWidget, name: str, area: Qt.DockWidgetArea = Qt.DockWidgetArea.LeftDockWidgetArea
    ) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setAccessibleName(f"{title} panel")
        dock.setWidget(widget)
        dock.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
        self.addDockWidget(area, dock)
        return dock

    # ------------------------------------------------------------------------------------------ selection
    def select_session(self, session_id: str) -> None:
        """One selection for the table, the map and the vehicle dock."""
        selected = session_id or None
        current = self.session_panel.selected()
        if selected is not None and (current is None or current.id != selected):
            self.session_panel.select(selected)
        self.vehicle.show_session(selected)
        self.map.select(selected)

    # ------------------------------------------------------------------------------------------ actions
    def open_new_session_dialog(self) -> NewSessionDialog:
        if self.dialog is None or not self.dialog.isVisible():
            self.dialog = NewSessionDialog(self.services, self.runner, self.theme, self, ports=self.serial_ports)
            self.dialog.session_started.connect(self.session_panel.select)
        self.dialog.open()
        return self.dialog

    def acknowledge_newest(self) -> None:
        self.monitor.acknowledge_newest()

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()
        self.menus.fullscreen_action.setChecked(self.isFullScreen())

    def toggle_recording(self, index: int) -> None:
        tile = self.grid.tiles[index]
        recordings = self.services.recordings
        if tile.stream is None or recordings is None:
            self.show_error("recording is not available in this window")
            return
        stream = tile.stream
        if recordings.active(stream.id) is not None:
            call = recordings.stop(stream.id)
            self.runner.run(call, on_done=lambda info: self._note(f"recording of {stream.name} saved: {info.path}"))
        else:
            self.runner.run(recordings.start(stream.id), on_done=lambda info: self._note(f"recording {info.path}"))
        tile.set_recording(recordings.active(stream.id) is None)

    def take_snapshot(self, index: int) -> None:
        tile = self.grid.tiles[index]
        recordings = self.services.recordings
        if tile.stream is None or recordings is None:
            self.show_error("snapshots are not available in this window")
            return
        self.runner.run(recordings.snapshot(tile.stream.id), on_done=lambda info: self._note(f"snapshot {info.path}"))

    def request_profile(self, name: str) -> None:
        """Close this window so the app opens ``name`` (a new window on the new profile's services)."""
        self.switch_to = name
        self.close()

    def _note(self, message: str) -> None:
        self.statusBar().setStyleSheet("")
        self.statusBar().showMessage(message, ERROR_SHOWN_MS)

    def show_error(self, message: str) -> None:
        self.statusBar().setStyleSheet(f"QStatusBar {{ color: {self.theme.bad}; font-weight: bold; }}")
        self.statusBar().showMessage(message, ERROR_SHOWN_MS)

    def _each_second(self) -> None:
        self._show_stall()
        recordings = self.services.recordings
        for tile in self.grid.visible_tiles():
            recording = recordings is not None and tile.stream is not None and recordings.active(tile.stream.id)
            tile.set_recording(bool(recording))

    def _show_stall(self) -> None:
        """The loop's worst stall, only once one was long enough to notice (the window froze for it), in the
        warning colour; the tooltip says what the figure means."""
        stall = self.watchdog.max_stall_ms if self.watchdog is not None else 0.0
        noticed = stall > STALL_SHOWN_MS
        self.loop_label.setVisible(noticed)
        if noticed:
            self.loop_label.setText(f"stalled {stall:.0f} ms")
            self.loop_label.setStyleSheet(f"color: {self.theme.warn};")
            self.loop_label.setToolTip(
                f"The window stopped responding for up to {stall:.0f} ms since it opened (a 10 ms timer fired "
                "that late). Shown once a stall passed "
                f"{STALL_SHOWN_MS} ms; a busy machine or a slow disk is the usual cause."
            )

    # ------------------------------------------------------------------------------------------ settings
    def apply_settings(self, values: dict[str, Any]) -> None:
        """Theme, units, alarm thresholds and sound, map tiles: what the profile's settings say."""
        old = self.settings
        self.settings = dict(values)
        self.set_theme(theme_named(str(values.get("ui.theme", self.theme.name))))
        units = Units(str(values.get("ui.units", "metric")))
        self.vehicle.set_units(units)
        self.map.set_units(units)
        self.monitor.set_thresholds(AlarmThresholds.from_settings(values))
        self.monitor.sound = bool(values.get("alarms.sound", True))
        tiles_key = (values.get("map.tile_source", ""), values.get("map.fetch_tiles", False))
        if tiles_key != (old.get("map.tile_source"), old.get("map.fetch_tiles")):
            previous = self.map.tiles
            source = tile_source(str(tiles_key[0]), tile_cache_dir(), fetch=bool(tiles_key[1]))
            self.map.set_tiles(TileCache(source, self.map.update))
            self.runner.run(previous.close())
        api_key = (values.get("api.enabled", False), values.get("api.port"))
        if self.api is not None and api_key != (old.get("api.enabled", False), old.get("api.port")):
            self._apply_api(bool(api_key[0]), int(api_key[1] or 0))

    # ------------------------------------------------------------------------------------------ the HTTP API
    def _apply_api(self, enabled: bool, port: int) -> None:
        """Start or stop the API as the settings now say; a newer change waits for the one in flight, so
        turning it on and off quickly ends in the last state asked for."""
        previous = self._api_task

        async def apply() -> None:
            if previous is not None:
                with contextlib.suppress(Exception, asyncio.CancelledError):
                    await previous
            assert self.api is not None
            if enabled:
                self._show_api(f"API starting on 127.0.0.1:{port}", ok=True)
                try:
                    url = await self.api.start(port)
                except Exception as exc:
                    # A port in use is the operator's to fix in Settings: said in the status bar, not raised.
                    self._show_api(f"API off: {describe_error(exc)}", ok=False)
                    self.show_error(f"the HTTP API could not start: {describe_error(exc)}")
                    return
                self._show_api(f"API {url}", ok=True)
            else:
                await self.api.stop()
                self._show_api("", ok=True)

        self._api_task = self.runner.run(apply())

    def _show_api(self, text: str, *, ok: bool) -> None:
        self.api_label.setText(text)
        self.api_label.setStyleSheet("" if ok else f"color: {self.theme.bad}; font-weight: bold;")
        self.api_label.setVisible(bool(text))

    def set_theme(self, theme: Theme) -> None:
        """Swap the palette of the whole application and every painter's colours (applied even when the
        name is unchanged: the previous window, of another profile, may have left another palette)."""
        self.theme = theme
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)
        self.grid.set_theme(theme)
        self.map.set_theme(theme)
        self.banner.set_theme(theme)
        self.alarm_panel.set_theme(theme)
        self.event_log.set_theme(theme)
        self.vehicle.set_theme(theme)
        self.stream_list.theme = theme
        self.stream_list.reload()
        self.session_panel.set_theme(theme)

    # ------------------------------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        self.apply_settings(await self.services.settings.all())
        await self.bridge.start()
        await self.event_log.start()
        self._restore_layout()
        self.grid.start()
        self.monitor.start()
        self._status_timer.start()

    def _restore_layout(self) -> None:
        state = str(self.settings.get("ui.window_state", ""))
        if state:
            self.restoreState(QByteArray.fromBase64(state.encode()))
        try:
            tiles = json.loads(str(self.settings.get("ui.tiles", "{}")))
        except ValueError:
            tiles = {}
        if not tiles.get("layout"):
            tiles["layout"] = str(self.settings.get("video.default_layout", "2x2"))
        self.grid.restore_state(tiles)

    async def save_layout(self) -> None:
        """Write the dock layout and the tiles back to the profile (skipped when nothing changed)."""
        values = {
            "ui.window_state": bytes(self.saveState().toBase64().data()).decode(),
            "ui.tiles": json.dumps(self.grid.saved_state()),
        }
        for key, value in values.items():
            if self.settings.get(key) != value:
                await self.services.settings.set(key, value, actor="operator")
                self.settings[key] = value

    async def shutdown(self) -> None:
        """Save the layout, stop the timers and the bridge (the caller closes the services after)."""
        self._status_timer.stop()
        self.monitor.stop()
        self.grid.stop()
        if self._api_task is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await self._api_task  # a start in flight ends before the stop below
        await self.runner.cancel_all()
        if self.api is not None and self.api.url is not None:
            try:
                await self.api.stop()  # the API lives as long as the window that served it
            except Exception as exc:
                self.show_error(f"could not stop the HTTP API: {describe_error(exc)}")
        try:
            await self.save_layout()
        except Exception as exc:
            self.show_error(f"could not save the window layout: {describe_error(exc)}")
        await self.event_log.stop()
        await self.map.tiles.close()
        await self.bridge.close()
        self.dialogs.close_all()
        for tile in self.grid.tiles:
            tile.show_stream(None)  # drop the frames (and the QImages over their arrays) while Qt still runs

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed.emit()
        event.accept()
