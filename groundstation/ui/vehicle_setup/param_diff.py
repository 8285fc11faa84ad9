"""What a parameter file would change, shown before anything is written: changed values old -> new, names
only in the file ("added": this vehicle has no such parameter, so they are skipped), and names only on the
vehicle ("missing" from the file: left as they are). Loading applies only the changed values, and only after
the operator has seen them; comparing shows the same list with nothing to apply.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from groundstation.domain.parameters import ParamDiff
from groundstation.ui.plain_text import make_plain
from groundstation.ui.theme import Theme
from groundstation.ui.vehicle_setup.param_model import format_value

COLUMNS = ("Name", "Change", "Vehicle", "", "File")


def diff_rows(diff: ParamDiff) -> list[tuple[str, str, str, str]]:
    """(name, kind, vehicle value, file value) for every difference, changed values first, each part by name."""
    rows = [(c.name, "changed", format_value(c.old), format_value(c.new)) for c in diff.changed]
    rows.sort()
    rows += sorted((p.name, "added", "", format_value(p.value)) for p in diff.added)
    rows += sorted((p.name, "missing", format_value(p.value), "") for p in diff.removed)
    return rows


def summary(diff: ParamDiff) -> str:
    if diff.is_empty:
        return "The file holds the vehicle's values: nothing differs."
    return (
        f"{len(diff.changed)} changed, {len(diff.added)} added (in the file only: not on this vehicle, skipped), "
        f"{len(diff.removed)} missing (on the vehicle only: left as they are)."
    )


class ParamDiffDialog(QDialog):
    apply_requested = Signal(object)  # tuple[ParamChange, ...]

    def __init__(
        self, diff: ParamDiff, source: str, theme: Theme, *, applicable: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.diff = diff
        verb = "Load" if applicable else "Compare with"
        self.setWindowTitle(f"{verb} {source}")
        self.setAccessibleName("Parameter file differences")
        self.resize(620, 460)
        self.summary = QLabel(summary(diff), self)
        make_plain(self.summary)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Differences summary")
        rows = diff_rows(diff)
        self.table = QTableWidget(len(rows), len(COLUMNS), self)
        self.table.setAccessibleName("Differences")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        colors = {"changed": theme.warn, "added": theme.muted_text, "missing": theme.muted_text}
        for row, (name, kind, old, new) in enumerate(rows):
            arrow = "→" if kind == "changed" else ""
            for column, text in enumerate((name, kind, old, arrow, new)):
                item = QTableWidgetItem(text)
                if column == 1:
                    item.setForeground(QColor(colors[kind]))
                self.table.setItem(row, column, item)
        buttons = QDialogButtonBox(self)
        self.apply_button: QPushButton | None = None
        if applicable:
            count = len(diff.changed)
            self.apply_button = buttons.addButton(
                f"&Apply {count} change{'s' if count != 1 else ''}", QDialogButtonBox.ButtonRole.AcceptRole
            )
            self.apply_button.setAccessibleName("Apply the changed values to the vehicle")
            self.apply_button.setEnabled(count > 0)
            self.apply_button.clicked.connect(self._apply)
        close = buttons.addButton(
            QDialogButtonBox.StandardButton.Cancel if applicable else QDialogButtonBox.StandardButton.Close
        )
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

    def _apply(self) -> None:
        self.apply_requested.emit(self.diff.changed)
        self.accept()
