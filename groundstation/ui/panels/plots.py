"""Live plots of the selected vehicle's altitude, speed and battery over the last minutes (pyqtgraph).

Points come from the bridge's display-rate tick, never per sample: ``TelemetryHistory.record`` keeps the
newest sample of each session at most ``RECORD_HZ`` times a second for every session (so selecting another
vehicle shows its past at once), and the curves are redrawn by a slow timer only while the dock is visible.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from groundstation.ui.bridge import FleetBridge
from groundstation.ui.theme import Theme
from groundstation.ui.units import METRIC, Units

HISTORY_S = 300.0
RECORD_HZ = 4.0
REDRAW_HZ = 2.0
SERIES = ("alt", "speed", "battery")


@dataclass(frozen=True, slots=True)
class Point:
    t: float  # time.monotonic()
    alt: float | None
    speed: float | None
    battery: float | None


class TelemetryHistory:
    def __init__(self, window_s: float = HISTORY_S) -> None:
        self.window_s = window_s
        self._points: dict[str, deque[Point]] = {}
        self._last: dict[str, float] = {}

    def record(self, bridge: FleetBridge, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        for sid in bridge.sessions:
            sample = bridge.telemetry(sid)
            if sample is None or now - self._last.get(sid, -1e9) < 1.0 / RECORD_HZ:
                continue
            self._last[sid] = now
            points = self._points.setdefault(sid, deque())
            points.append(Point(now, sample.alt_rel_m, sample.groundspeed_mps, sample.battery_pct))
            while points and now - points[0].t > self.window_s:
                points.popleft()
        for sid in [s for s in self._points if s not in bridge.sessions]:
            del self._points[sid]
            self._last.pop(sid, None)

    def points(self, session_id: str | None) -> list[Point]:
        return list(self._points.get(session_id or "", ()))


class TelemetryPlots(QWidget):
    """Three stacked plots sharing a time axis in seconds before now."""

    def __init__(self, history: TelemetryHistory, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        self.session_id: str | None = None
        self.units = METRIC
        self.setAccessibleName("Altitude, speed and battery plots")
        self.view = pg.GraphicsLayoutWidget(self)
        self.view.setMinimumHeight(150)
        self.plots: dict[str, pg.PlotItem] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        for row, key in enumerate(SERIES):
            plot = self.view.addPlot(row=row, col=0)
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setXRange(-history.window_s, 0, padding=0)
            if key == "battery":
                plot.setYRange(0, 100, padding=0.02)
            if row < len(SERIES) - 1:
                plot.getAxis("bottom").setStyle(showValues=False)
            self.plots[key] = plot
            self.curves[key] = plot.plot([], [])
        self._empty = True  # the curves hold no points (a redraw with none to show is skipped)
        self.drawn = 0  # redraws done (tests check that points reached the curves)
        self.legend = QLabel(self)
        self.legend.setAccessibleName("Plot legend")
        self.legend.setWordWrap(True)
        self._colors: dict[str, str] = {}
        self.set_theme(theme)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.legend)
        layout.addWidget(self.view)
        self._timer = QTimer(self)
        self._timer.setInterval(round(1000 / REDRAW_HZ))
        self._timer.timeout.connect(self.redraw)
        self._timer.start()

    def set_theme(self, theme: Theme) -> None:
        self.view.setBackground(theme.base)
        self._colors = {"alt": theme.busy, "speed": theme.ok, "battery": theme.warn}
        for key, plot in self.plots.items():
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setTextPen(theme.text)
                plot.getAxis(axis).setPen(theme.muted_text)
            self.curves[key].setPen(pg.mkPen(self._colors[key], width=2))
        self.set_units(self.units)

    def set_units(self, units: Units) -> None:
        """One legend line above the plots (rotated axis titles do not fit plots this short)."""
        self.units = units
        titles = {
            "alt": f"altitude {units.length_unit}",
            "speed": f"ground speed {units.speed_unit}",
            "battery": "battery %",
        }
        parts = [f'<span style="color:{self._colors[k]}">■</span> {titles[k]}' for k in SERIES]
        self.legend.setText("  ".join(parts) + "  (last 5 min)")

    def show_session(self, session_id: str | None) -> None:
        self.session_id = session_id
        self.redraw()

    def redraw(self) -> None:
        if not self.isVisible():
            return
        points = self.history.points(self.session_id)
        if not points and self._empty:
            return  # re-setting empty curves still repaints three plots and their axes: nothing to show
        self._empty = not points
        now = time.monotonic()
        u = self.units
        series = {
            "alt": [(p.t - now, u.length_value(p.alt)) for p in points if p.alt is not None],
            "speed": [(p.t - now, u.speed_value(p.speed)) for p in points if p.speed is not None],
            "battery": [(p.t - now, p.battery) for p in points if p.battery is not None],
        }
        for key, values in series.items():
            self.curves[key].setData([v[0] for v in values], [v[1] for v in values])
        self.drawn += 1

    def point_count(self, key: str) -> int:
        x, _y = self.curves[key].getData()
        return 0 if x is None else len(x)
