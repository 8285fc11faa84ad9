"""The session table's model: one row per session, its state, identity and the newest telemetry summary.

Rows follow ``FleetBridge.sessions``; the bridge tells the model at display rate when the fleet or the
telemetry changed, and the model signals ``dataChanged`` for what moved (a reset only when rows come or go,
so the operator's selection survives a telemetry tick).
"""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from groundstation.domain.models import DeviceSession, VehicleIdentity
from groundstation.domain.telemetry import TelemetrySample
from groundstation.ui.bridge import FleetBridge
from groundstation.ui.plain_text import tooltip
from groundstation.ui.video.overlay_model import gps_fix_name

_Index = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    STATE = 0
    NAME = 1
    MODE = 2  # flight mode over armed state: two short lines keep the dock narrow beside the video
    BATTERY = 3
    GPS = 4
    LINK = 5


HEADERS = {
    Column.STATE: "State",
    Column.NAME: "Session",
    Column.MODE: "Mode",
    Column.BATTERY: "Batt",
    Column.GPS: "GPS",
    Column.LINK: "Link",
}

# The widest texts each column shows, so widths are set once (per font) instead of measured on every tick.
# Modes are ArduPilot's names; a name longer than these (a rare one) is elided, numbers never are.
MODE_NAMES = (
    "STABILIZE",
    "ALT_HOLD",
    "POSHOLD",
    "QLOITER",
    "GUIDED",
    "LOITER",
    "ACRO",
)
WIDEST: dict[Column, tuple[str, ...]] = {
    Column.MODE: (*MODE_NAMES, "disarmed", "ARMED"),
    Column.BATTERY: ("100%", "--"),
    Column.GPS: ("RTK FIX", "RTK FLT", "88 sat"),
    Column.LINK: ("100%", "--"),
}

SESSION_ID_ROLE = Qt.ItemDataRole.UserRole + 1
STATE_ROLE = Qt.ItemDataRole.UserRole + 2


def describe_identity(identity: VehicleIdentity) -> str:
    parts = [identity.vehicle_type, identity.autopilot, identity.firmware]
    text = " ".join(p for p in parts if p)
    if identity.system_id is not None:
        text = f"{text} sys {identity.system_id}".strip()
    return text or "not identified yet"


def short_identity(identity: VehicleIdentity) -> str:
    """What fits under the name in the table: vehicle type and system id (the rest is in the tooltip)."""
    parts = [identity.vehicle_type or "", f"#{identity.system_id}" if identity.system_id is not None else ""]
    return " ".join(p for p in parts if p) or "not identified yet"


def telemetry_cell(column: Column, sample: TelemetrySample | None) -> str:
    if sample is None:
        return "--"
    if column is Column.MODE:
        armed = "--" if sample.armed is None else ("ARMED" if sample.armed else "disarmed")
        return f"{sample.mode or '--'}\n{armed}"
    if column is Column.BATTERY:
        return "--" if sample.battery_pct is None else f"{sample.battery_pct:.0f}%"
    if column is Column.GPS:
        sats = f"\n{sample.satellites} sat" if sample.satellites is not None else ""
        return f"{gps_fix_name(sample.gps_fix)}{sats}"
    if column is Column.LINK:
        return "--" if sample.link_quality_pct is None else f"{sample.link_quality_pct:.0f}%"
    return ""


_TEXT_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole)
_TELEMETRY_COLUMNS = (Column.MODE, Column.BATTERY, Column.GPS, Column.LINK)


class SessionTableModel(QAbstractTableModel):
    """The table's rows. Telemetry cells are formatted once per tick into ``_cells`` and only the rows whose
    text changed are announced: the view repaints what it is told changed, and asking it to repaint every
    cell of every row 15 times a second (each cell queried for a dozen roles) cost the loop more than a
    video tile did."""

    def __init__(self, bridge: FleetBridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self._ids: list[str] = list(bridge.sessions)
        self._cells: dict[str, tuple[str, ...]] = {sid: self._format(sid) for sid in self._ids}
        bridge.fleet_changed.connect(self._fleet_changed)
        bridge.telemetry_changed.connect(self._telemetry_changed)

    def session_at(self, row: int) -> DeviceSession | None:
        return self.bridge.session(self._ids[row]) if 0 <= row < len(self._ids) else None

    def row_of(self, session_id: str) -> int:
        return self._ids.index(session_id) if session_id in self._ids else -1

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(Column)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[Column(section)]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        # The view asks each painted cell for a dozen roles; the ones this model does not serve return first.
        if role not in _TEXT_ROLES and role not in (SESSION_ID_ROLE, STATE_ROLE, Qt.ItemDataRole.ToolTipRole):
            return None
        session = self.session_at(index.row()) if index.isValid() else None
        if session is None:
            return None
        column = Column(index.column())
        if role == SESSION_ID_ROLE:
            return session.id
        if role == STATE_ROLE:
            return session.state.value
        if role in _TEXT_ROLES:
            if column is Column.STATE:
                return session.state.value.replace("_", " ")
            if column is Column.NAME:
                return f"{session.name}\n{short_identity(session.identity)}"
            cells = self._cells.get(session.id)
            return cells[_TELEMETRY_COLUMNS.index(column)] if cells is not None else "--"
        lines = [
            f"{session.name} ({session.adapter.value}, {session.connection.url})",
            f"vehicle: {describe_identity(session.identity)}",
            f"state: {session.state.value}",
        ]
        if session.last_error:
            lines.append(f"last error: {session.last_error}")
        return tooltip("\n".join(lines))

    def _format(self, session_id: str) -> tuple[str, ...]:
        session = self.bridge.session(session_id)
        sample = self.bridge.telemetry(session_id) if session is not None and session.state.is_live else None
        return tuple(telemetry_cell(column, sample) for column in _TELEMETRY_COLUMNS)

    def _fleet_changed(self) -> None:
        ids = list(self.bridge.sessions)
        self._cells = {sid: self._format(sid) for sid in ids}
        if ids != self._ids:
            self.beginResetModel()
            self._ids = ids
            self.endResetModel()
        elif ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(ids) - 1, len(Column) - 1))

    def _telemetry_changed(self) -> None:
        """Announce the rows whose telemetry text changed, as runs of consecutive rows."""
        changed: list[int] = []
        for row, sid in enumerate(self._ids):
            cells = self._format(sid)
            if cells != self._cells.get(sid):
                self._cells[sid] = cells
                changed.append(row)
        first_column, last_column = _TELEMETRY_COLUMNS[0], _TELEMETRY_COLUMNS[-1]
        start = 0
        while start < len(changed):
            end = start
            while end + 1 < len(changed) and changed[end + 1] == changed[end] + 1:
                end += 1
            self.dataChanged.emit(self.index(changed[start], first_column), self.index(changed[end], last_column))
            start = end + 1
