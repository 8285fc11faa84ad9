"""The mission table: one row per item, latitude/longitude/altitude editable for positioned items.

The rows are the source of truth for what "Upload" sends: an edit replaces the item, adding or deleting a row
renumbers the items (the vehicle stores them by position), and every cell changed since the last download or
upload stays highlighted until the vehicle has the mission. The current item (the vehicle's, or as last set)
is drawn bold.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from groundstation.domain.missions import HomePosition, Mission, MissionItem
from groundstation.ui.theme import Theme
from groundstation.ui.vehicle_setup.mission_names import WAYPOINT, command_name, frame_name

COLUMNS = ("Seq", "Command", "Frame", "Lat", "Lon", "Alt (m)", "P1", "P2", "P3", "P4")
SEQ, COMMAND, FRAME, LAT, LON, ALT, P1, P2, P3, P4 = range(len(COLUMNS))
POSITION_COLUMNS = (LAT, LON, ALT)
_LIMITS = {LAT: (-90.0, 90.0), LON: (-180.0, 180.0), ALT: (-1000.0, 100_000.0)}
NEW_WAYPOINT_STEP_DEG = 0.0005  # about 55 m north of the row before: a new waypoint is visibly somewhere new


def cell_text(item: MissionItem, column: int) -> str:
    if column == SEQ:
        return str(item.seq)
    if column == COMMAND:
        return command_name(item.command)
    if column == FRAME:
        return frame_name(item.frame)
    if column in (LAT, LON):
        if item.is_global and item.x == 0 and item.y == 0:
            return ""  # no position of its own: ArduPilot's "where the vehicle is" (a takeoff, a return)
        value = item.x if column == LAT else item.y
        return f"{value:.7f}" if item.is_global else f"{value:g}"
    if column == ALT:
        return f"{item.z:.1f}"
    return f"{(item.param1, item.param2, item.param3, item.param4)[column - P1]:g}"


def parse_cell(column: int, text: str) -> float:
    """The number typed into a position cell; ValueError in words when it is not one or out of range."""
    name = COLUMNS[column]
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError(f"{name}: {text.strip()!r} is not a number") from None
    low, high = _LIMITS[column]
    if not low <= value <= high:
        raise ValueError(f"{name}: {value:g} is outside {low:g}..{high:g}")
    return value


class MissionTable(QTableWidget):
    edited = Signal()
    problem = Signal(str)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.theme = theme
        self.mission_items: list[MissionItem] = []
        self.modified: list[set[int]] = []
        self.current_seq: int | None = None
        self._filling = False
        self.setAccessibleName("Mission items")
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COMMAND, QHeaderView.ResizeMode.Stretch)
        self.itemChanged.connect(self._item_changed)

    # ------------------------------------------------------------------------------------------ content
    def set_items(self, items: list[MissionItem] | tuple[MissionItem, ...], *, unsent: bool = False) -> None:
        """Show ``items``; ``unsent`` marks every position cell as not on the vehicle yet (an imported file)."""
        self.mission_items = [replace(item, seq=seq) for seq, item in enumerate(items)]
        self.modified = [set(POSITION_COLUMNS) if unsent and i.is_global else set() for i in self.mission_items]
        self._fill()

    def mark_sent(self) -> None:
        self.modified = [set() for _ in self.mission_items]
        self._fill()

    @property
    def unsent(self) -> bool:
        return any(self.modified)

    def mission(self, home: HomePosition | None) -> Mission:
        return Mission(tuple(replace(item, seq=seq) for seq, item in enumerate(self.mission_items)), home)

    def selected_rows(self) -> list[int]:
        return sorted({index.row() for index in self.selectionModel().selectedRows()})

    def set_current(self, seq: int | None) -> None:
        self.current_seq = seq
        self._fill()

    def add_waypoint(self, after: int | None, position: tuple[float, float, float] | None) -> int:
        """A WAYPOINT after row ``after`` (at the end for None), a little north of the positioned item before
        it (or at ``position``, the vehicle's, when there is none); returns its row."""
        row = len(self.mission_items) if after is None else after + 1
        before = next((i for i in reversed(self.mission_items[:row]) if i.is_global and (i.x or i.y)), None)
        if before is not None:
            lat, lon, alt = before.x + NEW_WAYPOINT_STEP_DEG, before.y, before.z if before.frame != 0 else 20.0
        elif position is not None:
            lat, lon, alt = position
        else:
            lat, lon, alt = 0.0, 0.0, 20.0
        self.mission_items.insert(row, MissionItem(row, WAYPOINT, frame=3, x=lat, y=lon, z=alt))
        self.modified.insert(row, set(POSITION_COLUMNS))
        self._renumber()
        self.edited.emit()
        return row

    def delete_rows(self, rows: list[int]) -> None:
        for row in sorted(rows, reverse=True):
            if 0 <= row < len(self.mission_items):
                del self.mission_items[row]
                del self.modified[row]
        self._renumber()
        self.edited.emit()

    def positions(self) -> list[tuple[int, float, float]]:
        """(seq, lat, lon) of every item with a position, in order (what the map draws)."""
        return [(i.seq, i.x, i.y) for i in self.mission_items if i.is_global and (i.x or i.y)]

    def _renumber(self) -> None:
        self.mission_items = [replace(item, seq=seq) for seq, item in enumerate(self.mission_items)]
        self._fill()

    # ------------------------------------------------------------------------------------------ cells
    def _fill(self) -> None:
        """Write every cell from ``items``, reusing the cells there are (a cell may be the one whose
        ``itemChanged`` is being handled, so none is deleted here)."""
        self._filling = True
        try:
            self.setRowCount(len(self.mission_items))
            plain, bold = QFont(self.font()), QFont(self.font())
            bold.setBold(True)
            unsent = QColor(self.theme.warn)
            unsent.setAlpha(110)
            for row, item in enumerate(self.mission_items):
                current = item.seq == self.current_seq
                for column in range(len(COLUMNS)):
                    cell = self.item(row, column)
                    if cell is None:
                        cell = QTableWidgetItem()
                        self.setItem(row, column, cell)
                    cell.setText(cell_text(item, column))
                    flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                    if column in POSITION_COLUMNS and item.is_global:
                        flags |= Qt.ItemFlag.ItemIsEditable
                    cell.setFlags(flags)
                    cell.setBackground(unsent if column in self.modified[row] else QBrush())
                    cell.setFont(bold if current else plain)
                    cell.setForeground(QColor(self.theme.highlight) if current else QBrush())
                    if column >= LAT:
                        cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        finally:
            self._filling = False

    def edit_cell(self, row: int, column: int, text: str) -> None:
        """Type ``text`` into a cell, as the operator would."""
        cell = self.item(row, column)
        if cell is not None:
            cell.setText(text)

    def _item_changed(self, cell: QTableWidgetItem) -> None:
        if self._filling:
            return
        row, column = cell.row(), cell.column()
        if column not in POSITION_COLUMNS or not 0 <= row < len(self.mission_items):
            return
        item = self.mission_items[row]
        try:
            value = parse_cell(column, cell.text())
        except ValueError as exc:
            self.problem.emit(str(exc))
            self._fill()  # the item's value comes back
            return
        if column == LAT:
            item = replace(item, x=value)
        elif column == LON:
            item = replace(item, y=value)
        else:
            item = replace(item, z=value)
        self.mission_items[row] = item
        self.modified[row].add(column)
        self._fill()
        self.edited.emit()
