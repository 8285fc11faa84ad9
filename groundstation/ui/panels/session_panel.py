"""The session panel (a dock): the fleet as a table with state chips, and start, stop and resume.

Stop and resume are service calls run as tasks; their failures reach the operator through the task runner's
``failed`` signal (the status bar), never as an exception in a slot. Buttons follow the selected session's
state so only what can succeed is offered.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelection, QObject, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from groundstation.domain.models import DeviceSession, SessionState
from groundstation.ui.bridge import FleetBridge
from groundstation.ui.panels.session_model import HEADERS, WIDEST, Column, SessionTableModel
from groundstation.ui.panels.state_chip import StateChipDelegate
from groundstation.ui.tasks import TaskRunner
from groundstation.ui.theme import Theme


class SessionPanel(QWidget):
    new_session_requested = Signal()
    selection_changed = Signal(str)  # session id, "" for none

    def __init__(self, bridge: FleetBridge, runner: TaskRunner, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.runner = runner
        self.model = SessionTableModel(bridge, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Sessions")
        self.table.setItemDelegateForColumn(Column.STATE, StateChipDelegate(theme, self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        # Sizes follow the contents when rows come or go, not on every telemetry tick: measuring every
        # cell 15 times a second would cost the loop more than painting the video does.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        # Widths follow the font the table paints with: measured again when the theme (and its type size)
        # changes, not only when rows come or go.
        self.table.installEventFilter(self)
        self.model.modelReset.connect(self._fit_columns)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._update_buttons)
        self.model.dataChanged.connect(self._update_buttons)

        self.new_button = QPushButton("&New session…", self)
        self.new_button.setAccessibleName("New session")
        self.new_button.setToolTip("Start a session on a FAKE, MAVLINK or DJI connection (Ctrl+N)")
        self.stop_button = QPushButton("S&top", self)
        self.stop_button.setAccessibleName("Stop the selected session")
        self.resume_button = QPushButton("&Resume", self)
        self.resume_button.setAccessibleName("Resume the selected session")
        self.new_button.clicked.connect(self.new_session_requested)
        self.stop_button.clicked.connect(self.stop_selected)
        self.resume_button.clicked.connect(self.resume_selected)

        buttons = QHBoxLayout()
        for button in (self.new_button, self.stop_button, self.resume_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        self._update_buttons()
        self._fit_columns()

    def preferred_width(self) -> int:
        """Wide enough for the fixed columns and a session name with its vehicle, at the theme's font size."""
        columns = sum(self.table.columnWidth(c) for c in Column if c is not Column.NAME)
        return columns + self.table.fontMetrics().horizontalAdvance("quadrotor #12") + 16

    def set_theme(self, theme: Theme) -> None:
        delegate = self.table.itemDelegateForColumn(Column.STATE)
        if isinstance(delegate, StateChipDelegate):
            delegate.theme = theme
        self._fit_columns()
        self.table.viewport().update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.FontChange:
            self._fit_columns()
        return super().eventFilter(watched, event)

    def cell_margin(self) -> int:
        """What the style leaves around a cell's text (both sides) and the grid line."""
        margin = self.table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self.table) + 1
        return 2 * margin + 1

    def _fit_columns(self) -> None:
        """Columns of numbers and modes as wide as their widest text in the font the table paints with (the
        theme's size: sunlight's type is larger), and the header's; the Session column stretches into what is
        left, so it is the one that gives up width (its names elide) when the dock is narrow."""
        font = self.table.font()
        metrics = QFontMetrics(font)
        header = self.table.horizontalHeader()
        header_metrics = QFontMetrics(header.font())
        bold = QFont(font)
        bold.setBold(True)
        self.table.setColumnWidth(Column.STATE, QFontMetrics(bold).horizontalAdvance("LINK LOST") + 28)
        slack = self.cell_margin() + 6
        for column, texts in WIDEST.items():
            widest = max(metrics.horizontalAdvance(text) for text in texts)
            title = header_metrics.horizontalAdvance(HEADERS[column]) + 16  # the header's own padding
            self.table.setColumnWidth(column, max(widest + slack, title))
        header.setSectionResizeMode(Column.NAME, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(metrics.lineSpacing() * 2 + 10)

    def selected(self) -> DeviceSession | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.session_at(rows[0].row()) if rows else None

    def select(self, session_id: str) -> None:
        row = self.model.row_of(session_id)
        if row >= 0:
            self.table.selectRow(row)

    def stop_selected(self) -> None:
        session = self.selected()
        if session is not None:
            self.stop_button.setEnabled(False)
            self.runner.run(self.bridge.services.sessions.stop(session.id))

    def resume_selected(self) -> None:
        session = self.selected()
        if session is not None:
            self.resume_button.setEnabled(False)
            self.runner.run(self.bridge.services.sessions.resume(session.id))

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        session = self.selected()
        self.selection_changed.emit(session.id if session is not None else "")
        self._update_buttons()

    def _update_buttons(self) -> None:
        session = self.selected()
        state = session.state if session is not None else None
        self.stop_button.setEnabled(state is not None and (state.is_live or state is SessionState.INTERRUPTED))
        self.resume_button.setEnabled(state is not None and state.can_become(SessionState.STARTING))
