"""Outlined text (a dark stroke under a bright fill) drawn from a cache of pre-rendered images.

Stroking a glyph outline is the costliest thing a tile paints (about half a millisecond per string), and the
same strings come back tick after tick ("GUIDED", a stream name). Each distinct string, font, colour and pixel
ratio is rendered once into a transparent image; painting it again is one cheap ``drawImage``.

Values that change every telemetry tick ("ALT 42.1 m") miss that cache each time, so a new string is not
stroked as a whole either: it is assembled from per-character images (each character's stroke and fill,
stroked once per font and colour), all the strokes first and then all the fills, at the positions the font's
own advances (kerning included) give, which draws the same pixels as stroking the whole string at a tenth of
the cost. Both caches are bounded (least recently used entries go first).
"""

from __future__ import annotations

import math
from collections import OrderedDict

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPainterPath, QPen

CAPACITY = 1024
METRICS_CAPACITY = 64
GLYPH_CAPACITY = 4096

_Key = tuple[str, str, int, int, float]
_Rendered = tuple[QImage, float, float, float]  # image, padding, ascent, advance (the text's width)


class OutlinedTextCache:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._images: OrderedDict[_Key, _Rendered] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._images)

    def image(self, text: str, font: QFont, color: QColor, outline: QColor, ratio: float) -> _Rendered:
        """The rendered text, its padding, its ascent and its advance (in logical pixels)."""
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


def _stroke_width(font: QFont) -> float:
    return max(2.5, font.pixelSize() / 6)


def _space_extra(font: QFont) -> float:
    """What a space gains: the outline's width where it eats most of a small font's space, capped so that a
    large font's (already wide) spaces do not open up into gaps."""
    return min(_stroke_width(font), 2.5)


def _render(text: str, font: QFont, color: QColor, outline: QColor, ratio: float) -> _Rendered:
    """``text`` as one image: every character's stroke, then every character's fill, from ``GLYPHS``."""
    metrics = font_metrics(font)
    stroke = _stroke_width(font)
    pad = math.ceil(stroke)
    extra = _space_extra(font)
    advance = metrics.horizontalAdvance(text) + text.count(" ") * extra
    width = advance + 2 * pad
    height = metrics.height() + 2 * pad
    image = QImage(
        max(1, math.ceil(width * ratio)), max(1, math.ceil(height * ratio)), QImage.Format.Format_ARGB32_Premultiplied
    )
    image.setDevicePixelRatio(ratio)
    image.fill(Qt.GlobalColor.transparent)
    style = (font, color, outline, ratio)
    # Each space widened (``_space_extra``): the outlines of the letters either side eat into a plain space,
    # and at small sizes "ALT 0.0 m" read as "ALT0.0 m".
    placed = [
        (metrics.horizontalAdvance(text[:i]) + text.count(" ", 0, i) * extra, GLYPHS.images(ch, *style))
        for i, ch in enumerate(text)
        if not ch.isspace()
    ]
    painter = QPainter(image)
    try:
        for layer in (0, 1):  # strokes first: a neighbour's stroke must never cover a fill
            for x, images in placed:
                painter.drawImage(QPointF(x, 0), images[layer])
    finally:
        painter.end()
    return image, float(pad), metrics.ascent(), advance


class GlyphCache:
    """One character's outline stroke and fill as two images, with the same padding as a whole string."""

    def __init__(self, capacity: int = GLYPH_CAPACITY) -> None:
        self.capacity = capacity
        self._images: OrderedDict[_Key, tuple[QImage, QImage]] = OrderedDict()

    def images(self, ch: str, font: QFont, color: QColor, outline: QColor, ratio: float) -> tuple[QImage, QImage]:
        key = (ch, font.key(), color.rgba(), outline.rgba(), ratio)
        found = self._images.get(key)
        if found is not None:
            self._images.move_to_end(key)
            return found
        metrics = QFontMetricsF(font)
        stroke = _stroke_width(font)
        pad = math.ceil(stroke)
        path = QPainterPath()
        path.addText(QPointF(pad, pad + metrics.ascent()), font, ch)
        width = max(metrics.horizontalAdvance(ch), path.boundingRect().right()) + 2 * pad
        height = metrics.height() + 2 * pad
        pen = QPen(outline, stroke)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        pair: list[QImage] = []
        for draw in ("stroke", "fill"):
            image = QImage(
                max(1, math.ceil(width * ratio)),
                max(1, math.ceil(height * ratio)),
                QImage.Format.Format_ARGB32_Premultiplied,
            )
            image.setDevicePixelRatio(ratio)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            try:
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                if draw == "stroke":
                    painter.strokePath(path, pen)
                else:
                    painter.fillPath(path, color)
            finally:
                painter.end()
            pair.append(image)
        found = (pair[0], pair[1])
        self._images[key] = found
        if len(self._images) > self.capacity:
            self._images.popitem(last=False)
        return found


def font_metrics(font: QFont) -> QFontMetricsF:
    """The font's metrics, built once per font: a ``QFontMetricsF`` costs more to make than to ask, and an
    overlay re-render asks for dozens (fitting, wrapping, eliding) sixteen tiles at a time."""
    key = font.key()
    found = _METRICS.get(key)
    if found is None:
        if len(_METRICS) >= METRICS_CAPACITY:
            _METRICS.clear()  # a handful of sizes are in use at a time; a rare full reset is cheaper than LRU
        found = _METRICS[key] = QFontMetricsF(font)
    return found


def text_width(text: str, font: QFont) -> float:
    """The width ``draw_text`` gives ``text`` (wider than the font's own advance by its widened spaces)."""
    return font_metrics(font).horizontalAdvance(text) + text.count(" ") * _space_extra(font)


_METRICS: dict[str, QFontMetricsF] = {}
_RIGHT = Qt.AlignmentFlag.AlignRight
_CENTRE = Qt.AlignmentFlag.AlignHCenter
GLYPHS = GlyphCache()
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
    """Outlined text with its baseline at ``pos`` (aligned left, right or centred on x); returns its width.

    The width comes with the cached image: measuring the string again on every call (a ``QFontMetricsF``
    built per string) was a third of what an overlay re-render cost."""
    ratio = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
    image, pad, ascent, width = CACHE.image(text, font, color, outline, ratio)
    x = pos.x()
    if align & _RIGHT:
        x -= width
    elif align & _CENTRE:
        x -= width / 2
    painter.drawImage(QPointF(x - pad, pos.y() - ascent - pad), image)
    return width
