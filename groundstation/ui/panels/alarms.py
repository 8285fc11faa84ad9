"""Where alarms are shown: a banner over the video that cannot be missed, and a dock listing them all.

The banner takes the full width above the tiles, in the alarm's colour, with the newest unacknowledged
alarm in large bold type and a button that says what Space does. It disappears once everything is
acknowledged; the dock keeps listing alarms whose condition still holds.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from groundstation.services.alarms import Alarm, AlarmSeverity
from groundstation.ui.alarms import AlarmMonitor
from groundstation.ui.panels.state_chip import chip_text_color
from groundstation.ui.plain_text import tooltip
from groundstation.ui.theme import Theme

ALARM_ID_ROLE = Qt.ItemDataRole.UserRole + 1


BANNER_LINES = 2
NAME_SHARE = 0.5  # of a line: how much of the banner a long name may take from the alarm's reason


def alarm_color(theme: Theme, alarm: Alarm) -> QColor:
    return QColor(theme.bad if alarm.severity is AlarmSeverity.CRITICAL else theme.warn)


class AlarmBanner(QFrame):
    def __init__(self, monitor: AlarmMonitor, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.monitor = monitor
        self.theme = theme
        self.setAccessibleName("Newest alarm")
        self.setAutoFillBackground(True)
        self.label = QLabel(self)
        self.label.setAccessibleName("Alarm text")
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # names and reasons are shown as written, never as HTML
        font = QFont(self.font())
        font.setPointSize(round(font.pointSize() * 1.4))
        font.setBold(True)
        self.label.setFont(font)
        # A long alarm must never widen the window past the screen, nor push the video down: it wraps onto
        # at most BANNER_LINES lines, the last one elided; the tooltip and the alarm dock hold the whole text.
        self.label.setWordWrap(True)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self.label.setMinimumWidth(0)
        self.full_text = ""
        self._alarm: Alarm | None = None
        self.label.installEventFilter(self)
        self.more = QLabel(self)
        self.more.setAccessibleName("More alarms")
        self.ack_button = QPushButton("Acknowledge (Space)", self)
        self.ack_button.setAccessibleName("Acknowledge the newest alarm")
        self.ack_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.ack_button.clicked.connect(monitor.acknowledge_newest)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 10, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.more)
        row.addWidget(self.ack_button)
        monitor.changed.connect(self.refresh)
        self.refresh()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.refresh()

    def refresh(self) -> None:
        newest = self.monitor.book.newest_unacknowledged()
        self.setVisible(newest is not None)
        if newest is None:
            return
        color = alarm_color(self.theme, newest)
        text_color = chip_text_color(color).name()
        self.setStyleSheet(
            f"AlarmBanner {{ background: {color.name()}; border: 3px solid {text_color}; }}"
            f" QLabel {{ color: {text_color}; }}"
        )
        self.full_text = f"{newest.severity.value.upper()}  {newest.text()}"
        self._alarm = newest
        self.label.setToolTip(tooltip(self.full_text))
        self.label.setAccessibleDescription(self.full_text)  # a screen reader reads it whole, unwrapped
        self._fit_text()
        others = self.monitor.book.unacknowledged() - 1
        self.more.setText(f"+{others} more" if others > 0 else "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.label and event.type() == QEvent.Type.Resize:
            self._fit_text()
        return super().eventFilter(watched, event)

    def _fit_text(self) -> None:
        width = self.label.width() if self.label.width() > 50 else max(200, self.width() - 300)
        metrics = QFontMetricsF(self.label.font())
        alarm = self._alarm
        text = self.full_text
        if alarm is not None:
            # The name gives way to the reason: at most about half a line of it, elided.
            name = metrics.elidedText(alarm.subject_name, Qt.TextElideMode.ElideRight, width * NAME_SHARE)
            state = "" if alarm.active else " (cleared)"
            text = f"{alarm.severity.value.upper()}  {name}: {alarm.message}{state}"
        shown = lines_within(text, metrics, width, BANNER_LINES)
        if shown != self.label.text():
            self.label.setText(shown)


def lines_within(text: str, metrics: QFontMetricsF, width: float, lines: int) -> str:
    """``text`` word-wrapped to ``width``, kept to ``lines`` lines, the last elided if anything was left."""
    words: list[str] = []
    for word in text.split():
        while metrics.horizontalAdvance(word) > width and len(word) > 1:  # a long URL: broken, never lost
            cut = len(word) - 1
            while cut > 1 and metrics.horizontalAdvance(word[:cut]) > width:
                cut -= 1
            words.append(word[:cut])
            word = word[cut:]
        words.append(word)
    out: list[str] = []
    while words and len(out) < lines:
        line = words.pop(0)
        while words and metrics.horizontalAdvance(f"{line} {words[0]}") <= width:
            line = f"{line} {words.pop(0)}"
        out.append(line)
    if words:
        out[-1] = metrics.elidedText(f"{out[-1]} {' '.join(words)}", Qt.TextElideMode.ElideRight, width)
    return "\n".join(out)


class AlarmPanel(QWidget):
    """Every listed alarm, newest first: colour by severity, bold until acknowledged."""

    def __init__(self, monitor: AlarmMonitor, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.monitor = monitor
        self.theme = theme
        self.list = QListWidget(self)
        self.list.setAccessibleName("Alarms")
        self.list.setWordWrap(True)
        self.ack_button = QPushButton("&Acknowledge", self)
        self.ack_button.setAccessibleName("Acknowledge the selected alarm")
        self.ack_all_button = QPushButton("Acknowledge a&ll", self)
        self.ack_all_button.setAccessibleName("Acknowledge all alarms")
        self.ack_button.clicked.connect(self._acknowledge_selected)
        self.ack_all_button.clicked.connect(monitor.acknowledge_all)
        buttons = QHBoxLayout()
        buttons.addWidget(self.ack_button)
        buttons.addWidget(self.ack_all_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(self.list)
        monitor.changed.connect(self.refresh)
        self.refresh()

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.refresh()

    def refresh(self) -> None:
        alarms = self.monitor.book.visible()
        self.list.clear()
        for alarm in alarms:
            state = "" if alarm.acknowledged else "  [not acknowledged]"
            item = QListWidgetItem(f"{alarm.raised_at.astimezone():%H:%M:%S}  {alarm.text()}{state}")
            item.setForeground(alarm_color(self.theme, alarm))
            font = QFont(self.list.font())
            font.setBold(not alarm.acknowledged)
            item.setFont(font)
            item.setData(ALARM_ID_ROLE, alarm.id)
            self.list.addItem(item)
        self.ack_all_button.setEnabled(self.monitor.book.unacknowledged() > 0)

    def _acknowledge_selected(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.monitor.acknowledge(int(item.data(ALARM_ID_ROLE)))
        else:
            self.monitor.acknowledge_newest()
