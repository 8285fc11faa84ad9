"""The audit viewer: who did what, when, and whether it worked, filtered by time, actor and action.

A non-modal dialog; each query runs as a task (``audit.list`` reads in the store's thread) and the table is
filled when it returns, newest first, at most ``LIMIT`` rows.

The API's access records (one ``api.request`` per HTTP request, ``api.ws`` per WebSocket message) would bury
everything else, so they are hidden unless "Show API access records" is ticked or the action filter names one
of them; the hiding happens in the query, not after a day of them was loaded.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from groundstation.domain.models import AuditEntry, Outcome
from groundstation.services.access_log import HTTP_ACTION, WS_ACTION
from groundstation.ui.plain_text import make_plain
from groundstation.ui.services import ProfileServicesView
from groundstation.ui.tasks import TaskRunner, describe_error
from groundstation.ui.theme import Theme

LIMIT = 2000
PERIODS: dict[str, timedelta | None] = {
    "last 15 minutes": timedelta(minutes=15),
    "last hour": timedelta(hours=1),
    "last 24 hours": timedelta(days=1),
    "last 7 days": timedelta(days=7),
    "all time": None,
}
ACTORS = ("", "operator", "system")
ACTIONS = (
    "",
    "command.send",
    "session.start",
    "session.stop",
    "session.resume",
    "session.link_lost",
    "session.fail",
    "stream.create",
    "stream.update",
    "stream.delete",
    "stream.state",
    "stream.snapshot",
    "recording.start",
    "recording.stop",
    "settings.set",
    "retention.prune",
    "api.request",
    "api.ws",
    "api.access_dropped",
)
# Hidden unless asked for; ``api.access_dropped`` (records lost to overload) stays visible: it is a failure.
API_READS = (HTTP_ACTION, WS_ACTION)
COLUMNS = ("Time", "Actor", "Action", "Target", "Outcome", "Detail")


class AuditViewer(QDialog):
    def __init__(
        self, services: ProfileServicesView, runner: TaskRunner, theme: Theme, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.theme = theme
        self.setWindowTitle(f"Audit log: {services.name}")
        self.setAccessibleName("Audit log")
        self.resize(980, 520)
        self.period = self._combo(list(PERIODS), "Time period", editable=False)
        self.period.setCurrentText("last 24 hours")
        self.actor = self._combo(list(ACTORS), "Actor (empty for all)")
        self.action = self._combo(list(ACTIONS), "Action (empty for all)")
        self.show_api = QCheckBox("Show API access records", self)
        self.show_api.setAccessibleName("Show API access records")
        self.show_api.setToolTip("api.request and api.ws entries: one per request a token made to the HTTP API")
        self.show_api.toggled.connect(self.reload)
        self.apply_button = QPushButton("&Apply", self)
        self.apply_button.setAccessibleName("Apply the filters")
        self.apply_button.setDefault(True)
        self.apply_button.clicked.connect(self.reload)
        self.status = QLabel("", self)
        make_plain(self.status)
        self.status.setAccessibleName("Audit query status")
        filters = QHBoxLayout()
        for text, widget in (("Time", self.period), ("Actor", self.actor), ("Action", self.action)):
            filters.addWidget(QLabel(text, self))
            filters.addWidget(widget, 1)
        filters.addWidget(self.show_api)
        filters.addWidget(self.apply_button)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setAccessibleName("Audit entries")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self.entries: list[AuditEntry] = []
        self.loading = False

    def _combo(self, items: list[str], name: str, *, editable: bool = True) -> QComboBox:
        box = QComboBox(self)
        box.setEditable(editable)
        box.addItems(items)
        box.setAccessibleName(name)
        return box

    def filters(self) -> dict[str, object]:
        span = PERIODS.get(self.period.currentText())
        since = datetime.now(UTC) - span if span is not None else None
        action = self.action.currentText().strip() or None
        # An action filter naming an access record asks for them, ticked or not.
        hide = not self.show_api.isChecked() and action not in API_READS
        return {
            "since": since,
            "actor": self.actor.currentText().strip() or None,
            "action": action,
            "exclude_actions": API_READS if hide else (),
        }

    def reload(self) -> None:
        f = self.filters()
        self.loading = True
        self.apply_button.setEnabled(False)
        self.status.setText("loading…")
        audit = self.services.audit
        query = audit.list(
            since=f["since"],  # type: ignore[arg-type]
            actor=f["actor"],  # type: ignore[arg-type]
            action=f["action"],  # type: ignore[arg-type]
            exclude_actions=f["exclude_actions"],  # type: ignore[arg-type]
        )
        self.runner.run(query, on_done=self._show, on_error=self._failed)

    def _show(self, entries: list[AuditEntry]) -> None:
        self.loading = False
        self.apply_button.setEnabled(True)
        newest = list(reversed(entries))[:LIMIT]
        self.entries = newest
        self.table.setRowCount(len(newest))
        for row, entry in enumerate(newest):
            values = (
                f"{entry.at.astimezone():%Y-%m-%d %H:%M:%S}",
                entry.actor,
                entry.action,
                entry.target_id or "",
                entry.outcome.value,
                json.dumps(entry.detail, default=str)[:300],
            )
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if entry.outcome is Outcome.FAILURE and column == COLUMNS.index("Outcome"):
                    item.setForeground(QColor(self.theme.bad))
                self.table.setItem(row, column, item)
        more = f" (showing the newest {LIMIT})" if len(entries) > LIMIT else ""
        self.status.setText(f"{len(entries)} entries{more}")

    def _failed(self, exc: Exception) -> None:
        self.loading = False
        self.apply_button.setEnabled(True)
        self.status.setText(f"could not read the audit log: {describe_error(exc)}")
