"""The new-session dialog: name, adapter and connection URL, checked as they are typed.

Every keystroke runs the domain's own checks (``validate_display_name``, ``parse_connection``), so a typo is
flagged before anything is sent. "Start" then runs ``sessions.start`` as a task; whatever the service says
(a conflict naming the session that holds the device, an adapter that is not in this build, a link that did
not open) appears in the dialog as a message, and the dialog stays open so the operator can fix it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from groundstation.domain.connections import parse_connection
from groundstation.domain.errors import GroundstationError
from groundstation.domain.models import AdapterKind, DeviceSession, SessionState
from groundstation.domain.names import validate_display_name
from groundstation.ui.services import ProfileServicesView
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
        self, services: ProfileServicesView, runner: TaskRunner, theme: Theme, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self.theme = theme
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
        self._adapter_changed()

    def _error_label(self, accessible: str) -> QLabel:
        label = QLabel(self)
        label.setAccessibleName(accessible)
        label.setStyleSheet(f"color: {self.theme.bad}; font-weight: bold;")
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setVisible(False)
        return label

    @property
    def adapter(self) -> AdapterKind:
        return AdapterKind(self.adapter_box.currentData())

    def _adapter_changed(self) -> None:
        self.url_edit.setPlaceholderText(EXAMPLES[self.adapter])
        self.validate()

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
