"""The parameter table's model: the vehicle's values sorted by name, edits waiting for the vehicle's answer.

An edited value is shown at once, highlighted, until the vehicle confirms it (then the confirmed value is
shown, which may differ: a float32 rounding) or refuses it (then the old value comes back and the row says
why). The text the operator types is checked against the parameter's type here, so "2.5" for an integer
parameter is answered in the row without a round trip.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from groundstation.domain.parameters import Parameter, ParamSet, ParamType, values_equal
from groundstation.ui.plain_text import tooltip
from groundstation.ui.theme import Theme

COLUMNS = ("Name", "Value", "Type", "Status")
NAME, VALUE, TYPE, STATUS = range(len(COLUMNS))

AnyIndex = QModelIndex | QPersistentModelIndex


class NoteLevel(Enum):
    OK = "ok"
    BUSY = "busy"
    BAD = "bad"


@dataclass(frozen=True, slots=True)
class Note:
    text: str
    level: NoteLevel


def format_value(value: float | int) -> str:
    """Integers as they are; reals to float32's seven digits, so 14.4 reads 14.4 and not 14.3999996."""
    if isinstance(value, int):
        return str(value)
    return f"{value:.7g}"


def parse_value(text: str, param_type: ParamType | None) -> float | int:
    """The value typed for a parameter of ``param_type``; ValueError in words when it cannot be one."""
    cleaned = text.strip()
    try:
        number = float(cleaned)
    except ValueError:
        raise ValueError(f"{cleaned!r} is not a number") from None
    if param_type is not None and param_type.is_integer:
        if not number.is_integer():
            raise ValueError(f"{cleaned} is not a whole number, and the parameter is {param_type.name}")
        return int(number)
    return number


class ParameterModel(QAbstractTableModel):
    edit_requested = Signal(str, object)  # name, value: the operator typed a new value

    def __init__(self, theme: Theme, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.params: list[Parameter] = []
        self._rows: dict[str, int] = {}
        self.pending: dict[str, float | int] = {}
        self.notes: dict[str, Note] = {}

    # ------------------------------------------------------------------------------------------ changes
    def set_params(self, params: ParamSet) -> None:
        self.beginResetModel()
        self.params = sorted(params.values(), key=lambda p: p.name)
        self._rows = {p.name: row for row, p in enumerate(self.params)}
        self.endResetModel()

    def parameter(self, name: str) -> Parameter | None:
        row = self._rows.get(name)
        return None if row is None else self.params[row]

    def mark_pending(self, name: str, value: float | int) -> None:
        self.pending[name] = value
        self.notes[name] = Note("sending…", NoteLevel.BUSY)
        self._changed(name)

    def confirm(self, confirmed: Parameter) -> None:
        row = self._rows.get(confirmed.name)
        if row is not None:
            old = self.params[row]
            self.params[row] = Parameter(old.name, confirmed.value, confirmed.type or old.type, old.index)
        self.pending.pop(confirmed.name, None)
        self.notes[confirmed.name] = Note(f"confirmed {format_value(confirmed.value)}", NoteLevel.OK)
        self._changed(confirmed.name)

    def refuse(self, name: str, reason: str) -> None:
        """The vehicle (or the type check) refused: the value it holds comes back, the row says why."""
        self.pending.pop(name, None)
        self.notes[name] = Note(f"refused: {reason}", NoteLevel.BAD)
        self._changed(name)

    def _changed(self, name: str) -> None:
        row = self._rows.get(name)
        if row is not None:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    # ------------------------------------------------------------------------------------------ Qt model
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.params)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsEditable if index.column() == VALUE else base

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        param = self.params[index.row()]
        column = index.column()
        note = self.notes.get(param.name)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == NAME:
                return param.name
            if column == VALUE:
                return format_value(self.pending.get(param.name, param.value))
            if column == TYPE:
                return param.type.name if param.type is not None else ""
            return note.text if note is not None else ""
        if role == Qt.ItemDataRole.BackgroundRole and column == VALUE and param.name in self.pending:
            color = QColor(self.theme.warn)
            color.setAlpha(110)
            return color
        if role == Qt.ItemDataRole.ForegroundRole and column == STATUS and note is not None:
            return QColor(
                {NoteLevel.OK: self.theme.ok, NoteLevel.BUSY: self.theme.busy}.get(note.level, self.theme.bad)
            )
        if role == Qt.ItemDataRole.ToolTipRole and note is not None:
            return tooltip(note.text)
        return None

    def setData(self, index: AnyIndex, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() != VALUE or not index.isValid():
            return False
        param = self.params[index.row()]
        try:
            number = parse_value(str(value), param.type)
        except ValueError as exc:
            self.refuse(param.name, str(exc))
            return False
        if param.name not in self.pending and values_equal(number, param.value):
            return False  # the same value typed again: nothing to send
        self.mark_pending(param.name, number)
        self.edit_requested.emit(param.name, number)
        return True
