"""Painting the telemetry overlay over a tile's picture: horizon, heading, altitude, speeds and status row.

Readable in sunlight on a 1366x768 laptop: bold type sized from the tile (never below 13 px, but for the
compact row of a 4x4 tile, which shrinks to 11 px rather than cut a reading in half), every glyph
filled in the theme's overlay colour over a dark outline, so it reads on sky, snow or tarmac alike. Called
from the tile's ``paintEvent`` with the same ``QPainter`` that drew the frame (one paint per tile per tick).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from groundstation.ui.theme import Theme
from groundstation.ui.video.outlined_text import draw_text, font_metrics, text_width
from groundstation.ui.video.overlay_model import OverlayModel

# Below this size a tile shows the compact overlay whatever was asked: the full one would cover the picture.
COMPACT_BELOW = (360, 250)
MIN_FIT_PX = 11  # the compact row shrinks to fit a small tile, not below this
PITCH_PX_PER_DEG_OF_HEIGHT = 1 / 90  # the horizon moves a ninetieth of the tile's height per degree


def overlay_font(height: float, *, scale: float = 1.0) -> QFont:
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(13, min(30, round(height / 17 * scale))))
    return font


def paint_overlay(painter: QPainter, rect: QRectF, model: OverlayModel, theme: Theme, *, compact: bool) -> float:
    """Draw ``model`` inside ``rect`` (the tile below its header); returns the top of what it drew, so a
    status message can be fitted into the space above the compact row instead of under it."""
    if not model.fields:
        return rect.bottom()
    compact = compact or rect.width() < COMPACT_BELOW[0] or rect.height() < COMPACT_BELOW[1]
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    color = QColor(theme.tile_muted if model.stale else theme.overlay_text)
    outline = QColor(theme.overlay_outline)
    try:
        if "mode" not in model.fields:
            # Linked, but no telemetry yet: one line saying so where the status row would be.
            font = overlay_font(rect.height())
            text = "  ".join(model.fields.values())
            baseline = rect.bottom() - 8
            draw_text(painter, QPointF(rect.left() + 8, baseline), text, font, color, outline)
            return baseline - font_metrics(font).ascent()
        if compact:
            return _paint_compact(painter, rect, model, theme, color, outline)
        _paint_full(painter, rect, model, theme, color, outline)
        return rect.top()
    finally:
        painter.restore()


def _status_colors(model: OverlayModel, theme: Theme, color: QColor) -> dict[str, QColor]:
    colors: dict[str, QColor] = {}
    if model.stale:
        return colors
    if model.armed:
        colors["armed"] = QColor(theme.tile_warn)
    if model.battery_level == "low":
        colors["bat"] = QColor(theme.tile_warn)
    elif model.battery_level == "critical":
        colors["bat"] = QColor(theme.tile_bad)
    if model.fields.get("gps", "").startswith(("GPS NO", "GPS --")):
        colors["gps"] = QColor(theme.tile_bad)
    return colors


def _paint_row(
    painter: QPainter,
    rect: QRectF,
    keys: list[str],
    fields: Mapping[str, str],
    font: QFont,
    baseline: float,
    colors: dict[str, QColor],
    default: QColor,
    outline: QColor,
) -> float:
    """Lay ``keys`` out left to right from ``rect.left()``, wrapping upwards; returns the top baseline used."""
    metrics = font_metrics(font)
    gap = text_width("  ", font)
    rows: list[list[str]] = [[]]
    used = 0.0
    for key in keys:
        width = text_width(fields[key], font)
        if rows[-1] and used + gap + width > rect.width():
            rows.append([])
            used = 0.0
        used += (gap if rows[-1] else 0.0) + width
        rows[-1].append(key)
    line = metrics.height()
    top = baseline - line * (len(rows) - 1)
    for index, row in enumerate(rows):
        x = rect.left()
        y = top + index * line
        for key in row:
            x += draw_text(painter, QPointF(x, y), fields[key], font, colors.get(key, default), outline) + gap
    return top


def _paint_full(
    painter: QPainter, rect: QRectF, model: OverlayModel, theme: Theme, color: QColor, outline: QColor
) -> None:
    big = overlay_font(rect.height(), scale=1.15)
    normal = overlay_font(rect.height())
    line = font_metrics(normal).height()
    margin = max(8.0, rect.width() / 60)
    inner = rect.adjusted(margin, margin, -margin, -margin)
    colors = _status_colors(model, theme, color)
    _paint_horizon(painter, inner, model, theme, color, outline)
    draw_text(
        painter,
        QPointF(inner.center().x(), inner.top() + line),
        model.fields["hdg"],
        big,
        color,
        outline,
        align=Qt.AlignmentFlag.AlignHCenter,
    )
    mid = inner.center().y()
    draw_text(painter, QPointF(inner.left(), mid), model.fields["gs"], normal, color, outline)
    draw_text(painter, QPointF(inner.left(), mid + line), model.fields["vs"], normal, color, outline)
    draw_text(
        painter,
        QPointF(inner.right(), mid),
        model.fields["alt"],
        big,
        color,
        outline,
        align=Qt.AlignmentFlag.AlignRight,
    )
    keys = ["mode", "armed", "bat", "gps", "link"]
    _paint_row(painter, inner, keys, model.fields, normal, inner.bottom(), colors, color, outline)


def _paint_compact(
    painter: QPainter, rect: QRectF, model: OverlayModel, theme: Theme, color: QColor, outline: QColor
) -> float:
    margin = 6.0
    inner = rect.adjusted(margin, margin, -margin, -margin)
    keys = ["mode", "armed", "alt", "bat", "link"]
    fields = {key: model.fields[key] for key in keys}
    font = fitting_font(overlay_font(rect.height(), scale=1.25), fields.values(), inner.width())
    metrics = font_metrics(font)
    fields = {key: metrics.elidedText(text, Qt.TextElideMode.ElideRight, inner.width()) for key, text in fields.items()}
    colors = _status_colors(model, theme, color)
    top = _paint_row(painter, inner, keys, fields, font, inner.bottom(), colors, color, outline)
    return top - metrics.ascent()


def fitting_font(font: QFont, texts: Iterable[str], width: float) -> QFont:
    """``font``, smaller if need be (not below ``MIN_FIT_PX``) so that the widest of ``texts`` fits ``width``.

    A 4x4 tile on a 1366x768 laptop is about 130 px wide: at the overlay's size "BAT 99% 16.5 V" would be cut
    off at the tile's edge, and a reading cut in half reads as another number. Shrinking the row keeps every
    value whole; only below the floor is a field elided (with an ellipsis, so it does not read as whole)."""
    widest = max((text_width(text, font) for text in texts), default=0.0)
    size = font.pixelSize()
    if widest <= width or widest <= 0 or size <= MIN_FIT_PX:
        return font
    fitted = QFont(font)
    fitted.setPixelSize(max(MIN_FIT_PX, int(size * width / widest)))
    return fitted


def _paint_horizon(
    painter: QPainter, rect: QRectF, model: OverlayModel, theme: Theme, color: QColor, outline: QColor
) -> None:
    """An artificial horizon: the horizon line rolls and pitches behind a fixed aircraft symbol."""
    center = rect.center()
    half = rect.width() * 0.18
    symbol = QColor(theme.tile_muted if model.stale else theme.tile_warn)
    if model.roll_deg is not None and model.pitch_deg is not None:
        painter.save()
        painter.translate(center)
        painter.rotate(-model.roll_deg)
        offset = model.pitch_deg * rect.height() * PITCH_PX_PER_DEG_OF_HEIGHT
        for pen_color, width in ((outline, 6.0), (color, 2.5)):
            painter.setPen(QPen(pen_color, width))
            painter.drawLine(QPointF(-half, offset), QPointF(-half * 0.25, offset))
            painter.drawLine(QPointF(half * 0.25, offset), QPointF(half, offset))
        painter.restore()
    wing = half * 0.2
    for pen_color, width in ((outline, 7.0), (symbol, 3.5)):
        pen = QPen(pen_color, width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawLine(QPointF(center.x() - wing * 1.6, center.y()), QPointF(center.x() - wing * 0.5, center.y()))
        painter.drawLine(QPointF(center.x() - wing * 0.5, center.y()), QPointF(center.x(), center.y() + wing * 0.5))
        painter.drawLine(QPointF(center.x(), center.y() + wing * 0.5), QPointF(center.x() + wing * 0.5, center.y()))
        painter.drawLine(QPointF(center.x() + wing * 0.5, center.y()), QPointF(center.x() + wing * 1.6, center.y()))
