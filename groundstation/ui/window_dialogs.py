"""The main window's non-modal dialogs (streams, audit log, settings, profiles): one of each at a time, and
a vehicle's parameters and mission: one of each per session (two vehicles can be set up side by side).

They are opened with ``show()``/``open()``, never ``exec()``: a nested event loop would hold the services'
tasks behind a dialog, and the window must keep updating while one is open.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QDialog

from groundstation.ui.dialogs.audit_viewer import AuditViewer
from groundstation.ui.dialogs.profiles import ProfileDialog
from groundstation.ui.dialogs.settings_dialog import SettingsDialog
from groundstation.ui.dialogs.stream_manager import StreamManager
from groundstation.ui.vehicle_setup.files import FileChooser, QtFileChooser
from groundstation.ui.vehicle_setup.mission import MissionDialog
from groundstation.ui.vehicle_setup.parameters import ParametersDialog

if TYPE_CHECKING:
    from groundstation.ui.main_window import MainWindow


def tile_cache_dir() -> Path:
    """Where downloaded map tiles are kept (shared by profiles: a tile is the same for everyone)."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.CacheLocation)
    return Path(base or Path.home() / ".cache" / "groundstation") / "map-tiles"


class WindowDialogs:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.stream_manager: StreamManager | None = None
        self.audit_viewer: AuditViewer | None = None
        self.settings: SettingsDialog | None = None
        self.profiles: ProfileDialog | None = None
        self.parameters: dict[str, ParametersDialog] = {}
        self.missions: dict[str, MissionDialog] = {}
        self.files: FileChooser = QtFileChooser()
        """Where the setup dialogs ask for file paths (tests hand a chooser that opens no native dialog)."""

    def _reuse(self, dialog: QDialog | None) -> bool:
        if dialog is not None and dialog.isVisible():
            dialog.raise_()
            dialog.activateWindow()
            return True
        return False

    def open_stream_manager(self) -> StreamManager:
        w = self.window
        if not self._reuse(self.stream_manager):
            self.stream_manager = StreamManager(w.bridge, w.runner, w.theme, w.probe, w)
            self.stream_manager.show()
        assert self.stream_manager is not None
        return self.stream_manager

    def open_audit_viewer(self) -> AuditViewer:
        w = self.window
        if not self._reuse(self.audit_viewer):
            self.audit_viewer = AuditViewer(w.services, w.runner, w.theme, w)
            self.audit_viewer.show()
            self.audit_viewer.reload()
        assert self.audit_viewer is not None
        return self.audit_viewer

    def open_settings(self) -> SettingsDialog:
        w = self.window
        if not self._reuse(self.settings):
            self.settings = SettingsDialog(w.services, w.runner, w)
            self.settings.saved.connect(self._settings_saved)
            self.settings.open()
        assert self.settings is not None
        return self.settings

    def _settings_saved(self, values: dict[str, Any]) -> None:
        self.window.apply_settings(values)

    def open_profiles(self) -> ProfileDialog | None:
        w = self.window
        if w.host is None:
            return None
        if not self._reuse(self.profiles):
            self.profiles = ProfileDialog(w.host, w.services.name, w.runner, w)
            self.profiles.switch_requested.connect(w.request_profile)
            self.profiles.open()
        return self.profiles

    def _vehicle(self, session_id: str | None) -> str | None:
        """The session to set up: the one asked for, else the selected one; None (said in the status bar)
        when there is none or it is not running."""
        w = self.window
        if session_id is None:
            selected = w.session_panel.selected()
            session_id = selected.id if selected is not None else None
        session = w.bridge.session(session_id)
        if session is None or not session.state.is_live:
            w.show_error("select a running session first: parameters and missions live on the vehicle")
            return None
        return session.id

    def open_parameters(self, session_id: str | None = None) -> ParametersDialog | None:
        w = self.window
        sid = self._vehicle(session_id)
        if sid is None:
            return None
        dialog = self.parameters.get(sid)
        if not self._reuse(dialog):
            if dialog is None:
                dialog = ParametersDialog(sid, w.bridge, w.runner, w.theme, self.files, w)
                self.parameters[sid] = dialog
            dialog.show()
            if dialog.model.rowCount() == 0:
                dialog.download()
        return dialog

    def open_mission(self, session_id: str | None = None) -> MissionDialog | None:
        w = self.window
        sid = self._vehicle(session_id)
        if sid is None:
            return None
        dialog = self.missions.get(sid)
        if not self._reuse(dialog):
            if dialog is None:
                dialog = MissionDialog(sid, w.bridge, w.runner, w.theme, self.files, w)
                dialog.mission_shown.connect(w.map.show_mission)
                self.missions[sid] = dialog
            dialog.show()
            if not dialog.table.mission_items and not dialog.busy:
                dialog.download()
        return dialog

    def close_all(self) -> None:
        setup: list[QDialog] = [*self.parameters.values(), *self.missions.values()]
        for dialog in (self.stream_manager, self.audit_viewer, self.settings, self.profiles, *setup):
            if dialog is not None:
                dialog.close()
