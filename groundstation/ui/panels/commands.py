"""Command buttons for the selected vehicle, a confirmation for the dangerous ones, the answer in words.

Sending is a task on the loop (the slot returns at once); the confirmation is a window-modal box opened with
``open()``, never ``exec()``, so telemetry, video and alarms keep running while it waits for an answer.
The answer names what happened: accepted, refused with the vehicle's own reason, or timed out.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from groundstation.domain.commands import DANGEROUS_COMMANDS, CommandName, CommandOutcome, CommandResult
from groundstation.domain.errors import GroundstationError
from groundstation.ui.plain_text import make_plain
from groundstation.ui.services import ProfileServicesView
from groundstation.ui.tasks import TaskRunner, describe_error
from groundstation.ui.theme import Theme

MODES = ("GUIDED", "AUTO", "LOITER", "RTL", "LAND", "ALT_HOLD", "STABILIZE")
_REFUSED = {CommandOutcome.DENIED, CommandOutcome.UNSUPPORTED, CommandOutcome.TEMPORARILY_REJECTED}


def result_words(command: str, result: CommandResult) -> tuple[str, str]:
    """The line shown under the buttons and its level (ok, warn, bad)."""
    if result.outcome is CommandOutcome.ACCEPTED:
        return f"{command}: accepted — {result.message}", "ok"
    if result.outcome is CommandOutcome.IN_PROGRESS:
        return f"{command}: in progress — {result.message}", "ok"
    if result.outcome is CommandOutcome.NO_ANSWER:
        return f"{command}: timed out — {result.message}", "bad"
    if result.outcome in _REFUSED:
        how = "" if result.outcome is CommandOutcome.DENIED else f" ({result.outcome.value.replace('_', ' ')})"
        return f"{command}: refused{how} — {result.message}", "bad"
    return f"{command}: failed — {result.message}", "bad"


class CommandPanel(QWidget):
    result_received = Signal(str, str, object)  # session id, command, CommandResult

    def __init__(
        self, services: ProfileServicesView, runner: TaskRunner, theme: Theme, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.theme = theme
        self.session_id: str | None = None
        self.session_name = ""
        self.confirmation: QMessageBox | None = None
        self.sent = 0

        self.buttons: dict[CommandName, QPushButton] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for column, (name, text) in enumerate(
            ((CommandName.ARM, "Arm"), (CommandName.DISARM, "Disarm…"), (CommandName.LAND, "Land"))
        ):
            grid.addWidget(self._button(name, text), 0, column)
        grid.addWidget(self._button(CommandName.RTL, "RTL"), 1, 0)
        grid.addWidget(self._button(CommandName.TAKEOFF, "Takeoff…"), 1, 1)
        self.takeoff_alt = self._spin(1, 500, 20, " m", "Takeoff altitude")
        grid.addWidget(self.takeoff_alt, 1, 2)
        self.mode_box = QComboBox(self)
        self.mode_box.setEditable(True)
        self.mode_box.addItems(MODES)
        self.mode_box.setAccessibleName("Flight mode to set")
        grid.addWidget(self._button(CommandName.SET_MODE, "Set mode"), 2, 0)
        grid.addWidget(self.mode_box, 2, 1, 1, 2)
        self.goto_lat = self._spin(-90, 90, 0, "°", "Go-to latitude", decimals=6)
        self.goto_lon = self._spin(-180, 180, 0, "°", "Go-to longitude", decimals=6)
        self.goto_alt = self._spin(2, 500, 30, " m", "Go-to altitude")
        grid.addWidget(self._button(CommandName.GOTO, "Go to…"), 3, 0)
        grid.addWidget(self.goto_lat, 3, 1)
        grid.addWidget(self.goto_lon, 3, 2)
        grid.addWidget(self.goto_alt, 4, 2)
        self.result_label = QLabel("", self)
        self.result_label.setAccessibleName("Command result")
        self.result_label.setWordWrap(True)
        make_plain(self.result_label)  # the vehicle's own reason, shown as written
        grid.addWidget(self.result_label, 5, 0, 1, 3)
        self.set_session(None, "", live=False)

    def _button(self, name: CommandName, text: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setAccessibleName(f"Send {name.value.replace('_', ' ')}")
        if name in DANGEROUS_COMMANDS:
            button.setToolTip("asks for confirmation first")
        button.clicked.connect(lambda _=False, n=name: self.request(n))
        self.buttons[name] = button
        return button

    def _spin(
        self, low: float, high: float, value: float, suffix: str, name: str, *, decimals: int = 0
    ) -> QDoubleSpinBox:
        spin = QDoubleSpinBox(self)
        spin.setRange(low, high)
        spin.setDecimals(decimals)
        spin.setValue(value)
        spin.setSuffix(suffix)
        spin.setAccessibleName(name)
        spin.setButtonSymbols(QDoubleSpinBox.ButtonSymbols.NoButtons)  # narrow enough for the dock
        return spin

    def set_session(self, session_id: str | None, name: str, *, live: bool) -> None:
        if session_id != self.session_id:
            self.result_label.setText("")
        self.session_id = session_id
        self.session_name = name
        for button in self.buttons.values():
            button.setEnabled(session_id is not None and live)

    def set_goto_default(self, lat: float | None, lon: float | None) -> None:
        """Start the go-to fields at the vehicle's position (the operator edits from there)."""
        if lat is not None and lon is not None and self.goto_lat.value() == 0 and self.goto_lon.value() == 0:
            self.goto_lat.setValue(lat)
            self.goto_lon.setValue(lon)

    def params_for(self, name: CommandName) -> dict[str, Any]:
        if name is CommandName.TAKEOFF:
            return {"alt_m": self.takeoff_alt.value()}
        if name is CommandName.SET_MODE:
            return {"mode": self.mode_box.currentText().strip().upper()}
        if name is CommandName.GOTO:
            return {"lat": self.goto_lat.value(), "lon": self.goto_lon.value(), "alt_m": self.goto_alt.value()}
        return {}

    def request(self, name: CommandName) -> None:
        """A button was pressed: confirm first if the command can hurt, then send."""
        session_id = self.session_id
        if session_id is None:
            return
        params = self.params_for(name)
        if name not in DANGEROUS_COMMANDS:
            self.send(session_id, name, params)
            return
        shown = ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in params.items())
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            f"Confirm {name.value}",
            f"Send {name.value.upper()} to {self.session_name}?" + (f"\n{shown}" if shown else ""),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        make_plain(box)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAccessibleName(f"Confirm {name.value}")
        box.finished.connect(lambda code: self._confirmed(code, session_id, name, params))
        self.confirmation = box
        box.open()

    def _confirmed(self, code: int, session_id: str, name: CommandName, params: dict[str, Any]) -> None:
        self.confirmation = None
        if code == QMessageBox.StandardButton.Yes:
            self.send(session_id, name, params)
        else:
            self._show(f"{name.value}: not sent (cancelled)", "muted")

    def send(self, session_id: str, name: CommandName, params: dict[str, Any]) -> None:
        self.sent += 1
        self._show(f"{name.value}: sending…", "muted")

        def done(result: CommandResult) -> None:
            if session_id == self.session_id:
                self._show(*result_words(name.value, result))
            self.result_received.emit(session_id, name.value, result)

        def failed(exc: GroundstationError | Exception) -> None:
            if session_id == self.session_id:
                self._show(f"{name.value}: not sent — {describe_error(exc)}", "bad")

        self.runner.run(self.services.commands.send(session_id, name, params), on_done=done, on_error=failed)

    def _show(self, text: str, level: str) -> None:
        colors = {"ok": self.theme.ok, "bad": self.theme.bad, "muted": self.theme.muted_text}
        self.result_label.setStyleSheet(f"color: {colors.get(level, self.theme.text)}; font-weight: bold;")
        self.result_label.setText(text)

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
