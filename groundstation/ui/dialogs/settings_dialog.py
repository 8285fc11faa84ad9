"""Per-profile settings: units, theme, alarm thresholds and sound, video default layout, map tiles, the API,
and how long stored history is kept (retention).

The dialog reads ``settings.all()`` when it opens and writes only what changed, one audited
``settings.set`` each, as a task; the service checks every value (a refusal is shown here, with the key).
``saved`` carries the profile's settings after the write so the window applies them at once.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from groundstation.services.settings import MAX_RETENTION_DAYS, UI_THEMES, UI_UNITS, VIDEO_LAYOUTS
from groundstation.ui.plain_text import make_plain
from groundstation.ui.services import ProfileServicesView
from groundstation.ui.tasks import TaskRunner, describe_error

# Setting, label: the days of history a profile keeps (0: forever), shown in the "Data" section.
LINK_TIMEOUT_MIN_S, LINK_TIMEOUT_MAX_S = 0.5, 60.0  # what the settings service accepts

RETENTION = (
    ("retention.telemetry_days", "telemetry"),
    ("retention.events_days", "events"),
    ("retention.qos_days", "video QoS"),
    ("retention.access_days", "API access records"),
)


class SettingsDialog(QDialog):
    saved = Signal(object)  # dict of every setting after the write

    def __init__(self, services: ProfileServicesView, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.setWindowTitle(f"Settings: {services.name}")
        self.setAccessibleName("Profile settings")
        self.loaded: dict[str, Any] = {}
        self.busy = False

        self.theme_box = self._combo(UI_THEMES, "Theme")
        self.units_box = self._combo(UI_UNITS, "Units")
        self.layout_box = self._combo(VIDEO_LAYOUTS, "Default video layout")
        self.battery_low = self._spin(5, 90, " %", "Battery low at")
        self.battery_critical = self._spin(1, 80, " %", "Battery critical at")
        self.gps_lost = self._spin(0, 60, " s", "GPS lost after", decimals=1)
        self.stream_stalled = self._spin(0, 60, " s", "Stream stalled after", decimals=1)
        self.sound_box = QCheckBox("Beep when an alarm is raised", self)
        self.sound_box.setAccessibleName("Alarm sound")
        self.tile_source = QLineEdit(self)
        self.tile_source.setAccessibleName("Map tile source")
        self.tile_source.setPlaceholderText("/path/area.mbtiles or https://tiles.example/{z}/{x}/{y}.png")
        self.fetch_box = QCheckBox("Fetch missing XYZ tiles over the network", self)
        self.fetch_box.setAccessibleName("Fetch map tiles")
        self.api_box = QCheckBox("Serve the HTTP API on 127.0.0.1 while this window is open", self)
        self.api_box.setAccessibleName("HTTP API on")
        self.api_port = QSpinBox(self)
        self.api_port.setRange(1, 65535)
        self.api_port.setAccessibleName("HTTP API port")
        self.retention: dict[str, QSpinBox] = {key: self._days(label) for key, label in RETENTION}
        self.auto_resume_box = QCheckBox("Resume interrupted sessions on opening", self)
        self.auto_resume_box.setAccessibleName("Resume interrupted sessions automatically")
        self.auto_resume_box.setToolTip("Sessions a crash or kill left interrupted are resumed when the profile opens")
        self.auto_sessions_box = QCheckBox("Start sessions for new MAVLink vehicles", self)
        self.auto_sessions_box.setAccessibleName("Start sessions for new MAVLink vehicles")
        self.auto_sessions_box.setToolTip("A vehicle newly heard on a shared MAVLink link gets a session of its own")
        # The service accepts 0.5 to 60 s (``sessions.link_timeout_s``); the spin box offers that range only.
        self.link_timeout = self._spin(LINK_TIMEOUT_MIN_S, LINK_TIMEOUT_MAX_S, " s", "Link lost after", decimals=1)
        self.link_timeout.setSingleStep(0.5)
        self.link_timeout.setToolTip("Seconds without data before a session is LINK LOST (from the next opening)")
        self.error = QLabel("", self)
        make_plain(self.error)
        self.error.setAccessibleName("Settings error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #e00000; font-weight: bold;")

        look = QGroupBox("Display", self)
        form = QFormLayout(look)
        form.addRow("Theme", self.theme_box)
        form.addRow("Units", self.units_box)
        form.addRow("Video layout on open", self.layout_box)
        alarms = QGroupBox("Alarms", self)
        form = QFormLayout(alarms)
        form.addRow("Battery low at", self.battery_low)
        form.addRow("Battery critical at", self.battery_critical)
        form.addRow("GPS lost after", self.gps_lost)
        form.addRow("Stream stalled after", self.stream_stalled)
        form.addRow("", self.sound_box)
        maps = QGroupBox("Map", self)
        form = QFormLayout(maps)
        form.addRow("Tiles", self.tile_source)
        form.addRow("", self.fetch_box)
        api = QGroupBox("HTTP API", self)
        form = QFormLayout(api)
        form.addRow("", self.api_box)
        form.addRow("Port", self.api_port)
        sessions = QGroupBox("Sessions", self)
        form = QFormLayout(sessions)
        form.addRow("", self.auto_resume_box)
        form.addRow("", self.auto_sessions_box)
        form.addRow("Link lost after", self.link_timeout)
        data = QGroupBox("Data", self)
        form = QFormLayout(data)
        for key, label in RETENTION:
            form.addRow(f"Keep {label}", self.retention[key])
        note = QLabel("Older history is deleted every hour. The audit trail of changes is always kept.", self)
        note.setWordWrap(True)
        form.addRow("", note)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        # Two columns: one would be taller than a 768-pixel field laptop's screen.
        left, right = QVBoxLayout(), QVBoxLayout()
        for column, groups in ((left, (look, alarms, maps)), (right, (sessions, api, data))):
            for group in groups:
                column.addWidget(group)
            column.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left)
        columns.addLayout(right)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setEnabled(False)
        self.runner.run(services.settings.all(), on_done=self._loaded)

    def _combo(self, items: tuple[str, ...], name: str) -> QComboBox:
        box = QComboBox(self)
        box.addItems(list(items))
        box.setAccessibleName(name)
        return box

    def _spin(self, low: float, high: float, suffix: str, name: str, *, decimals: int = 0) -> QDoubleSpinBox:
        spin = QDoubleSpinBox(self)
        spin.setRange(low, high)
        spin.setDecimals(decimals)
        spin.setSuffix(suffix)
        spin.setAccessibleName(name)
        return spin

    def _days(self, label: str) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setRange(0, MAX_RETENTION_DAYS)
        spin.setSuffix(" days")
        spin.setSpecialValueText("forever")  # shown for 0, the minimum
        spin.setAccessibleName(f"Days of {label} kept (0 for forever)")
        return spin

    def _loaded(self, values: dict[str, Any]) -> None:
        self.loaded = values
        self.theme_box.setCurrentText(str(values["ui.theme"]))
        self.units_box.setCurrentText(str(values["ui.units"]))
        self.layout_box.setCurrentText(str(values["video.default_layout"]))
        self.battery_low.setValue(float(values["alarms.battery_low_pct"]))
        self.battery_critical.setValue(float(values["alarms.battery_critical_pct"]))
        self.gps_lost.setValue(float(values["alarms.gps_lost_s"]))
        self.stream_stalled.setValue(float(values["alarms.stream_stalled_s"]))
        self.sound_box.setChecked(bool(values["alarms.sound"]))
        self.tile_source.setText(str(values["map.tile_source"]))
        self.fetch_box.setChecked(bool(values["map.fetch_tiles"]))
        self.api_box.setChecked(bool(values["api.enabled"]))
        self.api_port.setValue(int(values["api.port"]))
        self.auto_resume_box.setChecked(bool(values["sessions.auto_resume"]))
        self.auto_sessions_box.setChecked(bool(values["mavlink.auto_sessions"]))
        self.link_timeout.setValue(float(values["sessions.link_timeout_s"]))
        for key, spin in self.retention.items():
            spin.setValue(int(values[key]))
        self.setEnabled(True)

    def values(self) -> dict[str, Any]:
        return {
            "ui.theme": self.theme_box.currentText(),
            "ui.units": self.units_box.currentText(),
            "video.default_layout": self.layout_box.currentText(),
            "alarms.battery_low_pct": self.battery_low.value(),
            "alarms.battery_critical_pct": self.battery_critical.value(),
            "alarms.gps_lost_s": self.gps_lost.value(),
            "alarms.stream_stalled_s": self.stream_stalled.value(),
            "alarms.sound": self.sound_box.isChecked(),
            "map.tile_source": self.tile_source.text().strip(),
            "map.fetch_tiles": self.fetch_box.isChecked(),
            "api.enabled": self.api_box.isChecked(),
            "api.port": self.api_port.value(),
            "sessions.auto_resume": self.auto_resume_box.isChecked(),
            "mavlink.auto_sessions": self.auto_sessions_box.isChecked(),
            "sessions.link_timeout_s": self.link_timeout.value(),
            **{key: spin.value() for key, spin in self.retention.items()},
        }

    def save(self) -> None:
        changed = {k: v for k, v in self.values().items() if self.loaded.get(k) != v}
        if self.values()["alarms.battery_critical_pct"] >= self.values()["alarms.battery_low_pct"]:
            self.error.setText("the critical battery level must be below the low level")
            return
        self.busy = True
        self.error.setText("")
        self.runner.run(self._write(changed), on_done=self._written, on_error=self._failed)

    async def _write(self, changed: dict[str, Any]) -> dict[str, Any]:
        for key, value in changed.items():
            await self.services.settings.set(key, value, actor="operator")
        return await self.services.settings.all()

    def _written(self, values: dict[str, Any]) -> None:
        self.busy = False
        self.loaded = values
        self.saved.emit(values)
        self.accept()

    def _failed(self, exc: Exception) -> None:
        self.busy = False
        self.error.setText(describe_error(exc))
