"""One video tile: its stream's newest frame, a status line instead of a stale picture, the QoS badge and the
telemetry overlay, all painted in one ``paintEvent``. Tiles are drag sources (to swap) and drop targets (a
stream from the stream list, or another tile); a double-click asks the grid to maximize or restore it.
Two small buttons in the header record the stream and take a snapshot; the tile only asks (signals), the
window calls the recording service.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal, SignalInstance
from PySide6.QtGui import (
    QColor,
    QDrag,
    QDragEnterEvent,
    QDropEvent,
    QEnterEvent,
    QFocusEvent,
    QFont,
    QIcon,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
)
from PySide6.QtWidgets import QApplication, QSizePolicy, QToolButton, QWidget

from groundstation.domain.models import DeviceSession, SessionState, StreamState, VideoStream
from groundstation.services.video_pipeline import VideoPipeline
from groundstation.ui.plain_text import tooltip
from groundstation.ui.theme import DARK, Theme
from groundstation.ui.video.frames import FrameSlot
from groundstation.ui.video.outlined_text import draw_text, font_metrics, text_width
from groundstation.ui.video.overlay_model import OverlayModel, overlay_model
from groundstation.ui.video.overlay_painter import MIN_FIT_PX, overlay_font, paint_overlay
from groundstation.ui.video.stream_messages import Level, TileMessage, qos_badge, tile_message

STREAM_MIME = "application/x-groundstation-stream"
_CENTRE = Qt.AlignmentFlag.AlignHCenter
TILE_MIME = "application/x-groundstation-tile"
# A picture a whole divisor of the source's size is preferred when it is at least this wide a share of the
# exactly fitted one (a few pixels more letterbox for a resize four times cheaper; see ``_picture_rect``).
EXACT_DIVISOR_FILL = 0.9
# Narrower tiles (3x3 and 4x4 on a laptop) show the REC and SNAP buttons as icons: the name comes first.
ICON_BUTTONS_BELOW = 220


class VideoTile(QWidget):
    stream_dropped = Signal(int, str)  # tile index, stream id
    tile_dropped = Signal(int, int)  # from tile, onto tile
    maximize_toggled = Signal(int)
    record_toggled = Signal(int)
    snapshot_requested = Signal(int)

    def __init__(self, index: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = index
        self.slot = FrameSlot(phase=(index * 5 % 16) / 16)  # neighbours read their status apart
        self.stream: VideoStream | None = None
        self.session: DeviceSession | None = None
        self.band: tuple[QFont, str] | None = None  # the session band last painted: its font and text
        self.overlay = overlay_model(None, None)
        self.message: TileMessage | None = tile_message(None, None, has_frame=False, video_running=True)
        self.badge = ""
        self.compact = False
        self.theme: Theme = DARK
        self._press: QPoint | None = None
        self._picture = QRect()
        self._picture_key: tuple[QRect, tuple[int, int]] | None = None
        self._layer: QImage | None = None
        self._layer_key: tuple[object, ...] | None = None
        self._status_seen = -1
        self._had_frame = False
        self.layer_renders = 0  # how often the overlay layer was re-rendered (tests and the bench read it)
        self.setAcceptDrops(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(120, 90)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.recording = False
        self._hovered = False
        self._buttons_width = 0.0
        self.record_button = self._tool_button("REC", "Record this stream", self.record_toggled)
        self.snapshot_button = self._tool_button("SNAP", "Take a snapshot of this stream", self.snapshot_requested)
        self.snapshot_button.setIcon(_button_icon("snap"))
        self._describe()

    def _tool_button(self, text: str, name: str, signal: SignalInstance) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setAccessibleName(f"{name} (tile {self.index + 1})")
        button.setToolTip(name)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.setAutoRaise(True)
        small = button.font()
        small.setPointSize(max(7, small.pointSize() - 2))
        small.setBold(True)
        button.setFont(small)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        button.clicked.connect(lambda _=False: signal.emit(self.index))
        button.hide()
        return button

    def set_recording(self, recording: bool) -> None:
        if recording != self.recording:
            self.recording = recording
            self._style_buttons()
            self._place_buttons()
            self.update()

    def _style_buttons(self) -> None:
        rec = "background: #d00000; color: white;" if self.recording else "color: white;"
        base = "QToolButton { font-weight: bold; border: 1px solid #c0c0c0; border-radius: 3px; padding: 0 4px; "
        self.record_button.setText("STOP REC" if self.recording else "REC")
        self.record_button.setToolTip("Stop recording" if self.recording else "Record this stream")
        self.record_button.setIcon(_button_icon("stop" if self.recording else "rec"))
        self.record_button.setStyleSheet(base + rec + " }")
        self.snapshot_button.setStyleSheet(base + "color: white; }")

    def _buttons_wanted(self) -> tuple[bool, bool]:
        """(record, snapshot): shown while the pointer is over the tile or it has focus; the record button
        also while recording, so a running recording is always seen and can be stopped. Otherwise the header
        is the stream's name and badge alone (and no styled button repaints with every frame)."""
        if self.stream is None:
            return False, False
        active = self._hovered or self.hasFocus()
        return active or self.recording, active

    def _place_buttons(self) -> float:
        """Put the wanted buttons at the header's right end, as icons on a narrow tile so the stream's name
        keeps the room; returns the width they take."""
        wanted = self._buttons_wanted()
        if not any(wanted):
            self.record_button.hide()
            self.snapshot_button.hide()
            self._buttons_width = 0.0
            return 0.0
        height = int(font_metrics(overlay_font(self.height(), scale=0.8)).height() + 4)
        style = (
            Qt.ToolButtonStyle.ToolButtonIconOnly
            if self.width() < ICON_BUTTONS_BELOW
            else Qt.ToolButtonStyle.ToolButtonTextOnly
        )
        right = self.width() - 4
        for button, shown in zip((self.snapshot_button, self.record_button), reversed(wanted), strict=True):
            if not shown:
                button.hide()
                continue
            if button.toolButtonStyle() != style:
                button.setToolButtonStyle(style)
            side = max(12, height - 8)
            button.setIconSize(QSize(side, side))
            width = height + 2 if style is Qt.ToolButtonStyle.ToolButtonIconOnly else button.sizeHint().width()
            button.setGeometry(right - width, 2, width, height)
            right -= width + 4
            button.show()
        self._buttons_width = float(self.width() - right)
        return self._buttons_width

    def _set_hovered(self, hovered: bool) -> None:
        if hovered != self._hovered:
            self._hovered = hovered
            self._place_buttons()
            self.update()

    def enterEvent(self, event: QEnterEvent) -> None:
        self._set_hovered(True)
        super().enterEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._set_hovered(False)
        super().leaveEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self._place_buttons()
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self._place_buttons()
        self.update()

    # ------------------------------------------------------------------------------------------ state
    def show_stream(self, stream: VideoStream | None) -> None:
        if stream is None or self.stream is None or stream.id != self.stream.id:
            self.recording = False
        self.stream = stream
        self.slot.attach(stream.id if stream is not None else None)
        self._status_seen = -1  # the next refresh recomputes the line and the badge for the new stream
        self._style_buttons()
        self._place_buttons()
        self._describe()
        self.update()

    def refresh(self, video: VideoPipeline | None) -> None:
        """Poll the newest frame (and now and then the status); repaint only if something visible changed."""
        new_frame = self.slot.poll(video)
        has_frame = self.slot.image is not None
        if self.slot.status_reads == self._status_seen and has_frame == self._had_frame and not new_frame:
            return
        if self.slot.status_reads != self._status_seen or has_frame != self._had_frame:
            self._status_seen, self._had_frame = self.slot.status_reads, has_frame
            self._request_output_size(video)
            message = tile_message(self.stream, self.slot.status, has_frame=has_frame, video_running=video is not None)
            badge = qos_badge(self.slot.status, self.slot.displayed.rate()) if self.stream is not None else ""
            if message == self.message and badge == self.badge and not new_frame:
                return
            if message != self.message:
                self.message = message
                self._describe()
            self.badge = badge
        self.update()

    def set_telemetry(self, session: DeviceSession | None, model: OverlayModel) -> None:
        if model != self.overlay or session != self.session:
            self.session = session
            self.overlay = model
            self._describe()
            self.update()

    def _describe(self) -> None:
        name = self.stream.name if self.stream is not None else "empty"
        self.setAccessibleName(f"Video tile {self.index + 1}: {name}")
        parts = [self.message.text if self.message is not None else "live"]
        if self.session is not None:
            parts.append(self.overlay.text())
        self.setAccessibleDescription("; ".join(parts))
        self.setToolTip(tooltip(self.message.text) if self.message is not None else "")

    def _picture_rect(self) -> QRect:
        """Where the picture goes, centred in the tile, in whole pixels: what the worker resizes frames to,
        so ``paintEvent`` copies pixels instead of scaling them.

        That is the source's aspect ratio fitted into the tile (even width and height), unless the source
        divided by a whole number fills at least ``EXACT_DIVISOR_FILL`` of that: then the divided size. The
        worker's area resize of 720p costs ~3 ms a frame at an arbitrary ratio and ~0.7 ms at a whole one,
        which at 16 tiles of 30 fps is the difference between a saturated two-core laptop and a spare core."""
        area = self.rect()
        native = self.slot.native_size()
        if native is None or native[0] <= 0 or native[1] <= 0:
            return area
        if self._picture_key == (area, native):
            return QRect(self._picture)
        aspect = native[0] / native[1]
        width, height = float(area.width()), area.width() / aspect
        if height > area.height():
            height, width = float(area.height()), area.height() * aspect
        w, h = max(2, int(width) // 2 * 2), max(2, int(height) // 2 * 2)
        divided = whole_divisor_size(native, w, h)
        if divided is not None and divided[0] >= EXACT_DIVISOR_FILL * w:
            w, h = divided
        self._picture_key = (area, native)
        self._picture = QRect(area.left() + (area.width() - w) // 2, area.top() + (area.height() - h) // 2, w, h)
        return QRect(self._picture)

    def _request_output_size(self, video: VideoPipeline | None) -> None:
        if self.slot.native_size() is None or not self.isVisible():
            return
        rect = self._picture_rect()
        self.slot.request_size(video, rect.width(), rect.height())

    # ------------------------------------------------------------------------------------------ painting
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        theme = self.theme
        painter.fillRect(self.rect(), QColor(theme.tile_background))
        image = self.slot.image
        if self.message is None and image is not None:
            target = self._picture_rect()
            if target.width() == image.width() and target.height() == image.height():
                painter.drawImage(target.topLeft(), image)
            else:
                # The worker has not caught up with a resize yet: scale cheaply until it does.
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
                painter.drawImage(target, image)
        painter.drawImage(QPoint(0, 0), self._overlay_layer())
        border = QColor(theme.tile_focus if self.hasFocus() else theme.tile_border)
        painter.setPen(QPen(border, 2 if self.hasFocus() else 1))
        painter.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -1, -1))

    def _overlay_layer(self) -> QImage:
        """Everything drawn over the picture (header, status line, session band, telemetry), as one
        transparent image re-rendered only when what it shows changes.

        Frames arrive at 30 Hz, telemetry at the bridge's 15 Hz and the badge at the status poll's few Hz,
        and outlined text is the costliest thing a tile draws: painting it on every frame made the text, not
        the video, the window's main cost. Between changes a frame's paint is one blit of this image."""
        ratio = self.devicePixelRatioF()
        key = (
            self.size(),
            ratio,
            self.theme.name,
            self.stream.name if self.stream is not None else None,
            self.slot.status.state if self.slot.status is not None else None,
            self.badge,
            self.message,
            self.session,
            self.overlay,
            self.compact,
            self._buttons_width,
        )
        if self._layer is not None and key == self._layer_key:
            return self._layer
        layer = QImage(
            max(1, round(self.width() * ratio)),
            max(1, round(self.height() * ratio)),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        layer.setDevicePixelRatio(ratio)
        layer.fill(Qt.GlobalColor.transparent)
        painter = QPainter(layer)
        try:
            self._paint_layer(painter)
        finally:
            painter.end()
        self._layer, self._layer_key = layer, key
        self.layer_renders += 1
        return layer

    def _paint_layer(self, painter: QPainter) -> None:
        header = self._paint_header(painter)
        body = QRectF(self.rect()).adjusted(0, header, 0, 0)
        if self.session is not None:
            # The telemetry first, then the message in the room left above it: in a 4x4 tile the two
            # would otherwise overlap and neither could be read.
            body = self._paint_session_banner(painter, body)
            compact = self.compact or self.message is not None
            top = paint_overlay(painter, body, self.overlay, self.theme, compact=compact)
            if self.message is not None:
                body = QRectF(body.left(), body.top(), body.width(), max(0.0, top - body.top()))
        if self.message is not None:
            self._paint_message(painter, body, self.message, muted=self.stream is None)

    def _paint_header(self, painter: QPainter) -> float:
        """Stream name on the left, QoS badge on the right, on a translucent strip; returns its height."""
        if self.stream is None:
            return 0.0
        font = overlay_font(self.height(), scale=0.8)
        metrics = font_metrics(font)
        height = metrics.height() + 8
        painter.fillRect(QRectF(0, 0, self.width(), height), QColor(0, 0, 0, 150))
        baseline = 4 + metrics.ascent()
        text, outline = QColor(self.theme.overlay_text), QColor(self.theme.overlay_outline)
        buttons = self._buttons_width
        name = metrics.elidedText(self.stream.name, Qt.TextElideMode.ElideRight, max(20.0, self.width() - 16 - buttons))
        name_width = draw_text(painter, QPointF(8, baseline), name, font, text, outline)
        state = self.slot.status.state if self.slot.status is not None else self.stream.state
        badge_color = self.theme.stream_color(state, on_tile=True)
        available = self.width() - name_width - 24 - buttons
        badge = self.badge
        while badge and metrics.horizontalAdvance(badge) > available and "  " in badge:
            badge = badge.rsplit("  ", 1)[0]
        if badge and metrics.horizontalAdvance(badge) <= available:
            draw_text(
                painter,
                QPointF(self.width() - 8 - buttons, baseline),
                badge,
                font,
                badge_color,
                outline,
                align=Qt.AlignmentFlag.AlignRight,
            )
        return height

    def _paint_message(self, painter: QPainter, body: QRectF, message: TileMessage, *, muted: bool = False) -> None:
        """The status line, big and centred, wrapped and fitted (see ``fit_message``) so the reason can be read."""
        colors = {Level.INFO: self.theme.overlay_text, Level.WARN: self.theme.tile_warn, Level.BAD: self.theme.tile_bad}
        color = QColor(self.theme.tile_muted if muted else colors[message.level])
        outline = QColor(self.theme.overlay_outline)
        text = message.text
        if self.slot.status is not None and self.slot.status.state is StreamState.ERROR:
            text = text.removeprefix("error: ")  # the header's badge says ERROR; the room is the reason's
        font, lines = fit_message(text, body.width() - 24, body.height())
        metrics = font_metrics(font)
        top = max(body.top() + 4, body.center().y() - metrics.height() * (len(lines) / 2 + 0.7))
        for index, line in enumerate(lines):
            baseline = top + metrics.ascent() + index * metrics.height()
            draw_text(painter, QPointF(body.center().x(), baseline), line, font, color, outline, align=_CENTRE)

    def _paint_session_banner(self, painter: QPainter, body: QRectF) -> QRectF:
        """A coloured band naming the session and, unless it flies normally, its state in capitals."""
        session = self.session
        assert session is not None
        state = "" if session.state is SessionState.ACTIVE else session.state.value.replace("_", " ").upper()
        font, label = session_band_text(session.name, state, overlay_font(self.height(), scale=0.8), body.width() - 18)
        self.band = (font, label)
        metrics = font_metrics(font)
        height = metrics.height() + 6
        color = self.theme.session_color(session.state)
        if state:
            band = QColor(color)
            band.setAlpha(200)
            painter.fillRect(QRectF(body.left(), body.top(), body.width(), height), band)
        else:
            painter.fillRect(QRectF(body.left(), body.top(), 6, height), color)
        draw_text(
            painter,
            QPointF(body.left() + 12, body.top() + 3 + metrics.ascent()),
            label,
            font,
            QColor(self.theme.overlay_text),
            QColor(self.theme.overlay_outline),
        )
        return body.adjusted(0, height, 0, 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_buttons()
        self._status_seen = -1  # the next refresh asks the worker for frames of the new size
        self.update()

    # ------------------------------------------------------------------------------------------ mouse, drag and drop
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() is Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None or self.stream is None:
            return
        if (event.position().toPoint() - self._press).manhattanLength() < QApplication.startDragDistance():
            return
        self._press = None
        drag = QDrag(self)
        drag.setMimeData(self.tile_mime())
        drag.exec(Qt.DropAction.MoveAction)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._press = None
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.maximize_toggled.emit(self.index)

    def tile_mime(self) -> QMimeData:
        mime = QMimeData()
        mime.setData(TILE_MIME, str(self.index).encode())
        return mime

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(STREAM_MIME) or event.mimeData().hasFormat(TILE_MIME):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        self.accept_mime(event.mimeData())
        event.acceptProposedAction()

    def accept_mime(self, mime: QMimeData) -> bool:
        """Apply a drop (also what tests call: offscreen Qt cannot run a real drag loop)."""
        if mime.hasFormat(STREAM_MIME):
            self.stream_dropped.emit(self.index, bytes(mime.data(STREAM_MIME).data()).decode())
            return True
        if mime.hasFormat(TILE_MIME):
            source = int(bytes(mime.data(TILE_MIME).data()).decode())
            if source != self.index:
                self.tile_dropped.emit(source, self.index)
            return True
        return False


def fit_message(text: str, width: float, height: float) -> tuple[QFont, list[str]]:
    """The font and lines a tile's status message is drawn in, fitted into ``width`` x ``height``.

    Big type while the reason is short; wrapped, and then smaller (not below ``MIN_FIT_PX``) rather than cut,
    when it is long, since "error: ..." is only useful whole. Past the floor the last line ends with an
    ellipsis, so a cut reason never reads as a whole one (the tile's tooltip holds the full text)."""
    font = overlay_font(height, scale=1.4)
    lines = wrap_text(text, font, width)
    if len(lines) > 2:
        font = overlay_font(height, scale=1.0)
        lines = wrap_text(text, font, width)

    def room() -> int:
        return max(1, int((height - 8) // font_metrics(font).height()))

    while len(lines) > room() and font.pixelSize() > MIN_FIT_PX:
        font = QFont(font)
        font.setPixelSize(font.pixelSize() - 1)
        lines = wrap_text(text, font, width)
    if len(lines) > room():
        keep = room()
        lines = [*lines[: keep - 1], _elided(" ".join(lines[keep - 1 :]), font, width)]
    return font, lines


MIN_BAND_PX = 11


def session_band_text(name: str, state: str, font: QFont, width: float) -> tuple[QFont, str]:
    """The font and text of a tile's session band within ``width``: ``name: STATE``, the name elided first
    (the state matters more), then dropped, then the type made smaller until the state reads whole."""
    if not state:
        return font, _elided(name, font, width) if text_width(name, font) > width else name
    font = QFont(font)
    suffix = f": {state}"
    while text_width(state, font) > width and font.pixelSize() > MIN_BAND_PX:
        font.setPixelSize(font.pixelSize() - 1)
    whole = f"{name}{suffix}"
    smaller = QFont(font)
    for _ in range(3):  # a pixel or two smaller keeps the whole name, on small tiles mostly
        if text_width(whole, smaller) <= width:
            return smaller, whole
        if smaller.pixelSize() <= MIN_BAND_PX:
            break
        smaller.setPixelSize(smaller.pixelSize() - 1)
    room = width - text_width(suffix, font)
    if room >= text_width("ab…", font):
        metrics = font_metrics(font)
        short = metrics.elidedText(name, Qt.TextElideMode.ElideRight, room)
        while short and text_width(short + suffix, font) > width:
            room -= 2
            short = metrics.elidedText(name, Qt.TextElideMode.ElideRight, room)
        if short and short != "…":
            return font, f"{short}{suffix}"
    return font, state


def _elided(text: str, font: QFont, width: float) -> str:
    """``text`` cut to ``width`` as ``draw_text`` measures it, ending with an ellipsis."""
    metrics = font_metrics(font)
    room = width
    line = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
    while text_width(line, font) > width and room > 0:
        room -= metrics.averageCharWidth()
        line = metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
    return line


def wrap_text(text: str, font: QFont, width: float) -> list[str]:
    """Greedy word wrap to ``width``; a word longer than the width (a URL, mostly) is broken across lines
    rather than elided, since the part left out would be the part that is wrong."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
            continue
        while text_width(word, font) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and text_width(word[:cut], font) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    return lines or [""]


def whole_divisor_size(native: tuple[int, int], width: int, height: int) -> tuple[int, int] | None:
    """The largest (native width / k, native height / k) for a whole k dividing both, with even sides, that
    fits in ``width`` x ``height``; None if there is none (k = 1 counts: a tile as big as the source)."""
    nw, nh = native
    for k in range(1, min(nw, nh) + 1):
        if nw % k or nh % k:
            continue
        w, h = nw // k, nh // k
        if w <= width and h <= height and w % 2 == 0 and h % 2 == 0:
            return w, h
    return None


_ICONS: dict[str, QIcon] = {}


def _button_icon(kind: str) -> QIcon:
    """A drawn icon (no font or theme needed): a red dot to record, a square to stop, a camera to snap."""
    icon = _ICONS.get(kind)
    if icon is not None:
        return icon
    pixmap = QPixmap(32, 32)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(QColor("white"), 2))
        if kind == "rec":
            painter.setBrush(QColor("#e00000"))
            painter.drawEllipse(QRectF(5, 5, 22, 22))
        elif kind == "stop":
            painter.setBrush(QColor("white"))
            painter.drawRect(QRectF(7, 7, 18, 18))
        else:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(3, 9, 26, 18), 3, 3)
            painter.drawRect(QRectF(11, 5, 10, 4))
            painter.drawEllipse(QRectF(11, 12, 11, 11))
    finally:
        painter.end()
    icon = QIcon(pixmap)
    _ICONS[kind] = icon
    return icon
