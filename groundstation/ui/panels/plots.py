"""Live plots of the selected vehicle's altitude, speed and battery over the last minutes (pyqtgraph).

Points come from the bridge's display-rate tick, never per sample: ``TelemetryHistory.record`` keeps the
newest sample of each session at most ``RECORD_HZ`` times a second for every session (so selecting another
vehicle shows its past at once), and the curves are redrawn by a slow timer only while the dock is visible.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QFontMetricsF, QResizeEvent, QTextDocument
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from groundstation.ui.bridge import FleetBridge
from groundstation.ui.theme import Theme
from groundstation.ui.units import METRIC, Units

HISTORY_S = 300.0
RECORD_HZ = 4.0
REDRAW_HZ = 2.0
LABEL_GAP_LINES = 2.2  # a left-axis label per this many text lines of plot height, at most
TICK_FONT_PX = 10
AXIS_WIDTH = 34
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


class SparseAxis(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph is untyped
    """A value axis with as many labels as fit a short plot, one per ``LABEL_GAP_LINES`` text lines.

    A plot is 30 to 50 px tall in the dock; pyqtgraph's own spacing never goes below 2.25 intervals, which
    there stacked four or five overlapping labels ("0.8 0.6 0.4 0.2"). Steps are 1, 2 or 5 times a power
    of ten, so the labels stay round."""

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> list[tuple[float, float]]:
        span = abs(maxVal - minVal)
        if span == 0 or size <= 0:
            return []
        line = QFontMetricsF(self.style["tickFont"] or self.font()).height()
        intervals = max(2.5, size / (LABEL_GAP_LINES * line))  # a label inside, not only at the (hidden) ends
        raw = span / intervals
        power = 10.0 ** math.floor(math.log10(raw))
        step = next(f * power for f in (1, 2, 5, 10) if f * power >= raw)
        return [(step, 0.0)]


def legend_html(colors: dict[str, str], titles: dict[str, str], window: str) -> str:
    """The plots' legend as rich text (the coloured squares); spaces inside an entry do not break."""
    parts = [f'<span style="color:{colors[k]}">■</span>&nbsp;{titles[k].replace(" ", "&nbsp;")}' for k in SERIES]
    return "&nbsp; ".join([*parts, f"({window.replace(' ', '&nbsp;')})"])


def legend_width(html: str, font: QFont) -> float:
    """The width of ``html`` on one line, as a label lays it out."""
    doc = QTextDocument()
    doc.setDocumentMargin(0)
    doc.setDefaultFont(font)
    doc.setHtml(html)
    return doc.idealWidth()


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
            plot = self.view.addPlot(row=row, col=0, axisItems={"left": SparseAxis("left")})
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.showGrid(x=True, y=True, alpha=0.25)
            plot.setXRange(-history.window_s, 0, padding=0)
            if key == "battery":
                plot.setYRange(0, 100, padding=0.02)
            if row < len(SERIES) - 1:
                plot.getAxis("bottom").setStyle(showValues=False)
            # The spacing already keeps labels apart: pyqtgraph's own "text may fill 80 % of the axis" rule
            # would drop every label of a 30 px plot.
            plot.getAxis("left").setStyle(
                maxTickLevel=0, maxTextLevel=0, textFillLimits=[(0, 0.95)], hideOverlappingLabels=False
            )
            tick_font = QFont()
            tick_font.setPixelSize(TICK_FONT_PX)
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setTickFont(tick_font)
            plot.getAxis("left").setWidth(AXIS_WIDTH)  # the same with values or without: no jump
            self.plots[key] = plot
            self.curves[key] = plot.plot([], [])
        self._empty = True  # the curves hold no points (a redraw with none to show is skipped)
        self._show_values(False)  # nothing to read on an empty plot: no made-up 0..1 scale
        self.drawn = 0  # redraws done (tests check that points reached the curves)
        self.legend = QLabel(self)
        self.legend.setAccessibleName("Plot legend")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)  # our own markup only: the coloured squares
        self._legends: list[str] = []
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
        short = {"alt": f"alt {units.length_unit}", "speed": f"speed {units.speed_unit}", "battery": "batt %"}
        self._legends = [legend_html(self._colors, titles, "last 5 min"), legend_html(self._colors, short, "5 min")]
        self._fit_legend()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_legend()

    def _fit_legend(self) -> None:
        """The full legend when it fits on one line, else the short one; wider than that it wraps, between
        entries only (each is one unbreakable unit), so no entry is ever cut in two."""
        width = self.legend.contentsRect().width()
        chosen = next((t for t in self._legends if legend_width(t, self.legend.font()) <= width), self._legends[-1])
        if chosen != self.legend.text():
            self.legend.setText(chosen)

    def show_session(self, session_id: str | None) -> None:
        self.session_id = session_id
        self.redraw()

    def redraw(self) -> None:
        if not self.isVisible():
            return
        points = self.history.points(self.session_id)
        if not points and self._empty:
            return  # re-setting empty curves still repaints three plots and their axes: nothing to show
        if self._empty != (not points):
            self._show_values(bool(points))
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

    def _show_values(self, shown: bool) -> None:
        """Axis values only when the plots hold points; empty plots keep their frame and grid."""
        for plot in self.plots.values():
            plot.getAxis("left").setStyle(showValues=shown)
        self.plots[SERIES[-1]].getAxis("bottom").setStyle(showValues=shown)

    def point_count(self, key: str) -> int:
        x, _y = self.curves[key].getData()
        return 0 if x is None else len(x)
