"""The map tab: every vehicle with its heading, trail and home point; the selected one highlighted.

Drawn with QPainter in Web Mercator at integer zooms (tiles then need no scaling). Without a tile source
the background is a plain metric grid; a scale bar and a north arrow are always there. The view follows
the fleet until the operator pans or zooms; a click near a vehicle selects it (``session_clicked``).
A mission open in a Mission dialog is drawn under the fleet: its waypoints joined by a dashed line, numbered,
the current item filled: the one the vehicle's live telemetry reports (MISSION_CURRENT), else the dialog's.
Trails are sampled from the bridge's display-rate tick at most ``TRAIL_HZ`` per vehicle.
"""

from __future__ import annotations

import math
import time
from collections import deque

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from groundstation.ui.bridge import FleetBridge
from groundstation.ui.map.projection import (
    TILE,
    format_distance,
    from_world,
    metres_per_pixel,
    nice_distance,
    to_world,
    zoom_to_fit,
)
from groundstation.ui.map.tiles import TileCache, TileSource
from groundstation.ui.theme import Theme
from groundstation.ui.units import FEET_PER_M, METRIC, Units

TRAIL_POINTS = 600
TRAIL_HZ = 2.0
PICK_RADIUS_PX = 24
MIN_ZOOM, MAX_ZOOM = 2, 20


class MapView(QWidget):
    session_clicked = Signal(str)

    def __init__(self, bridge: FleetBridge, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.theme = theme
        self.units: Units = METRIC
        self.setAccessibleName("Map")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(200, 150)
        self.zoom = 16
        self.center: tuple[float, float] | None = None  # lat, lon
        self.follow = True
        self.selected: str | None = None
        self.label_rects: dict[str, QRectF] = {}  # where each vehicle's name was drawn last
        self.trails: dict[str, deque[tuple[float, float]]] = {}
        self._trail_time: dict[str, float] = {}
        self.tiles = TileCache(TileSource(), self.update)
        self._press: QPointF | None = None
        self.missions: dict[str, tuple[list[tuple[int, float, float]], int | None]] = {}
        self._dragged = False
        bridge.telemetry_changed.connect(self._telemetry_changed)
        bridge.fleet_changed.connect(self.update)

    # ------------------------------------------------------------------------------------------ state
    def set_tiles(self, tiles: TileCache) -> None:
        self.tiles = tiles
        self.update()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.update()

    def set_units(self, units: Units) -> None:
        self.units = units
        self.update()

    def select(self, session_id: str | None) -> None:
        self.selected = session_id or None
        self.update()

    def show_mission(self, session_id: str, points: list[tuple[int, float, float]], current: int | None) -> None:
        """Draw a session's mission: (seq, lat, lon) of its positioned items, and the current seq."""
        if points:
            self.missions[session_id] = (list(points), current)
        else:
            self.missions.pop(session_id, None)
        if self.follow:
            self.fit(self.positions())
        self.update()

    def current_item(self, session_id: str) -> int | None:
        """The mission item drawn as current: what the vehicle reports while it runs, so the map follows it
        from waypoint to waypoint; else what the Mission dialog last set or downloaded."""
        shown = self.missions.get(session_id)
        if shown is None:
            return None
        session = self.bridge.sessions.get(session_id)
        sample = self.bridge.telemetry(session_id) if session is not None and session.state.is_live else None
        if sample is not None and sample.mission_seq is not None:
            return sample.mission_seq
        return shown[1]

    def positions(self) -> dict[str, tuple[float, float, float | None]]:
        """lat, lon and heading of every live vehicle that reports a position."""
        out: dict[str, tuple[float, float, float | None]] = {}
        for sid, session in self.bridge.sessions.items():
            sample = self.bridge.telemetry(sid) if session.state.is_live else None
            if sample is not None and sample.lat_deg is not None and sample.lon_deg is not None:
                heading = sample.heading_deg if sample.heading_deg is not None else sample.yaw_deg
                out[sid] = (sample.lat_deg, sample.lon_deg, heading)
        return out

    def _telemetry_changed(self) -> None:
        now = time.monotonic()
        positions = self.positions()
        for sid, (lat, lon, _heading) in positions.items():
            if now - self._trail_time.get(sid, -1e9) >= 1.0 / TRAIL_HZ:
                self._trail_time[sid] = now
                self.trails.setdefault(sid, deque(maxlen=TRAIL_POINTS)).append((lat, lon))
        for sid in [s for s in self.trails if s not in self.bridge.sessions]:
            del self.trails[sid]
        for sid in [s for s in self.missions if s not in self.bridge.sessions]:
            del self.missions[sid]
        if self.follow and (positions or self.missions):
            self.fit(positions)
        if self.isVisible():
            self.update()

    def fit(self, positions: dict[str, tuple[float, float, float | None]]) -> None:
        """Centre and zoom on the vehicles and the missions shown (a plan is seen whole while it is edited)."""
        planned = [(lat, lon) for points, _current in self.missions.values() for _seq, lat, lon in points]
        lats = [p[0] for p in positions.values()] + [p[0] for p in planned]
        lons = [p[1] for p in positions.values()] + [p[1] for p in planned]
        if not lats:
            return
        lat, lon = (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2
        self.center = (lat, lon)
        span_lat, span_lon = max(lats) - min(lats), max(lons) - min(lons)
        self.zoom = min(17, zoom_to_fit(span_lat * 1.6 + 1e-4, span_lon * 1.6 + 1e-4, self.width(), self.height(), lat))

    # ------------------------------------------------------------------------------------------ geometry
    def _origin(self) -> tuple[float, float]:
        """World pixel of the widget's top-left corner."""
        lat, lon = self.center if self.center is not None else (0.0, 0.0)
        cx, cy = to_world(lat, lon, self.zoom)
        return cx - self.width() / 2, cy - self.height() / 2

    def screen_point(self, lat: float, lon: float) -> QPointF:
        ox, oy = self._origin()
        x, y = to_world(lat, lon, self.zoom)
        return QPointF(x - ox, y - oy)

    def vehicle_points(self) -> dict[str, QPointF]:
        return {sid: self.screen_point(lat, lon) for sid, (lat, lon, _h) in self.positions().items()}

    # ------------------------------------------------------------------------------------------ painting
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.fillRect(self.rect(), QColor(self.theme.base))
            drew_tiles = self._paint_tiles(painter)
            if not drew_tiles:
                self._paint_grid(painter)
            self._paint_missions(painter)
            self._paint_fleet(painter)
            self._paint_scale(painter)
            self._paint_north(painter)
            if not self.positions() and not self.missions:
                painter.setPen(QColor(self.theme.muted_text))
                painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "no vehicle reports a position yet")
        finally:
            painter.end()

    def _paint_tiles(self, painter: QPainter) -> bool:
        if not self.tiles.enabled or self.center is None:
            return False
        ox, oy = self._origin()
        z = int(self.zoom)
        count = 1 << z
        drew = False
        for tx in range(int(ox // TILE), int((ox + self.width()) // TILE) + 1):
            for ty in range(int(oy // TILE), int((oy + self.height()) // TILE) + 1):
                if not 0 <= ty < count:
                    continue
                image = self.tiles.get((z, tx % count, ty))
                if image is not None:
                    painter.drawImage(QPointF(tx * TILE - ox, ty * TILE - oy), image)
                    drew = True
        return drew

    def _paint_grid(self, painter: QPainter) -> None:
        lat = self.center[0] if self.center is not None else 0.0
        mpp = metres_per_pixel(lat, self.zoom)
        step_px = nice_distance(mpp * 120) / mpp
        ox, oy = self._origin()
        pen = QPen(QColor(self.theme.muted_text))
        pen.setWidthF(0.5)
        painter.setPen(pen)
        x = -(ox % step_px)
        while x < self.width():
            painter.drawLine(QPointF(x, 0), QPointF(x, self.height()))
            x += step_px
        y = -(oy % step_px)
        while y < self.height():
            painter.drawLine(QPointF(0, y), QPointF(self.width(), y))
            y += step_px

    def _paint_missions(self, painter: QPainter) -> None:
        for sid, (points, _set) in self.missions.items():
            if sid not in self.bridge.sessions:
                continue
            current = self.current_item(sid)
            screen = [(seq, self.screen_point(lat, lon)) for seq, lat, lon in points]
            line = QPen(QColor(self.theme.highlight), 3 if sid == self.selected else 1.5, Qt.PenStyle.DashLine)
            painter.setPen(line)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPolyline(QPolygonF([point for _seq, point in screen]))
            for seq, point in screen:
                painter.setPen(QPen(QColor(self.theme.highlight), 2))
                filled = seq == current
                painter.setBrush(QColor(self.theme.highlight) if filled else QColor(self.theme.base))
                painter.drawEllipse(point, 9.0 if filled else 7.0, 9.0 if filled else 7.0)
                painter.setPen(QColor(self.theme.highlight_text if filled else self.theme.text))
                painter.drawText(QRectF(point.x() - 9, point.y() - 9, 18, 18), Qt.AlignmentFlag.AlignCenter, str(seq))

    def _paint_fleet(self, painter: QPainter) -> None:
        positions = self.positions()
        font = QFont(self.font())
        font.setBold(True)
        painter.setFont(font)
        anchors: list[tuple[str, QPointF, float, str]] = []
        for sid, (lat, lon, heading) in positions.items():
            session = self.bridge.sessions[sid]
            color = self.theme.session_color(session.state)
            selected = sid == self.selected
            trail = self.trails.get(sid)
            if trail and len(trail) > 1:
                pen = QPen(QColor(color))
                pen.setWidthF(3 if selected else 1.5)
                painter.setPen(pen)
                painter.drawPolyline(QPolygonF([self.screen_point(a, b) for a, b in trail]))
            sample = self.bridge.telemetry(sid)
            if sample is not None and sample.home_lat_deg is not None and sample.home_lon_deg is not None:
                home = self.screen_point(sample.home_lat_deg, sample.home_lon_deg)
                painter.setPen(QPen(QColor(self.theme.text), 1.5))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(QRectF(home.x() - 6, home.y() - 6, 12, 12))
                painter.drawText(QRectF(home.x() - 6, home.y() - 6, 12, 12), Qt.AlignmentFlag.AlignCenter, "H")
            point = self.screen_point(lat, lon)
            size = 15.0 if selected else 11.0
            if selected:
                painter.setPen(QPen(QColor(self.theme.highlight), 3))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawEllipse(point, size + 7, size + 7)
            angle = math.radians(heading if heading is not None else 0.0)
            shape = [(0.0, -size), (size * 0.7, size * 0.8), (0.0, size * 0.4), (-size * 0.7, size * 0.8)]
            polygon = QPolygonF(
                [
                    QPointF(
                        point.x() + dx * math.cos(angle) - dy * math.sin(angle),
                        point.y() + dx * math.sin(angle) + dy * math.cos(angle),
                    )
                    for dx, dy in shape
                ]
            )
            painter.setPen(QPen(QColor("#000000"), 1.5))
            painter.setBrush(color)
            painter.drawPolygon(polygon)
            anchors.append((sid, point, size, session.name))
        self._paint_labels(painter, anchors)

    def _paint_labels(self, painter: QPainter, anchors: list[tuple[str, QPointF, float, str]]) -> None:
        """Names beside their arrows, inside the view, never on top of each other (vehicles at one point
        get their names stacked); drawn after every arrow so no arrow covers a name."""
        metrics = QFontMetricsF(painter.font())
        bounds = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        sized = [
            (sid, point, size, metrics.elidedText(name, Qt.TextElideMode.ElideRight, bounds.width() - 8))
            for sid, point, size, name in anchors
        ]
        boxes = [
            (sid, point, size, QRectF(0, 0, metrics.horizontalAdvance(text) + 4, metrics.height()))
            for sid, point, size, text in sized
        ]
        self.label_rects = place_labels(boxes, bounds)
        painter.setPen(QColor(self.theme.text))
        for sid, _point, _size, text in sized:
            painter.drawText(self.label_rects[sid], Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)

    def _paint_scale(self, painter: QPainter) -> None:
        lat = self.center[0] if self.center is not None else 0.0
        mpp = metres_per_pixel(lat, self.zoom)
        target = mpp * min(160, self.width() / 3)
        imperial = self.units.imperial
        length_m = nice_distance(target * FEET_PER_M) / FEET_PER_M if imperial else nice_distance(target)
        width = length_m / mpp
        x, y = 14.0, self.height() - 18.0
        painter.fillRect(QRectF(x - 6, y - 22, width + 12, 32), QColor(self.theme.base))
        pen = QPen(QColor(self.theme.text), 3)
        painter.setPen(pen)
        painter.drawLine(QPointF(x, y), QPointF(x + width, y))
        painter.drawLine(QPointF(x, y - 6), QPointF(x, y + 4))
        painter.drawLine(QPointF(x + width, y - 6), QPointF(x + width, y + 4))
        painter.drawText(QPointF(x, y - 8), format_distance(length_m, imperial=self.units.imperial))

    def _paint_north(self, painter: QPainter) -> None:
        cx, top = self.width() - 28.0, 14.0
        painter.setPen(QPen(QColor(self.theme.text), 1.5))
        painter.setBrush(QColor(self.theme.bad))
        painter.drawPolygon(QPolygonF([QPointF(cx, top), QPointF(cx + 9, top + 26), QPointF(cx - 9, top + 26)]))
        painter.drawText(QRectF(cx - 10, top + 26, 20, 18), Qt.AlignmentFlag.AlignCenter, "N")

    # ------------------------------------------------------------------------------------------ mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() is Qt.MouseButton.LeftButton:
            self._press = event.position()
            self._dragged = False

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None or self.center is None:
            return
        delta = event.position() - self._press
        if not self._dragged and delta.manhattanLength() < 4:
            return
        self._dragged = True
        self.follow = False
        cx, cy = to_world(self.center[0], self.center[1], self.zoom)
        self.center = from_world(cx - delta.x(), cy - delta.y(), self.zoom)
        self._press = event.position()
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._press is not None and not self._dragged:
            self.click_at(event.position())
        self._press = None

    def click_at(self, where: QPointF) -> str | None:
        """Select the vehicle nearest to ``where`` within the pick radius; returns its session id."""
        best: tuple[float, str] | None = None
        for sid, point in self.vehicle_points().items():
            distance = math.hypot(point.x() - where.x(), point.y() - where.y())
            if distance <= PICK_RADIUS_PX and (best is None or distance < best[0]):
                best = (distance, sid)
        if best is None:
            return None
        self.select(best[1])
        self.session_clicked.emit(best[1])
        return best[1]

    def wheelEvent(self, event: QWheelEvent) -> None:
        step = 1 if event.angleDelta().y() > 0 else -1
        self.zoom = max(MIN_ZOOM, min(MAX_ZOOM, self.zoom + step))
        self.follow = False
        self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        """Back to following the fleet."""
        self.follow = True
        positions = self.positions()
        if positions:
            self.fit(positions)
        self.update()


def place_labels(boxes: list[tuple[str, QPointF, float, QRectF]], bounds: QRectF) -> dict[str, QRectF]:
    """Where each vehicle's name goes: right of its arrow (left of it when the right runs off the view),
    moved into ``bounds`` and down (or up, at the bottom) past any name already placed, in order."""
    placed: dict[str, QRectF] = {}
    for sid, point, size, box in boxes:
        width, height = min(box.width(), bounds.width()), box.height()
        x = point.x() + size + 4
        if x + width > bounds.right():
            x = point.x() - size - 4 - width
        x = min(max(x, bounds.left()), bounds.right() - width)
        y = min(max(point.y() - size / 2 - height * 0.75, bounds.top()), bounds.bottom() - height)
        rect = QRectF(x, y, width, height)
        step = height + 1
        tries = 0
        while any(rect.intersects(other) for other in placed.values()) and tries < 4 * len(boxes) + 4:
            tries += 1
            moved = rect.translated(0, step)
            if moved.bottom() > bounds.bottom():
                step = -abs(step)
                moved = rect.translated(0, step)
                if moved.top() < bounds.top():
                    break  # nowhere left in this column: overlap rather than leave the view
            rect = moved
        placed[sid] = rect
    return placed
