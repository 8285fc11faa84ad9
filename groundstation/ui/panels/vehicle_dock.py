"""The vehicle detail dock: the selected session's telemetry, link figures, command buttons, the way to its
parameters and mission, and its live plots.

Follows the selection (session table or map); refreshed by the bridge's display-rate tick, and reads only
the bridge's copy of the newest sample, so it costs the same at 1 Hz or 50 Hz telemetry.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from groundstation.domain.telemetry import TelemetrySample
from groundstation.ui.bridge import FleetBridge
from groundstation.ui.panels.commands import CommandPanel
from groundstation.ui.panels.link_view import LinkView
from groundstation.ui.panels.plots import TelemetryHistory, TelemetryPlots
from groundstation.ui.panels.session_model import describe_identity, short_identity
from groundstation.ui.plain_text import make_plain, tooltip
from groundstation.ui.tasks import TaskRunner
from groundstation.ui.theme import Theme
from groundstation.ui.units import METRIC, Units
from groundstation.ui.video.overlay_model import gps_fix_name

FIELDS = ("state", "mode", "armed", "alt", "speed", "climb", "heading", "battery", "gps", "link", "position")
LABELS = {
    "state": "State",
    "mode": "Mode",
    "armed": "Armed",
    "alt": "Alt",
    "speed": "GS",
    "climb": "VS",
    "heading": "Hdg",
    "battery": "Batt",
    "gps": "GPS",
    "link": "Link",
    "position": "Pos",
}


def telemetry_rows(sample: TelemetrySample | None, units: Units) -> dict[str, str]:
    """The readout's text for one sample; ``--`` for what the vehicle did not report."""
    if sample is None:
        return {key: "--" for key in FIELDS if key != "state"}
    heading = sample.heading_deg if sample.heading_deg is not None else sample.yaw_deg
    volts = f" {sample.battery_v:.1f}V" if sample.battery_v is not None else ""
    sats = f"  {sample.satellites} sat" if sample.satellites is not None else ""
    position = (
        f"{sample.lat_deg:.6f}, {sample.lon_deg:.6f}"
        if sample.lat_deg is not None and sample.lon_deg is not None
        else "--"
    )
    return {
        "mode": sample.mode or "--",
        "armed": "--" if sample.armed is None else ("ARMED" if sample.armed else "disarmed"),
        "alt": f"{units.length(sample.alt_rel_m)} {units.length_unit}",
        "speed": f"{units.speed(sample.groundspeed_mps)} {units.speed_unit}",
        "climb": f"{units.speed(sample.climb_mps, '+.1f')} {units.speed_unit}",
        "heading": "--" if heading is None else f"{round(heading) % 360:03d}°",
        "battery": ("--" if sample.battery_pct is None else f"{sample.battery_pct:.0f}%") + volts,
        "gps": f"{gps_fix_name(sample.gps_fix)}{sats}",
        "link": "--" if sample.link_quality_pct is None else f"{sample.link_quality_pct:.0f}%",
        "position": position,
    }


class VehicleDock(QWidget):
    parameters_requested = Signal(str)  # session id
    mission_requested = Signal(str)

    def __init__(
        self,
        bridge: FleetBridge,
        runner: TaskRunner,
        history: TelemetryHistory,
        theme: Theme,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.theme = theme
        self.units = METRIC
        self.session_id: str | None = None
        self.title = QLabel("No vehicle selected: pick one in Sessions or on the map", self)
        self.title.setAccessibleName("Selected vehicle")
        make_plain(self.title)  # the session's name as written, never as HTML
        self.title.setWordWrap(True)
        bold = QFont(self.title.font())
        bold.setBold(True)
        bold.setPointSize(round(bold.pointSize() * 1.2))
        self.title.setFont(bold)
        readout = QGroupBox("Telemetry", self)
        grid = QGridLayout(readout)
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setVerticalSpacing(1)
        grid.setHorizontalSpacing(8)
        self.values: dict[str, QLabel] = {}
        for index, key in enumerate(FIELDS):
            label = QLabel("--", readout)
            label.setAccessibleName(LABELS[key])
            make_plain(label)  # the vehicle's mode and the like, as reported
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[key] = label
            row, pair = divmod(index, 2)
            span = 3 if key == "position" else 1
            grid.addWidget(QLabel(LABELS[key], readout), row, pair * 2)
            grid.addWidget(label, row, pair * 2 + 1, 1, span)
        self.link = LinkView(bridge, runner, self)
        box = QGroupBox("Commands", self)
        self.commands = CommandPanel(bridge.services, runner, theme, box)
        QVBoxLayout(box).addWidget(self.commands)
        self.parameters_button = QPushButton("Parameters…", self)
        self.parameters_button.setAccessibleName("Open the vehicle's parameters")
        self.parameters_button.setToolTip("The selected vehicle's parameters (Ctrl+Shift+P)")
        self.parameters_button.clicked.connect(lambda: self._request(self.parameters_requested))
        self.mission_button = QPushButton("Mission…", self)
        self.mission_button.setAccessibleName("Open the vehicle's mission")
        self.mission_button.setToolTip("The selected vehicle's mission (Ctrl+Shift+M)")
        self.mission_button.clicked.connect(lambda: self._request(self.mission_requested))
        setup = QHBoxLayout()
        setup.addWidget(self.parameters_button)
        setup.addWidget(self.mission_button)
        self.plots = TelemetryPlots(history, theme, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(readout)
        layout.addWidget(self.link)
        layout.addWidget(box)
        layout.addLayout(setup)
        layout.addWidget(self.plots, 1)
        bridge.telemetry_changed.connect(self.refresh)
        bridge.fleet_changed.connect(self.refresh)
        self.refresh()

    def show_session(self, session_id: str | None) -> None:
        self.session_id = session_id or None
        self.plots.show_session(self.session_id)
        self.link.show_session(self.session_id)
        self.refresh()

    def _request(self, signal: SignalInstance) -> None:
        if self.session_id is not None:
            signal.emit(self.session_id)

    def set_units(self, units: Units) -> None:
        self.units = units
        self.plots.set_units(units)
        self.refresh()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.commands.set_theme(theme)
        self.plots.set_theme(theme)
        self.refresh()

    def refresh(self) -> None:
        session = self.bridge.session(self.session_id)
        live = session is not None and session.state.is_live
        self.parameters_button.setEnabled(live)
        self.mission_button.setEnabled(live)
        if session is None:
            self.session_id = None
            self.link.show_session(None)
            self.title.setText("No vehicle selected: pick one in Sessions or on the map")
            self.commands.set_session(None, "", live=False)
            for label in self.values.values():
                label.setText("--")
            return
        self.title.setText(f"{session.name}  ({short_identity(session.identity)})")
        self.title.setToolTip(tooltip(describe_identity(session.identity)))
        self.commands.set_session(session.id, session.name, live=session.state.is_live)
        sample = self.bridge.telemetry(session.id) if session.state.is_live else None
        rows = telemetry_rows(sample, self.units)
        rows["state"] = session.state.value.replace("_", " ").upper()
        for key, label in self.values.items():
            if label.text() != rows[key]:
                label.setText(rows[key])
        color = self.theme.session_color(session.state).name()
        self.values["state"].setStyleSheet(f"color: {color}; font-weight: bold;")
        if sample is not None:
            self.commands.set_goto_default(sample.lat_deg, sample.lon_deg)
