"""Outlined text (a dark stroke under a bright fill) drawn from a cache of pre-rendered images.

Stroking a glyph outline is the costliest thing a tile paints (about a millisecond per string), and the same
strings come back tick after tick ("ALT 42.1 m", "GUIDED", a stream name). Each distinct string, font, colour
and pixel ratio is rendered once into a transparent image; painting it again is one cheap ``drawImage``.
The cache is bounded (least recently used strings go first), so changing values cannot grow it without end.
"""

from __future__ import annotations

import math
from collections import OrderedDict

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPainterPath, QPen

CAPACITY = 1024

_Key = tuple[str, str, int, int, float]
_Rendered = tuple[QImage, float, float]  # image, padding, ascent


class OutlinedTextCache:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._images: OrderedDict[_Key, _Rendered] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._images)

    def image(self, text: str, font: QFont, color: QColor, outline: QColor, ratio: float) -> _Rendered:
        """The rendered text, its padding and its ascent (in logical pixels)."""
        key = (text, font.key(), color.rgba(), outline.rgba(), ratio)
        found = self._images.get(key)
        if found is not None:
            self.hits += 1
            self._images.move_to_end(key)
            return found
        self.misses += 1
        rendered = _render(text, font, color, outline, ratio)
        self._images[key] = rendered
        if len(self._images) > self.capacity:
            self._images.popitem(last=False)
        return rendered


def _render(text: str, font: QFont, color: QColor, outline: QColor, ratio: float) -> _Rendered:
    metrics = QFontMetricsF(font)
    stroke = max(2.5, font.pixelSize() / 6)
    pad = math.ceil(stroke)
    width = metrics.horizontalAdvance(text) + 2 * pad
    height = metrics.height() + 2 * pad
    image = QImage(
        max(1, math.ceil(width * ratio)), max(1, math.ceil(height * ratio)), QImage.Format.Format_ARGB32_Premultiplied
    )
    image.setDevicePixelRatio(ratio)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        path = QPainterPath()
        path.addText(QPointF(pad, pad + metrics.ascent()), font, text)
        pen = QPen(outline, stroke)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.strokePath(path, pen)
        painter.fillPath(path, color)
    finally:
        painter.end()
    return image, float(pad), metrics.ascent()


CACHE = OutlinedTextCache()


def draw_text(
    painter: QPainter,
    pos: QPointF,
    text: str,
    font: QFont,
    color: QColor,
    outline: QColor,
    *,
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
) -> float:
    """Outlined text with its baseline at ``pos`` (aligned left, right or centred on x); returns its width."""
    width = QFontMetricsF(font).horizontalAdvance(text)
    x = pos.x()
    if align & Qt.AlignmentFlag.AlignRight:
        x -= width
    elif align & Qt.AlignmentFlag.AlignHCenter:
        x -= width / 2
    ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
    image, pad, ascent = CACHE.image(text, font, color, outline, ratio)
    painter.drawImage(QPointF(x - pad, pos.y() - ascent - pad), image)
    return width
