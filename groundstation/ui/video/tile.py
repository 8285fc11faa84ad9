"""One video tile: its stream's newest frame, a status line instead of a stale picture, the QoS badge and the
telemetry overlay, all painted in one ``paintEvent``. Tiles are drag sources (to swap) and drop targets (a
stream from the stream list, or another tile); a double-click asks the grid to maximize or restore it.
Two small buttons in the header record the stream and take a snapshot; the tile only asks (signals), the
window calls the recording service.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPoint, QPointF, QRectF, Qt, Signal, SignalInstance
from PySide6.QtGui import (
    QColor,
    QDrag,
    QDragEnterEvent,
    QDropEvent,
    QFontMetricsF,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QApplication, QSizePolicy, QToolButton, QWidget

from groundstation.domain.models import DeviceSession, SessionState, VideoStream
from groundstation.services.video_pipeline import VideoPipeline
from groundstation.ui.theme import DARK, Theme
from groundstation.ui.video.frames import FrameSlot
from groundstation.ui.video.outlined_text import draw_text
from groundstation.ui.video.overlay_model import OverlayModel, overlay_model
from groundstation.ui.video.overlay_painter import overlay_font, paint_overlay
from groundstation.ui.video.stream_messages import Level, TileMessage, qos_badge, tile_message

STREAM_MIME = "application/x-groundstation-stream"
_CENTRE = Qt.AlignmentFlag.AlignHCenter
TILE_MIME = "application/x-groundstation-tile"


class VideoTile(QWidget):
    stream_dropped = Signal(int, str)  # tile index, stream id
    tile_dropped = Signal(int, int)  # from tile, onto tile
    maximize_toggled = Signal(int)
    record_toggled = Signal(int)
    snapshot_requested = Signal(int)

    def __init__(self, index: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = index
        self.slot = FrameSlot()
        self.stream: VideoStream | None = None
        self.session: DeviceSession | None = None
        self.overlay = overlay_model(None, None)
        self.message: TileMessage | None = tile_message(None, None, has_frame=False, video_running=True)
        self.badge = ""
        self.compact = False
        self.theme: Theme = DARK
        self._press: QPoint | None = None
        self.setAcceptDrops(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(120, 90)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.recording = False
        self._buttons_width = 0.0
        self.record_button = self._tool_button("REC", "Record this stream", self.record_toggled)
        self.snapshot_button = self._tool_button("SNAP", "Take a snapshot of this stream", self.snapshot_requested)
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
        button.clicked.connect(lambda _=False: signal.emit(self.index))
        button.hide()
        return button

    def set_recording(self, recording: bool) -> None:
        if recording != self.recording:
            self.recording = recording
            self._style_buttons()
            self.update()

    def _style_buttons(self) -> None:
        rec = "background: #d00000; color: white;" if self.recording else "color: white;"
        base = "QToolButton { font-weight: bold; border: 1px solid #c0c0c0; border-radius: 3px; padding: 0 4px; "
        self.record_button.setText("STOP REC" if self.recording else "REC")
        self.record_button.setToolTip("Stop recording" if self.recording else "Record this stream")
        self.record_button.setStyleSheet(base + rec + " }")
        self.snapshot_button.setStyleSheet(base + "color: white; }")

    def _place_buttons(self) -> float:
        """Put the buttons at the header's right end; returns the width they take."""
        if self.stream is None:
            self.record_button.hide()
            self.snapshot_button.hide()
            self._buttons_width = 0.0
            return 0.0
        height = int(QFontMetricsF(overlay_font(self.height(), scale=0.8)).height() + 4)
        right = self.width() - 4
        for button in (self.snapshot_button, self.record_button):
            width = button.sizeHint().width()
            button.setGeometry(right - width, 2, width, height)
            right -= width + 4
            button.show()
        self._buttons_width = float(self.width() - right)
        return self._buttons_width

    # ------------------------------------------------------------------------------------------ state
    def show_stream(self, stream: VideoStream | None) -> None:
        if stream is None or self.stream is None or stream.id != self.stream.id:
            self.recording = False
        self.stream = stream
        self.slot.attach(stream.id if stream is not None else None)
        self._style_buttons()
        self._place_buttons()
        self._describe()
        self.update()

    def refresh(self, video: VideoPipeline | None) -> None:
        """Poll the newest frame and status; repaint only if something visible changed."""
        new_frame = self.slot.poll(video)
        self._request_output_size(video)
        message = tile_message(
            self.stream,
            self.slot.status,
            has_frame=self.slot.image is not None,
            video_running=video is not None,
        )
        badge = qos_badge(self.slot.status, self.slot.displayed.rate()) if self.stream is not None else ""
        if new_frame or message != self.message or badge != self.badge:
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

    def _picture_rect(self) -> QRectF:
        """Where the picture goes: the source's aspect ratio fitted into the tile."""
        area = QRectF(self.rect())
        native = self.slot.native_size()
        if native is None or native[1] == 0:
            return area
        aspect = native[0] / native[1]
        width, height = area.width(), area.width() / aspect
        if height > area.height():
            height, width = area.height(), area.height() * aspect
        return QRectF(
            area.left() + (area.width() - width) / 2, area.top() + (area.height() - height) / 2, width, height
        )

    def _request_output_size(self, video: VideoPipeline | None) -> None:
        if self.slot.native_size() is None or not self.isVisible():
            return
        rect = self._picture_rect()
        self.slot.request_size(video, max(2, int(rect.width()) // 2 * 2), max(2, int(rect.height()) // 2 * 2))

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
            if int(target.width()) == image.width() and int(target.height()) == image.height():
                painter.drawImage(target.topLeft(), image)
            else:
                # The worker has not caught up with a resize yet: scale cheaply until it does.
                painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
                painter.drawImage(target, image)
        header = self._paint_header(painter)
        body = QRectF(self.rect()).adjusted(0, header, 0, 0)
        if self.message is not None and self.stream is not None:
            self._paint_message(painter, body, self.message)
        elif self.message is not None:
            self._paint_message(painter, body, self.message, muted=True)
        if self.session is not None:
            body = self._paint_session_banner(painter, body)
            paint_overlay(painter, body, self.overlay, theme, compact=self.compact or self.message is not None)
        border = QColor(theme.tile_focus if self.hasFocus() else theme.tile_border)
        painter.setPen(QPen(border, 2 if self.hasFocus() else 1))
        painter.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -1, -1))

    def _paint_header(self, painter: QPainter) -> float:
        """Stream name on the left, QoS badge on the right, on a translucent strip; returns its height."""
        if self.stream is None:
            return 0.0
        font = overlay_font(self.height(), scale=0.8)
        metrics = QFontMetricsF(font)
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
        """The status line, big and centred, wrapped (never cut) so a whole error reason can be read."""
        colors = {Level.INFO: self.theme.overlay_text, Level.WARN: self.theme.tile_warn, Level.BAD: self.theme.tile_bad}
        color = QColor(self.theme.tile_muted if muted else colors[message.level])
        outline = QColor(self.theme.overlay_outline)
        font = overlay_font(body.height(), scale=1.4)
        lines = wrap_text(message.text, QFontMetricsF(font), body.width() - 24)
        if len(lines) > 2:
            font = overlay_font(body.height(), scale=1.0)
            lines = wrap_text(message.text, QFontMetricsF(font), body.width() - 24)[:4]
        metrics = QFontMetricsF(font)
        top = body.center().y() - metrics.height() * (len(lines) / 2 + 0.7)
        for index, line in enumerate(lines):
            baseline = top + metrics.ascent() + index * metrics.height()
            draw_text(painter, QPointF(body.center().x(), baseline), line, font, color, outline, align=_CENTRE)

    def _paint_session_banner(self, painter: QPainter, body: QRectF) -> QRectF:
        """A coloured band naming the session and, unless it flies normally, its state in capitals."""
        session = self.session
        assert session is not None
        font = overlay_font(self.height(), scale=0.8)
        metrics = QFontMetricsF(font)
        height = metrics.height() + 6
        color = self.theme.session_color(session.state)
        label = session.name
        if session.state is not SessionState.ACTIVE:
            label = f"{session.name}: {session.state.value.replace('_', ' ').upper()}"
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


def wrap_text(text: str, metrics: QFontMetricsF, width: float) -> list[str]:
    """Greedy word wrap to ``width``; a word longer than the width is elided on its own line."""
    lines: list[str] = []
    for word in text.split():
        if lines and metrics.horizontalAdvance(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(metrics.elidedText(word, Qt.TextElideMode.ElideMiddle, width))
    return lines or [""]
