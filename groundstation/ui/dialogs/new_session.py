"""The new-session dialog: name, adapter and connection URL, checked as they are typed.

Every keystroke runs the domain's own checks (``validate_display_name``, ``parse_connection``), so a typo is
flagged before anything is sent. "Start" then runs ``sessions.start`` as a task; whatever the service says
(a conflict naming the session that holds the device, an adapter that is not in this build, a link that did
not open) appears in the dialog as a message, and the dialog stays open so the operator can fix it.

For MAVLINK, a "Serial port" picker lists the ports the computer has (through the ``SerialPortLister`` the CLI
hands in, run on a worker thread: asking the OS can take a moment on Windows) and fills the URL with the one
chosen, so nobody has to guess whether the radio became ``COM7`` or ``/dev/ttyUSB1``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from groundstation.domain.connections import DEFAULT_BAUD, SerialPortInfo, parse_connection, serial_url
from groundstation.domain.errors import GroundstationError
from groundstation.domain.models import AdapterKind, DeviceSession, SessionState
from groundstation.domain.names import validate_display_name
from groundstation.ui.plain_text import make_plain
from groundstation.ui.services import ProfileServicesView, SerialPortLister
from groundstation.ui.tasks import TaskRunner, describe_error
from groundstation.ui.theme import Theme

EXAMPLES: dict[AdapterKind, str] = {
    AdapterKind.FAKE: "fake://scout?seed=7",
    AdapterKind.MAVLINK: "udpin://0.0.0.0:14550",
    AdapterKind.DJI: "dji://GATEWAY_SERIAL?broker=mqtt://127.0.0.1:1883",
}


class NewSessionDialog(QDialog):
    session_started = Signal(str)  # session id

    def __init__(
        self,
        services: ProfileServicesView,
        runner: TaskRunner,
        theme: Theme,
        parent: QWidget | None = None,
        *,
        ports: SerialPortLister | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.theme = theme
        self.ports = ports
        self._port_search = 0  # the newest listing asked for: an older one finishing late is ignored
        self._ports_listed = False
        self.started: DeviceSession | None = None
        self.busy = False
        self.setWindowTitle("New session")
        self.setAccessibleName("New session")
        self.setMinimumWidth(520)

        self.name_edit = QLineEdit(self)
        self.name_edit.setAccessibleName("Session name")
        self.name_edit.setPlaceholderText("scout")
        self.adapter_box = QComboBox(self)
        self.adapter_box.setAccessibleName("Adapter")
        for kind in AdapterKind:
            self.adapter_box.addItem(kind.value, kind)
        self.url_edit = QLineEdit(self)
        self.url_edit.setAccessibleName("Connection URL")
        self.name_error = self._error_label("Name problem")
        self.url_error = self._error_label("Connection URL problem")
        self.service_error = self._error_label("Error from the session service")
        self.service_error.setWordWrap(True)

        form = QFormLayout()
        form.addRow("&Name", self.name_edit)
        form.addRow("", self.name_error)
        form.addRow("&Adapter", self.adapter_box)
        form.addRow("&URL", self.url_edit)
        form.addRow("", self.url_error)
        self.port_box = QComboBox(self)
        self.port_box.setAccessibleName("Serial port")
        self.port_box.setToolTip(f"Writes the chosen port's URL, at {DEFAULT_BAUD} baud or the baud already typed")
        self.port_refresh = QToolButton(self)
        self.port_refresh.setText("Refresh")
        self.port_refresh.setAccessibleName("Look for serial ports again")
        self.port_row = QWidget(self)
        row = QHBoxLayout(self.port_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.port_box, 1)
        row.addWidget(self.port_refresh)
        form.addRow("Serial &port", self.port_row)
        self.form = form
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.start_button = QPushButton("&Start", self)
        self.start_button.setAccessibleName("Start the session")
        self.start_button.setDefault(True)
        self.buttons.addButton(self.start_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.rejected.connect(self.reject)
        self.start_button.clicked.connect(self.start)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.service_error)
        layout.addWidget(self.buttons)

        self.name_edit.textChanged.connect(self.validate)
        self.url_edit.textChanged.connect(self.validate)
        self.adapter_box.currentIndexChanged.connect(self._adapter_changed)
        self.port_box.activated.connect(self._port_chosen)
        self.port_refresh.clicked.connect(self.find_ports)
        self._adapter_changed()

    def _error_label(self, accessible: str) -> QLabel:
        label = QLabel(self)
        label.setAccessibleName(accessible)
        make_plain(label)  # the service's words name sessions as written
        label.setWordWrap(True)  # "Port out of range 0-65535" must never be cut at the dialog's edge
        label.setStyleSheet(f"color: {self.theme.bad}; font-weight: bold;")
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setVisible(False)
        return label

    @property
    def adapter(self) -> AdapterKind:
        return AdapterKind(self.adapter_box.currentData())

    def _adapter_changed(self) -> None:
        self.url_edit.setPlaceholderText(EXAMPLES[self.adapter])
        picker = self.ports is not None and self.adapter is AdapterKind.MAVLINK
        self.form.setRowVisible(self.port_row, picker)
        if picker and not self._ports_listed:
            self.find_ports()
        self.validate()

    # ------------------------------------------------------------------------------------------ serial ports
    def find_ports(self) -> None:
        """List the serial ports on a worker thread; the newest listing wins."""
        lister = self.ports
        if lister is None:
            return
        self._ports_listed = True
        self._port_search += 1
        search = self._port_search
        self._set_port_items("Looking for serial ports…", [])
        self.runner.run(
            asyncio.to_thread(lister),
            on_done=lambda ports: self._ports_found(search, ports),
            on_error=lambda exc: self._ports_failed(search, exc),
        )

    def _ports_found(self, search: int, ports: Sequence[SerialPortInfo]) -> None:
        if search != self._port_search:
            return
        if not ports:
            self._set_port_items("No serial ports found (plug the radio in, then Refresh)", [])
            return
        count = f"{len(ports)} serial port{'s' if len(ports) != 1 else ''} found: choose one…"
        self._set_port_items(count, list(ports))

    def _ports_failed(self, search: int, exc: Exception) -> None:
        if search != self._port_search:
            return
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else describe_error(exc)
        self._set_port_items(f"Could not list serial ports: {reason}", [])

    def _set_port_items(self, prompt: str, ports: list[SerialPortInfo]) -> None:
        self.port_box.clear()
        self.port_box.addItem(prompt, None)
        for port in ports:
            self.port_box.addItem(port.label, port.device)
        self.port_box.setEnabled(bool(ports))

    def _port_chosen(self, index: int) -> None:
        device = self.port_box.itemData(index)
        if device:
            self.url_edit.setText(serial_url(str(device), self._typed_baud()))

    def _typed_baud(self) -> int:
        """The baud of the serial URL already typed, so choosing another port keeps the radio's rate."""
        try:
            spec = parse_connection(AdapterKind.MAVLINK, self.url_edit.text())
        except GroundstationError:
            return DEFAULT_BAUD
        baud = spec.options.get("baud") if spec.scheme == "serial" else None
        return int(baud) if baud else DEFAULT_BAUD

    def validate(self) -> bool:
        """Check the fields as typed; an empty field is not flagged until something was typed in it."""
        self._show(self.service_error, None)
        name_problem = url_problem = None
        name, url = self.name_edit.text(), self.url_edit.text()
        try:
            validate_display_name(name, field="name")
        except GroundstationError as exc:
            name_problem = exc.message
        adapter_missing = self.adapter not in self.services.sessions.available_adapters
        if adapter_missing:
            url_problem = f"the {self.adapter.value} adapter is not available in this build"
        else:
            try:
                parse_connection(self.adapter, url)
            except GroundstationError as exc:
                url_problem = exc.message
        self._show(self.name_error, name_problem if name else None)
        self._show(self.url_error, url_problem if url or adapter_missing else None)
        valid = name_problem is None and url_problem is None
        self.start_button.setEnabled(valid and not self.busy)
        return valid

    def _show(self, label: QLabel, text: str | None) -> None:
        label.setText(text or "")
        label.setVisible(bool(text))
        if text:
            self._fit_height()

    def _fit_height(self) -> None:
        """Grow the dialog to the height its wrapped messages need (Qt does not grow a shown top-level
        window for a label's height-for-width), so a long reason is never cut off at the bottom."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else -1
        needed = max(needed, layout.totalMinimumSize().height())
        if needed > self.height():
            self.resize(self.width(), needed)

    def start(self) -> None:
        if self.busy or not self.validate():
            return
        self.busy = True
        self.start_button.setEnabled(False)
        self.start_button.setText("Starting…")
        self.runner.run(
            self.services.sessions.start(self.name_edit.text(), self.adapter, self.url_edit.text()),
            on_done=self._started,
            on_error=self._refused,
        )

    def _started(self, session: DeviceSession) -> None:
        self._idle()
        self.started = session
        self.session_started.emit(session.id)
        if session.state is SessionState.FAILED:
            # Recorded but its link did not open: say why here; it stays in the panel and can be resumed.
            self._show(self.service_error, f"session '{session.name}' did not open: {session.last_error}")
            return
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self._idle()
        self._show(self.service_error, describe_error(exc))

    def _idle(self) -> None:
        self.busy = False
        self.start_button.setText("&Start")
        self.start_button.setEnabled(self.validate_quietly())

    def validate_quietly(self) -> bool:
        """Like ``validate`` but keeps the service's message on screen."""
        message = self.service_error.text()
        valid = self.validate()
        self._show(self.service_error, message or None)
        return valid
