"""Paints a session's state as a coloured chip in the session table: the colour is read before the word."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from groundstation.domain.models import SessionState
from groundstation.ui.panels.session_model import STATE_ROLE
from groundstation.ui.theme import Theme


def chip_text_color(background: QColor) -> QColor:
    """Black on light chips, white on dark ones (by perceived luminance)."""
    luminance = 0.299 * background.red() + 0.587 * background.green() + 0.114 * background.blue()
    return QColor("#000000") if luminance > 140 else QColor("#ffffff")


class StateChipDelegate(QStyledItemDelegate):
    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        value = index.data(STATE_ROLE)  # a StrEnum comes back from Qt as a plain str
        try:
            state = SessionState(value)
        except ValueError:
            super().paint(painter, option, index)
            return
        painter.save()
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, option.palette.highlight())
        color = self.theme.session_color(state)
        text = state.value.replace("_", " ").upper()
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        metrics = QFontMetrics(font)
        rect = option.rect
        height = metrics.height() + 6
        chip = QRectF(rect.left() + 4, rect.center().y() - height / 2, metrics.horizontalAdvance(text) + 16, height)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawRoundedRect(chip, chip.height() / 2, chip.height() / 2)
        painter.setPen(chip_text_color(color))
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        base = super().sizeHint(option, index)
        font = option.font
        font.setBold(True)
        width = QFontMetrics(font).horizontalAdvance("LINK LOST") + 24
        return QSize(max(base.width(), width), base.height())
