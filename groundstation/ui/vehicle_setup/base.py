"""What the Parameters and Mission dialogs share: one running session, a transfer bar, a status line.

Both reach a vehicle through a service whose calls may run for seconds, so both keep the same small state
(busy while a transfer runs; ``unsupported`` once the link said it has nothing to configure, so the buttons
stop offering it) and say what happened in the same status line, refusals in the theme's "bad" colour.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QWidget,
)

from groundstation.domain.errors import UnsupportedError
from groundstation.ui.bridge import FleetBridge
from groundstation.ui.plain_text import make_plain
from groundstation.ui.tasks import TaskRunner, describe_error
from groundstation.ui.theme import Theme
from groundstation.ui.vehicle_setup.files import FileChooser
from groundstation.ui.vehicle_setup.progress import TransferBar


class VehicleSetupDialog(QDialog):
    bar: TransferBar  # made by each dialog, with its own noun ("parameters", "items")
    noun = "settings"  # what the dialog reaches on the vehicle, for "start it to reach its ..."

    def __init__(
        self,
        session_id: str,
        bridge: FleetBridge,
        runner: TaskRunner,
        theme: Theme,
        files: FileChooser,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session_id = session_id
        self.bridge = bridge
        self.runner = runner
        self.theme = theme
        self.files = files
        self.busy = False
        self.unsupported = False
        self.vehicle_buttons: list[QPushButton] = []  # usable only while the session runs and nothing transfers
        session = bridge.session(session_id)
        self.session_name = session.name if session is not None else session_id
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        make_plain(self.status)  # the vehicle's and the services' words, as written
        self.close_button = QPushButton("Close", self)
        self.close_button.setAccessibleName("Close this window")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)

    def _status_row(self) -> QHBoxLayout:
        """The status line with the Close button beside it (the one control left when nothing applies)."""
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(self.close_button)
        return row

    def _button(self, text: str, name: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        button.setAccessibleName(name)
        button.setToolTip(name)
        button.clicked.connect(slot)
        return button

    @property
    def live(self) -> bool:
        session = self.bridge.session(self.session_id)
        return session is not None and session.state.is_live

    def _update_buttons(self) -> None:
        """Enable what the session's state allows: ``vehicle_buttons`` need a running session and no transfer
        under way; ``_update_local_buttons`` decides the rest (those that work on the table or a file)."""
        if self.unsupported:
            self._only_close()
            return
        usable = self.live and not self.busy
        for button in self.vehicle_buttons:
            button.setEnabled(usable)
        self._update_local_buttons(usable)
        if not self.live and not self.busy:
            self.say(f"{self.session_name} is not running: start or resume it to reach its {self.noun}", bad=True)

    def _update_local_buttons(self, vehicle_usable: bool) -> None:
        """Buttons that depend on more than the session (a selection, a table with rows); none by default."""

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._update_buttons()

    def say(self, text: str, *, bad: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {self.theme.bad}; font-weight: bold;" if bad else "")

    def _only_close(self) -> None:
        """The link has nothing to configure (a FAKE vehicle): every control but Close is switched off."""
        for widget in self.findChildren(QWidget):
            if widget is not self.close_button and isinstance(
                widget, QPushButton | QToolButton | QLineEdit | QAbstractItemView
            ):
                widget.setEnabled(False)

    def _failed(self, what: str, exc: Exception) -> None:
        if isinstance(exc, UnsupportedError):
            # Not a failure of this vehicle: said plainly, in the normal colour, and only Close is left.
            self.unsupported = True
            self.busy = False
            self.bar.idle("not available for this vehicle")
            self.say(describe_error(exc))
            self._only_close()
            return
        self._set_busy(False)
        self.bar.idle(f"{what} failed")
        self.say(f"{what} failed: {describe_error(exc)}", bad=True)
